/**
 * The HTTP transport every panel adapter (S-UI, 3x-ui) sits on: one undici Agent per panel with
 * explicit timeouts, a per-panel concurrency limit, retries with backoff for transient failures,
 * a circuit breaker, and a small cookie jar for the panels' session cookies.
 *
 * Retry rules (the part that keeps us from creating a client twice):
 * - Failures before the request left (connection refused, connect timeout, DNS) are always
 *   retried: the panel cannot have seen the request.
 * - Failures after the request may have reached the panel (headers/body timeout, socket reset,
 *   HTTP 5xx) are retried only for `idempotent` requests. A non-idempotent request fails at once
 *   with a retryable PanelError; the adapter then looks the client up before creating it again.
 * - HTTP 429 is retried for every request (the server says it did not process it), honouring
 *   `Retry-After` up to `maxDelayMs`.
 * - An HTTP 200 with an empty body (an intermittent 3x-ui answer, PANELS.md Part E) is transient:
 *   retried like a 500 for idempotent requests. A non-idempotent request gets the empty response
 *   back at once; the adapter's parse makes it a retryable PANEL_REJECTED and it looks up first.
 * - 2xx, 3xx and 4xx are returned to the caller: adapters read 401/403/404/307 as session
 *   problems. Redirects are never followed.
 *
 * Nothing here logs; errors carry our server id and the operation name, never the URL, the
 * body, a token or a cookie.
 */
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import type { ZodType } from 'zod';
import { PanelError } from './panel-error';

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

interface StoredCookie {
  value: string;
  /** ms since epoch; null = session cookie. */
  expiresAt: number | null;
}

/**
 * A per-transport cookie jar: one panel, one host, so domain and path are ignored. Honours
 * `Max-Age` (which wins over `Expires`) and `Expires`, including deletion by `Max-Age=0` or a
 * past date.
 */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  /** @param now the clock used for expiry (default `Date.now`). */
  constructor(private readonly now: () => number = Date.now) {}

  /** Stores the cookies of one response's `Set-Cookie` header(s). */
  storeFromHeader(setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) this.storeOne(line);
  }

  private storeOne(line: string): void {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (name === '') return;
    let maxAge: number | undefined;
    let expires: number | undefined;
    for (const attr of attrs) {
      const i = attr.indexOf('=');
      const key = (i >= 0 ? attr.slice(0, i) : attr).trim().toLowerCase();
      const val = i >= 0 ? attr.slice(i + 1).trim() : '';
      if (key === 'max-age' && /^-?\d+$/.test(val)) maxAge = Number(val);
      else if (key === 'expires') {
        const t = Date.parse(val);
        if (!Number.isNaN(t)) expires = t;
      }
    }
    const now = this.now();
    const expiresAt = maxAge !== undefined ? now + maxAge * 1000 : (expires ?? null);
    if (expiresAt !== null && expiresAt <= now) {
      this.cookies.delete(name);
      return;
    }
    this.cookies.set(name, { value, expiresAt });
  }

  /** The unexpired value of a cookie. */
  get(name: string): string | undefined {
    this.purge();
    return this.cookies.get(name)?.value;
  }

  /** Sets a session cookie by hand. */
  set(name: string, value: string): void {
    this.cookies.set(name, { value, expiresAt: null });
  }

  /** Removes one cookie. */
  delete(name: string): void {
    this.cookies.delete(name);
  }

  /** The `Cookie` header value for the next request, or undefined when the jar is empty. */
  header(): string | undefined {
    this.purge();
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, c]) => `${k}=${c.value}`).join('; ');
  }

  /** Number of unexpired cookies. */
  get size(): number {
    this.purge();
    return this.cookies.size;
  }

  /** Forgets every cookie (logout, re-login). */
  clear(): void {
    this.cookies.clear();
  }

  private purge(): void {
    const now = this.now();
    for (const [k, c] of this.cookies) if (c.expiresAt !== null && c.expiresAt <= now) this.cookies.delete(k);
  }
}

// Errors raised before a byte of the request could have reached the panel.
const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

// Errors after the request may have been sent: the panel may have applied it.
const AFTER_SEND_ERROR_CODES = new Set([
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

function errorCode(err: unknown): string | undefined {
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
function safeCause(err: unknown): Error {
  const code = errorCode(err) ?? 'UNKNOWN';
  const e = new Error(`panel transport error ${code}`);
  (e as Error & { code: string }).code = code;
  return e;
}

type AttemptOutcome =
  | { kind: 'response'; res: PanelResponse }
  | { kind: 'transient-status'; res: PanelResponse }
  | { kind: 'error'; err: unknown; beforeSend: boolean; fatal: boolean };

function parseRetryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** The transport of one panel. */
export class PanelHttp {
  /** Session cookies of this panel. */
  readonly cookies: CookieJar;

  private readonly serverId: string;
  private readonly base: URL;
  private readonly headersTimeout: number;
  private readonly bodyTimeout: number;
  private readonly maxRetries: number;
  private readonly baseDelay: number;
  private readonly maxDelay: number;
  private readonly concurrency: number;
  private readonly failureThreshold: number;
  private readonly openMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private consecutiveFailures = 0;
  private openUntil = 0;
  private breakerOpen = false;
  private probeInFlight = false;
  private closed = false;
  private counters = { requests: 0, retries: 0 };

  /** Builds the transport; it opens no connection until the first request. */
  constructor(opts: PanelHttpOptions) {
    this.serverId = opts.serverId;
    const base = new URL(opts.baseUrl);
    // Credentials in the URL would be sent nowhere useful and could leak into errors.
    base.username = '';
    base.password = '';
    base.search = '';
    base.hash = '';
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
    const connectTimeout = opts.connectTimeoutMs ?? 5000;
    this.headersTimeout = opts.headersTimeoutMs ?? 15000;
    this.bodyTimeout = opts.bodyTimeoutMs ?? 15000;
    this.maxRetries = Math.max(0, opts.maxRetries ?? 3);
    this.baseDelay = Math.max(0, opts.baseDelayMs ?? 200);
    this.maxDelay = Math.max(0, opts.maxDelayMs ?? 5000);
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.failureThreshold = Math.max(1, opts.breaker?.failureThreshold ?? 5);
    this.openMs = Math.max(0, opts.breaker?.openMs ?? 30000);
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.cookies = new CookieJar(this.now);
    if (opts.dispatcher) {
      this.dispatcher = opts.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = new Agent({
        connect: { timeout: connectTimeout, rejectUnauthorized: opts.rejectUnauthorized ?? true },
        headersTimeout: this.headersTimeout,
        bodyTimeout: this.bodyTimeout,
        connections: this.concurrency,
      });
      this.ownsDispatcher = true;
    }
  }

  /** The normalised base URL (always ends with `/`, no credentials). */
  get baseUrl(): string {
    return this.base.toString();
  }

  /**
   * Sends one request, retrying transient failures per the rules in the file comment.
   * @throws PanelError PANEL_UNAVAILABLE (retryable) for network failures, timeouts, 5xx/429
   *   after the retries, and while the circuit is open.
   */
  async request(req: PanelRequest): Promise<PanelResponse> {
    if (req.form !== undefined && req.json !== undefined) throw new TypeError('PanelRequest: form and json are exclusive');
    const url = this.buildUrl(req);
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw this.unavailable(req, false);
      const isProbe = this.admitThroughBreaker(req);
      let outcome: AttemptOutcome;
      await this.acquire();
      try {
        if (this.closed) throw this.unavailable(req, false);
        this.counters.requests += 1;
        outcome = await this.attempt(url, req);
      } finally {
        this.release();
        if (isProbe) this.probeInFlight = false;
      }

      if (outcome.kind === 'response') {
        this.recordSuccess();
        return outcome.res;
      }
      if (outcome.kind === 'error' && outcome.fatal) {
        // Not a panel outage (e.g. a TLS certificate problem): do not trip the breaker, do not retry.
        throw new PanelError({
          code: 'PANEL_UNAVAILABLE',
          serverId: this.serverId,
          operation: req.operation,
          retryable: false,
          cause: safeCause(outcome.err),
        });
      }
      this.recordFailure();

      const status = outcome.kind === 'transient-status' ? outcome.res.status : undefined;
      const mayRetry =
        outcome.kind === 'error'
          ? outcome.beforeSend || req.idempotent
          : status === 429 || req.idempotent;
      if (!mayRetry || attempt >= this.maxRetries) {
        throw new PanelError({
          code: 'PANEL_UNAVAILABLE',
          serverId: this.serverId,
          operation: req.operation,
          retryable: true,
          status,
          cause: outcome.kind === 'error' ? safeCause(outcome.err) : undefined,
        });
      }
      this.counters.retries += 1;
      let delay = this.backoff(attempt);
      if (outcome.kind === 'transient-status') {
        const retryAfter = parseRetryAfterMs(outcome.res.headers['retry-after'], this.now());
        if (retryAfter !== undefined) delay = Math.min(this.maxDelay, Math.max(delay, retryAfter));
      }
      await this.sleep(delay);
    }
  }

  /**
   * Parses a JSON response body with a zod schema.
   * @throws PanelError PANEL_REJECTED — retryable for an empty body (3x-ui's intermittent
   *   empty 200), not retryable for a non-JSON body or a shape mismatch.
   */
  parseJson<T>(res: PanelResponse, schema: ZodType<T>, operation: string): T {
    const reject = (retryable: boolean, panelMessage?: string): PanelError =>
      new PanelError({ code: 'PANEL_REJECTED', serverId: this.serverId, operation, retryable, status: res.status, panelMessage });
    if (res.text.trim() === '') throw reject(true);
    let value: unknown;
    try {
      value = JSON.parse(res.text) as unknown;
    } catch {
      throw reject(false);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const msg =
        typeof value === 'object' && value !== null && typeof (value as { msg?: unknown }).msg === 'string'
          ? (value as { msg: string }).msg
          : undefined;
      throw reject(false, msg);
    }
    return parsed.data;
  }

  /** Counters for metrics and tests. `requests` counts HTTP attempts sent (retries included). */
  stats(): { requests: number; retries: number; breakerState: BreakerState; inFlight: number; queued: number } {
    return {
      requests: this.counters.requests,
      retries: this.counters.retries,
      breakerState: this.breakerState(),
      inFlight: this.inFlight,
      queued: this.waiting.length,
    };
  }

  /** Closes the transport's own Agent (an injected dispatcher is left to its owner); later requests fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Wake queued requests so they fail instead of hanging; each gets a slot it will release.
    const woken = this.waiting.splice(0);
    this.inFlight += woken.length;
    for (const wake of woken) wake();
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private buildUrl(req: PanelRequest): URL {
    const url = new URL(req.path.replace(/^\/+/, ''), this.base);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.append(k, String(v));
    return url;
  }

  private async attempt(url: URL, req: PanelRequest): Promise<AttemptOutcome> {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (req.form !== undefined) {
      body = new URLSearchParams(req.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    }
    const cookie = this.cookies.header();
    if (cookie !== undefined) headers.cookie = cookie;
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;

    try {
      const res = await undiciRequest(url, {
        dispatcher: this.dispatcher,
        method: req.method,
        headers,
        body,
        headersTimeout: this.headersTimeout,
        bodyTimeout: this.bodyTimeout,
      });
      const text = await res.body.text();
      const out: PanelResponse = { status: res.statusCode, headers: res.headers, text };
      this.cookies.storeFromHeader(res.headers['set-cookie']);
      if (res.statusCode >= 500 || res.statusCode === 429) return { kind: 'transient-status', res: out };
      if (res.statusCode === 200 && req.idempotent && text.trim() === '') return { kind: 'transient-status', res: out };
      return { kind: 'response', res: out };
    } catch (err) {
      const code = errorCode(err);
      if (code !== undefined && CONNECT_ERROR_CODES.has(code)) return { kind: 'error', err, beforeSend: true, fatal: false };
      if (code !== undefined && AFTER_SEND_ERROR_CODES.has(code)) return { kind: 'error', err, beforeSend: false, fatal: false };
      if (code !== undefined && /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(code)) {
        return { kind: 'error', err, beforeSend: true, fatal: true };
      }
      // Unknown failure: assume the request may have been sent.
      return { kind: 'error', err, beforeSend: false, fatal: false };
    }
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.maxDelay, this.baseDelay * 2 ** attempt);
    return Math.floor(this.random() * ceiling);
  }

  private breakerState(): BreakerState {
    if (!this.breakerOpen) return 'closed';
    return this.now() >= this.openUntil ? 'half-open' : 'open';
  }

  /** Throws when the circuit is open; returns true when this attempt is the half-open probe. */
  private admitThroughBreaker(req: PanelRequest): boolean {
    const state = this.breakerState();
    if (state === 'closed') return false;
    if (state === 'half-open' && !this.probeInFlight) {
      this.probeInFlight = true;
      return true;
    }
    throw this.unavailable(req, true);
  }

  private recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.breakerOpen = false;
  }

  private recordFailure(): void {
    this.consecutiveFailures += 1;
    // A failed half-open probe re-opens at once; otherwise open on reaching the threshold.
    if (this.breakerOpen || this.consecutiveFailures >= this.failureThreshold) {
      this.breakerOpen = true;
      this.openUntil = this.now() + this.openMs;
    }
  }

  private unavailable(req: PanelRequest, retryable: boolean): PanelError {
    return new PanelError({ code: 'PANEL_UNAVAILABLE', serverId: this.serverId, operation: req.operation, retryable });
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight += 1;
      return;
    }
    // The releasing request hands its slot over directly, so inFlight never exceeds the limit.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }
}
