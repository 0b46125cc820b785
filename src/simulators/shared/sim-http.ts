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
 * The control plane (`/__sim/...`) is described and answered in sim-control.ts.
 */
import http from 'node:http';
import { EventEmitter } from 'node:events';
import { SIM_CONTROL_PREFIX } from './sim-control';
import { matches, type ActiveRule, type Fault, type FaultRule, type RequestFilter } from './sim-faults';

export { SimClock } from './sim-clock';
export { handleControlRequest, SIM_CONTROL_PREFIX } from './sim-control';
export type { Fault, FaultRule, RequestFilter } from './sim-faults';

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

/** Emitted as `'handled'` after each non-control request. `status` is 0 when no answer was sent. */
export interface SimEvent {
  method: string;
  path: string;
  status: number;
  fault?: Fault['kind'];
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
