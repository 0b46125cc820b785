/**
 * The simulators' control plane (`/__sim/...`), shared by S-UI and 3x-ui.
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
import { z } from 'zod';
import type { SimClock } from './sim-clock';
import type { RequestFilter } from './sim-faults';
import type { SimRequest, SimResponse, SimServerHandle } from './sim-http';

/** The path prefix of the control plane. */
export const SIM_CONTROL_PREFIX = '/__sim/';

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
