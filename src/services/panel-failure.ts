import { isPanelError } from '../clients/panel-error';
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

/**
 * A panel refused the call for good (`PanelError.retryable` false: a 4xx-like refusal, a response
 * of the wrong shape, a TLS problem): trying again cannot help, so a job fails at once instead of
 * spending its attempts. Outages, timeouts and our own errors (e.g. NO_CAPACITY) are not permanent.
 */
export function isPermanentPanelFailure(err: unknown): boolean {
  return isPanelError(err) && !err.retryable;
}
