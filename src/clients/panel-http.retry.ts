/**
 * How the panel transport classes a failed attempt (`panel-http.ts` file comment has the rules):
 * before the request left (always retried), after it may have reached the panel (retried only
 * when idempotent), or fatal (TLS); and how long to wait before the next attempt.
 */
import type { PanelResponse } from './panel-http.types';

// Errors raised before a byte of the request could have reached the panel.
export const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

// Errors after the request may have been sent: the panel may have applied it.
export const AFTER_SEND_ERROR_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
]);

export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects fail with an AggregateError of per-address errors.
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner)) for (const e of inner) {
    const c = errorCode(e);
    if (c) return c;
  }
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined && cause !== err ? errorCode(cause) : undefined;
}

/** Keeps only what is safe about a transport error (its code and class), dropping addresses and stacks from the chain. */
export function safeCause(err: unknown): Error {
  const code = errorCode(err) ?? 'UNKNOWN';
  const e = new Error(`panel transport error ${code}`);
  (e as Error & { code: string }).code = code;
  return e;
}

export type AttemptOutcome =
  | { kind: 'response'; res: PanelResponse }
  | { kind: 'transient-status'; res: PanelResponse }
  | { kind: 'error'; err: unknown; beforeSend: boolean; fatal: boolean };

/** `Retry-After` (seconds or an HTTP date) in ms from `now`. */
export function parseRetryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** The outcome of a transport error thrown by one attempt. */
export function classifyError(err: unknown): AttemptOutcome {
  const code = errorCode(err);
  if (code !== undefined && CONNECT_ERROR_CODES.has(code)) return { kind: 'error', err, beforeSend: true, fatal: false };
  if (code !== undefined && AFTER_SEND_ERROR_CODES.has(code)) return { kind: 'error', err, beforeSend: false, fatal: false };
  if (code !== undefined && /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(code)) {
    return { kind: 'error', err, beforeSend: true, fatal: true };
  }
  // Unknown failure: assume the request may have been sent.
  return { kind: 'error', err, beforeSend: false, fatal: false };
}

/** Exponential backoff with full jitter: a random delay below min(maxDelay, baseDelay × 2^attempt). */
export function backoffMs(attempt: number, baseDelay: number, maxDelay: number, random: () => number): number {
  const ceiling = Math.min(maxDelay, baseDelay * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
