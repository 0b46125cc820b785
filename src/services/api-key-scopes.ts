import { AppError } from '../errors';

/**
 * The fixed catalogue of API key scopes. Scopes narrow what a RESELLER key may do beyond its role;
 * each GraphQL field declares the scopes it needs next to its roles (`@Auth`), and the published
 * schema shows them (`@auth(roles: [...], scopes: [...])`). Staff and bot keys are governed by
 * their role alone.
 */
export const API_KEY_SCOPES = {
  'customers:read': 'Read own customers.',
  'customers:write': 'Create or update own customers (by external reference).',
  'orders:read': 'Read own orders.',
  'orders:write': 'Place orders (new, renew, add traffic) paid from the reseller balance.',
  'subscriptions:read': 'Read own subscriptions: links, subscription URL, usage.',
  'subscriptions:write': 'Disable, enable or revoke own subscriptions.',
  'balance:read': 'Read the balance, the ledger and statements.',
  'webhooks:manage': 'Set the webhook URL and secret, read deliveries, redeliver.',
} as const;

export type ApiKeyScope = keyof typeof API_KEY_SCOPES;

export const ALL_SCOPES = Object.keys(API_KEY_SCOPES) as ApiKeyScope[];

export function isApiKeyScope(s: string): s is ApiKeyScope {
  return Object.prototype.hasOwnProperty.call(API_KEY_SCOPES, s);
}

/** Checks requested scopes against the catalogue: an unknown one is BAD_USER_INPUT (listing them). */
export function parseScopes(scopes: readonly string[]): ApiKeyScope[] {
  const unknown = scopes.filter((s) => !isApiKeyScope(s));
  if (unknown.length) {
    throw new AppError('BAD_USER_INPUT', `Unknown scope(s): ${unknown.join(', ')}.`, { unknownScopes: unknown, knownScopes: ALL_SCOPES });
  }
  return [...new Set(scopes)] as ApiKeyScope[];
}
