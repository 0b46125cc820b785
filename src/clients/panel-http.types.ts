/** The shapes of the panel transport (`panel-http.ts`): its options, one request, one response. */
import type { Dispatcher } from 'undici';

/** Options of one panel's transport. */
export interface PanelHttpOptions {
  /** Our server id, used in errors. */
  serverId: string;
  /** Panel URL including its base path, e.g. `http://host:2095/app/`; normalised to end with `/`. Userinfo is dropped. */
  baseUrl: string;
  /** TCP/TLS connect timeout; default 5000 ms. Only applies to the transport's own Agent. */
  connectTimeoutMs?: number;
  /** Time to wait for the response headers; default 15000 ms. undici checks it on a ~0.5 s tick, so sub-second values fire late. */
  headersTimeoutMs?: number;
  /** Maximum idle time between body chunks; default 15000 ms. */
  bodyTimeoutMs?: number;
  /** Retries for transient failures (attempts = 1 + maxRetries); default 3. */
  maxRetries?: number;
  /** First backoff step; default 200 ms. Exponential with full jitter, capped by `maxDelayMs`. */
  baseDelayMs?: number;
  /** Backoff cap; default 5000 ms. */
  maxDelayMs?: number;
  /** Requests in flight at once to this panel; default 4; further requests queue. */
  concurrency?: number;
  /**
   * Circuit breaker: after `failureThreshold` (default 5) consecutive transient failures the
   * circuit opens for `openMs` (default 30000): requests fail fast with a retryable
   * PANEL_UNAVAILABLE. Then one probe request is let through (half-open); success closes it.
   */
  breaker?: { failureThreshold?: number; openMs?: number };
  /** Injected dispatcher (tests); else one undici Agent per transport with the timeouts above. */
  dispatcher?: Dispatcher;
  /** Injectable sleep for the backoff (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable clock for the breaker and cookie expiry; default `Date.now`. */
  now?: () => number;
  /** Injectable jitter source in [0, 1); default `Math.random`. */
  random?: () => number;
  /** Set false to accept self-signed panel certificates (own Agent only); default true. */
  rejectUnauthorized?: boolean;
}

/** One request to the panel. */
export interface PanelRequest {
  /** E.g. `sui.save.clients.new`; used in errors and metrics. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to baseUrl, no leading slash, e.g. `api/clients`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /**
   * true when repeating the request cannot create a second effect (GET, absolute updates,
   * deletes). Non-idempotent requests are not retried once they may have reached the server
   * (timeouts after send, reset after send, 5xx); they fail with a retryable PanelError and the
   * adapter does look-up-then-create. Connect failures are always retried.
   */
  idempotent: boolean;
}

/** A response as returned to adapters (redirects are not followed). */
export interface PanelResponse {
  status: number;
  /** Lower-case header names; `set-cookie` may be an array. */
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Breaker states as reported by {@link PanelHttp.stats}. */
export type BreakerState = 'closed' | 'open' | 'half-open';
