import { randomUUID } from 'node:crypto';
import type { GqlResult } from '../helpers/api';
import type { World } from '../helpers/world';

/** World settings for reseller tests: per-key rate limits are tested on their own (reseller-rate-limit.test.ts). */
export const NO_RATE_LIMIT = { RESELLER_RATE_PER_MINUTE: '100000', RESELLER_RATE_BURST: '100000' };

/** A reseller created through the API with a key holding the given scopes (all by default). */
export interface ApiReseller {
  id: string;
  key: string;
  call<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
}

const ALL = ['customers:read', 'customers:write', 'orders:read', 'orders:write', 'subscriptions:read', 'subscriptions:write', 'balance:read', 'webhooks:manage'];

function ok<T>(res: GqlResult<T>): T {
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!;
}

/** ADMIN creates a reseller (input as createReseller takes it), a key for it, and optionally a top-up. */
export async function createApiReseller(w: World, input: Record<string, unknown>, opts: { topUp?: number; scopes?: string[] } = {}): Promise<ApiReseller> {
  const r = ok(await w.asAdmin<{ createReseller: { id: string } }>('mutation($i: CreateResellerInput!) { createReseller(input: $i) { id } }', {
    i: { name: `r-${randomUUID().slice(0, 8)}`, ...input },
  })).createReseller;
  const k = ok(await w.asAdmin<{ createApiKey: { key: string } }>('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }', {
    i: { name: 'integration', role: 'RESELLER', resellerId: r.id, scopes: opts.scopes ?? ALL },
  })).createApiKey;
  if (opts.topUp) {
    ok(await w.asAdmin('mutation($r: ID!, $a: Int!, $k: String!) { topUpReseller(resellerId: $r, amount: $a, note: "opening", idempotencyKey: $k) { id } }', {
      r: r.id,
      a: opts.topUp,
      k: randomUUID(),
    }));
  }
  return { id: r.id, key: k.key, call: (query, variables) => w.t.gql(query, variables, { key: k.key }) };
}

export const UPSERT_CUSTOMER = 'mutation($r: String!) { upsertResellerCustomer(externalRef: $r) { id externalRef } }';

export const RESELLER_ORDER = `mutation($i: CreateOrderInput!, $k: String!) {
  createOrder(input: $i, idempotencyKey: $k) { id status kind price amountDue paymentMethod subscriptionId }
}`;

export { ok };
