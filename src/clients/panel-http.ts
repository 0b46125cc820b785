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
 * Parts: `panel-http.types.ts` (options, request, response), `panel-http.retry.ts` (classing a
 * failed attempt, backoff), `panel-http.circuit.ts` (breaker, request slots), `panel-http.cookies.ts`.
 *
 * Nothing here logs; errors carry our server id and the operation name, never the URL, the
 * body, a token or a cookie.
 */
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import type { ZodType } from 'zod';
import { PanelError } from './panel-error';
import { CircuitBreaker, RequestSlots } from './panel-http.circuit';
import { CookieJar } from './panel-http.cookies';
import { backoffMs, classifyError, parseRetryAfterMs, safeCause, type AttemptOutcome } from './panel-http.retry';
import type { BreakerState, PanelHttpOptions, PanelRequest, PanelResponse } from './panel-http.types';

export { CookieJar } from './panel-http.cookies';
export type { BreakerState, PanelHttpOptions, PanelRequest, PanelResponse } from './panel-http.types';

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
  private readonly breaker: CircuitBreaker;
  private readonly slots: RequestSlots;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

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
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.cookies = new CookieJar(this.now);
    this.breaker = new CircuitBreaker(Math.max(1, opts.breaker?.failureThreshold ?? 5), Math.max(0, opts.breaker?.openMs ?? 30000), this.now);
    this.slots = new RequestSlots(this.concurrency);
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
      const admission = this.breaker.admit();
      if (admission === 'refuse') throw this.unavailable(req, true);
      const isProbe = admission === 'probe';
      let outcome: AttemptOutcome;
      await this.slots.acquire();
      try {
        if (this.closed) throw this.unavailable(req, false);
        this.counters.requests += 1;
        outcome = await this.attempt(url, req);
      } finally {
        this.slots.release();
        if (isProbe) this.breaker.probeDone();
      }

      if (outcome.kind === 'response') {
        this.breaker.recordSuccess();
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
      this.breaker.recordFailure();

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
      let delay = backoffMs(attempt, this.baseDelay, this.maxDelay, this.random);
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
      breakerState: this.breaker.state(),
      inFlight: this.slots.active,
      queued: this.slots.queued,
    };
  }

  /** Closes the transport's own Agent (an injected dispatcher is left to its owner); later requests fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Wake queued requests so they fail instead of hanging; each gets a slot it will release.
    this.slots.wakeAll();
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
      return classifyError(err);
    }
  }

  private unavailable(req: PanelRequest, retryable: boolean): PanelError {
    return new PanelError({ code: 'PANEL_UNAVAILABLE', serverId: this.serverId, operation: req.operation, retryable });
  }
}
