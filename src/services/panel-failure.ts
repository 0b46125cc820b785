import { isAppError } from '../errors';

/**
 * What may be stored or shown about a failed panel call: the error code with the panel's own
 * message when it gave one (never a stack, URL or credential), at most 500 characters.
 * Shared by reconciliation and evacuation.
 */
export function safeError(err: unknown): string {
  if (!isAppError(err)) return 'unexpected error';
  const panelMessage = (err as { panelMessage?: unknown }).panelMessage;
  const text = typeof panelMessage === 'string' && panelMessage !== '' ? `${err.code}: ${panelMessage}` : `${err.code}: ${err.message}`;
  return text.slice(0, 500);
}

/** A PostgreSQL text[] literal of panel client names (quotes and backslashes dropped: names never hold them). */
export function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '')}"`).join(',')}}`;
}
