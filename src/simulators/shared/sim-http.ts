/**
 * The HTTP harness both panel simulators (S-UI, 3x-ui) run on: a thin `node:http` wrapper that
 * gives the simulator a parsed request, counts requests, injects faults seen in the wild, and
 * exposes a control plane for driving a simulator from another process.
 *
 * ## Request flow
 *
 * 1. The whole body is read, then the request is classified:
 *    - a control path (`/__sim/...`, always at the root, whatever the panel's base path) goes
 *      straight to the simulator's `handle` — no faults, not counted, no `handled` event;
 *    - any other path is counted, then the first matching fault rule (if any) is applied.
 * 2. Faults (see {@link Fault}) either replace the handler (`status`, `reset`), delay it (`slow`),
 *    or run it and then damage the reply (`empty`, `lost-reply`, `slow-body`), so tests can
 *    reproduce "the panel applied the change but we never saw the answer".
 * 3. After each non-control request the handle's `events` emits `'handled'` with a {@link SimEvent}.
 *
 * ## Control plane (for `npm run sim:sui` / `npm run sim:xui` driven from another process)
 *
 * A simulator exposes it by calling {@link handleControlRequest} first in its `handle`:
 *
 * ```ts
 * const clock = new SimClock();
 * const server = await startSimServer({
 *   port: 2095,
 *   handle: async (req, srv) =>
 *     (await handleControlRequest(req, srv, clock, (r) => mySimExtraHooks(r))) ?? panelRoutes(req),
 * });
 * ```
 *
 * Routes (JSON in, JSON out; all answer 200 `{ ok: true, ... }` or 400/404 `{ ok: false, error }`):
 * - `POST /__sim/fault` — body is a {@link FaultRule}; `times` may be a number, `null` or
 *   `"Infinity"` (JSON has no Infinity; both mean "until cleared").
 * - `POST /__sim/clear-faults`
 * - `GET  /__sim/requests?method=POST&pathIncludes=save` → `{ ok: true, count }`
 * - `POST /__sim/reset-counters`
 * - `POST /__sim/advance` — body `{ "ms": 60000 }` → `{ ok: true, now }` (advances the {@link SimClock})
 * - `GET  /__sim/now` → `{ ok: true, now }`
 * - anything else under `/__sim/` is passed to the simulator's `extra` callback (its own hooks:
 *   traffic ticks, state dumps, ...) and answers 404 when that returns null.
 *
 * The control plane has no authentication: it binds to 127.0.0.1 by default and must never be
 * exposed beyond the test machine.
 */
import http from 'node:http';
import { EventEmitter } from 'node:events';
import { z } from 'zod';

/** A request as a simulator sees it: body fully read, query split from the path. */
export interface SimRequest {
  method: string;
  /** The URL path without the query string, not decoded (e.g. `/app/api/clients`). */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  remoteAddress: string;
}

/** What a simulator answers. `body` defaults to empty; `Content-Length` is set automatically. */
export interface SimResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

/** A failure to inject in front of (or after) the simulator's handler. */
export type Fault =
  /** Answer with this status (e.g. 500/502/503) without running the handler. */
  | { kind: 'status'; status: number; body?: string }
  /** Run the handler (the change is applied), answer 200 with an empty body (3x-ui empty-200 pitfall). */
  | { kind: 'empty' }
  /** Wait `ms` (real time) before handling; the client may time out meanwhile. */
  | { kind: 'slow'; ms: number }
  /** Destroy the socket before handling: nothing is applied. */
  | { kind: 'reset' }
  /** Run the handler (the change is applied), then destroy the socket without answering. */
  | { kind: 'lost-reply' }
  /**
   * Run the handler, send the status line, headers and the first half of the body, wait `ms`
   * (real time), then send the rest — exercises the client's body timeout.
   */
  | { kind: 'slow-body'; ms: number };

/** One fault injection rule; rules are tried in insertion order, the first match wins. */
export interface FaultRule {
  fault: Fault;
  /** How many matching requests it applies to; default 1; `Infinity` = until cleared. */
  times?: number;
  /** Applies to every non-control request when omitted. `method` compares case-insensitively. */
  match?: { method?: string; pathIncludes?: string };
}

/** Emitted as `'handled'` after each non-control request. `status` is 0 when no answer was sent. */
export interface SimEvent {
  method: string;
  path: string;
  status: number;
  fault?: Fault['kind'];
}

/** A filter for {@link SimServerHandle.requestCount}. */
export interface RequestFilter {
  method?: string;
  pathIncludes?: string;
}

/**
 * The simulated wall clock (milliseconds). Simulators read time only from it so tests can
 * expire sessions, tokens and quotas without waiting.
 */
export class SimClock {
  private ms: number;

  /** Starts at `startMs`, or at the real current time. */
  constructor(startMs?: number) {
    this.ms = startMs ?? Date.now();
  }

  /** Current simulated time in ms since the epoch. */
  now(): number {
    return this.ms;
  }

  /** Moves the clock forward (negative values are refused: time never runs back by accident). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('SimClock.advance needs a finite ms >= 0');
    this.ms += ms;
  }

  /** Sets the clock to an absolute time (may go back; tests use it deliberately). */
  set(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('SimClock.set needs a finite ms');
    this.ms = ms;
  }
}

/** A running simulator server. */
export interface SimServerHandle {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  port: number;
  /** Non-control requests received since start or the last {@link resetCounters}, faulted ones included. */
  requestCount(filter?: RequestFilter): number;
  resetCounters(): void;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /**
   * Fires after each request was handled (also for 'lost-reply' and 'empty', after the handler ran).
   * Lets a test act "right after the panel accepted a change" (e.g. SIGKILL a worker).
   * Emits `'handled'` with a {@link SimEvent}.
   */
  events: EventEmitter;
  /** Stops listening and destroys all sockets, pending slow faults included. */
  close(): Promise<void>;
}

/** Options of {@link startSimServer}. */
export interface SimServerOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * The simulator. The second argument is the running server's handle (handy for
   * {@link handleControlRequest}). A thrown error becomes a 500 with a generic body.
   */
  handle: (req: SimRequest, server: SimServerHandle) => Promise<SimResponse> | SimResponse;
}

/** The path prefix of the control plane. */
export const SIM_CONTROL_PREFIX = '/__sim/';

interface ActiveRule {
  fault: Fault;
  remaining: number;
  match?: RequestFilter;
}

function matches(filter: RequestFilter | undefined, method: string, path: string): boolean {
  if (!filter) return true;
  if (filter.method !== undefined && filter.method.toUpperCase() !== method.toUpperCase()) return false;
  if (filter.pathIncludes !== undefined && !path.includes(filter.pathIncludes)) return false;
  return true;
}

/** Starts a simulator server and resolves once it listens. */
export async function startSimServer(opts: SimServerOptions): Promise<SimServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const log: { method: string; path: string }[] = [];
  let rules: ActiveRule[] = [];
  const events = new EventEmitter();
  // Pending 'slow'/'slow-body' waits, cancelled on close so jest (and the process) can exit.
  const waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closed = false;

  const delay = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          waits.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      waits.add(entry);
    });

  const takeFault = (method: string, path: string): Fault | undefined => {
    const rule = rules.find((r) => matches(r.match, method, path));
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) rules = rules.filter((r) => r !== rule);
    return rule.fault;
  };

  // Set once the server listens; requests only arrive after that.
  const ref: { handle?: SimServerHandle } = {};

  const runHandler = async (req: SimRequest): Promise<SimResponse> => {
    try {
      return await opts.handle(req, ref.handle as SimServerHandle);
    } catch {
      // The simulator itself failed: answer like a crashed backend, never echo internals.
      return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'simulator error' };
    }
  };

  const send = (res: http.ServerResponse, out: SimResponse): void => {
    if (res.destroyed || res.writableEnded) return;
    const body = out.body ?? '';
    res.statusCode = out.status;
    for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      void (async () => {
        const rawUrl = req.url ?? '/';
        const q = rawUrl.indexOf('?');
        const simReq: SimRequest = {
          method: (req.method ?? 'GET').toUpperCase(),
          path: q >= 0 ? rawUrl.slice(0, q) : rawUrl,
          query: new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : ''),
          headers: req.headers,
          rawBody: Buffer.concat(chunks),
          remoteAddress: req.socket.remoteAddress ?? '',
        };

        if (simReq.path.startsWith(SIM_CONTROL_PREFIX)) {
          send(res, await runHandler(simReq));
          return;
        }

        log.push({ method: simReq.method, path: simReq.path });
        const fault = takeFault(simReq.method, simReq.path);
        const emit = (status: number): void => {
          const ev: SimEvent = { method: simReq.method, path: simReq.path, status };
          if (fault) ev.fault = fault.kind;
          events.emit('handled', ev);
        };

        switch (fault?.kind) {
          case undefined: {
            const out = await runHandler(simReq);
            send(res, out);
            emit(out.status);
            return;
          }
          case 'status': {
            send(res, { status: fault.status, headers: { 'content-type': 'text/plain' }, body: fault.body ?? '' });
            emit(fault.status);
            return;
          }
          case 'empty': {
            await runHandler(simReq);
            send(res, { status: 200 });
            emit(200);
            return;
          }
          case 'slow': {
            await delay(fault.ms);
            if (closed) return;
            const out = await runHandler(simReq);
            send(res, out);
            emit(res.destroyed && !res.writableEnded ? 0 : out.status);
            return;
          }
          case 'reset': {
            req.socket.destroy();
            emit(0);
            return;
          }
          case 'lost-reply': {
            const out = await runHandler(simReq);
            req.socket.destroy();
            emit(out.status);
            return;
          }
          case 'slow-body': {
            const out = await runHandler(simReq);
            const body = Buffer.from(out.body ?? '');
            const half = Math.max(1, Math.floor(body.length / 2));
            res.statusCode = out.status;
            for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
            res.setHeader('content-length', Math.max(body.length, half));
            res.write(body.subarray(0, half).length > 0 ? body.subarray(0, half) : Buffer.from(' '));
            emit(out.status);
            await delay(fault.ms);
            if (closed || res.destroyed) return;
            res.end(body.subarray(half));
            return;
          }
        }
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator server has no TCP address');
  const port = address.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const handle: SimServerHandle = {
    url: `http://${urlHost}:${port}`,
    port,
    requestCount: (filter) => log.filter((e) => matches(filter, e.method, e.path)).length,
    resetCounters: () => {
      log.length = 0;
    },
    injectFault: (rule) => {
      const times = rule.times ?? 1;
      if (!(times > 0)) throw new RangeError('FaultRule.times must be > 0');
      rules.push({ fault: rule.fault, remaining: times, match: rule.match });
    },
    clearFaults: () => {
      rules = [];
    },
    events,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const w of waits) {
        clearTimeout(w.timer);
        w.resolve();
      }
      waits.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
  ref.handle = handle;
  return handle;
}

const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('status'), status: z.number().int().min(100).max(599), body: z.string().optional() }),
  z.object({ kind: z.literal('empty') }),
  z.object({ kind: z.literal('slow'), ms: z.number().min(0) }),
  z.object({ kind: z.literal('reset') }),
  z.object({ kind: z.literal('lost-reply') }),
  z.object({ kind: z.literal('slow-body'), ms: z.number().min(0) }),
]);

const faultRuleSchema = z.object({
  fault: faultSchema,
  times: z.union([z.number().positive(), z.literal('Infinity'), z.null()]).optional(),
  match: z.object({ method: z.string().optional(), pathIncludes: z.string().optional() }).optional(),
});

const advanceSchema = z.object({ ms: z.number().min(0) });

function json(status: number, value: unknown): SimResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

function parseJsonBody(req: SimRequest): unknown {
  const text = req.rawBody.toString('utf8').trim();
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

/**
 * Answers the control plane (`/__sim/...`, see the file comment). Simulators call it first and
 * fall through to their panel routes when it returns null (not a control path).
 *
 * @param extra the simulator's own hooks for other `/__sim/` paths; return null for "unknown".
 */
export async function handleControlRequest(
  req: SimRequest,
  handle: SimServerHandle,
  clock: SimClock,
  extra?: (req: SimRequest) => Promise<SimResponse | null>,
): Promise<SimResponse | null> {
  if (!req.path.startsWith(SIM_CONTROL_PREFIX)) return null;
  const route = `${req.method} ${req.path}`;
  try {
    switch (route) {
      case 'POST /__sim/fault': {
        const parsed = faultRuleSchema.safeParse(parseJsonBody(req));
        if (!parsed.success) return json(400, { ok: false, error: 'invalid fault rule' });
        const { times, ...rest } = parsed.data;
        handle.injectFault({ ...rest, times: times === null || times === 'Infinity' ? Infinity : times });
        return json(200, { ok: true });
      }
      case 'POST /__sim/clear-faults':
        handle.clearFaults();
        return json(200, { ok: true });
      case 'GET /__sim/requests': {
        const filter: RequestFilter = {};
        const method = req.query.get('method');
        const pathIncludes = req.query.get('pathIncludes');
        if (method) filter.method = method;
        if (pathIncludes) filter.pathIncludes = pathIncludes;
        return json(200, { ok: true, count: handle.requestCount(filter) });
      }
      case 'POST /__sim/reset-counters':
        handle.resetCounters();
        return json(200, { ok: true });
      case 'POST /__sim/advance': {
        const parsed = advanceSchema.safeParse(parseJsonBody(req));
        if (!parsed.success) return json(400, { ok: false, error: 'expected { ms: number >= 0 }' });
        clock.advance(parsed.data.ms);
        return json(200, { ok: true, now: clock.now() });
      }
      case 'GET /__sim/now':
        return json(200, { ok: true, now: clock.now() });
      default: {
        const out = extra ? await extra(req) : null;
        return out ?? json(404, { ok: false, error: 'unknown control route' });
      }
    }
  } catch (err) {
    if (err instanceof SyntaxError) return json(400, { ok: false, error: 'body is not JSON' });
    throw err;
  }
}
