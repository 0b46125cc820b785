/**
 * The S-UI simulator's own `/__sim/` routes (state dump, traffic, jobs, seeding, direct edits),
 * answered after the shared fault/clock/counter routes of sim-control.ts.
 */
import { z } from 'zod';
import type { SimRequest, SimResponse } from '../shared/sim-http';
import type { SuiSeedClient, SuiSimulator } from './sui.simulator-api';
import type { SuiClientRow } from './sui.store';

const trafficSchema = z.object({ name: z.string(), up: z.number().min(0), down: z.number().min(0), mode: z.enum(['set', 'add']).optional() });
const onlineSchema = z.object({ name: z.string(), up: z.number().min(0).optional(), down: z.number().min(0).optional(), online: z.boolean().optional() });
const nameSchema = z.object({ name: z.string() });
const patchSchema = z.object({ name: z.string(), patch: z.record(z.string(), z.unknown()) });
const seedSchema = z.object({
  count: z.number().int().min(0).optional(),
  clients: z.array(z.object({ name: z.string() }).passthrough()).optional(),
  inboundIds: z.array(z.number().int()).optional(),
  prefix: z.string().optional(),
});
const inboundSchema = z.object({
  type: z.string(),
  tag: z.string(),
  listen_port: z.number().int(),
  tls_id: z.number().int().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  addrs: z.unknown().optional(),
});

function controlJson(status: number, value: unknown): SimResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

function parseBody(req: SimRequest): unknown {
  const t = req.rawBody.toString('utf8').trim();
  return t === '' ? {} : (JSON.parse(t) as unknown);
}

/** The simulator's own `/__sim/` routes (besides the shared fault/clock/counter routes). */
export function controlRoute(sim: SuiSimulator, req: SimRequest): SimResponse | null {
  const bad = (error: string): SimResponse => controlJson(400, { ok: false, error });
  const route = `${req.method} ${req.path}`;
  switch (route) {
    case 'GET /__sim/state':
      return controlJson(200, { ok: true, state: sim.state() });
    case 'POST /__sim/tick':
      sim.tick();
      return controlJson(200, { ok: true });
    case 'POST /__sim/deplete':
      return controlJson(200, { ok: true, disabled: sim.runDepleteJob() });
    case 'POST /__sim/expire-sessions':
      sim.expireSessions();
      return controlJson(200, { ok: true });
    case 'POST /__sim/traffic': {
      const p = trafficSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { name, up, down, mode?: "set"|"add" }');
      if (p.data.mode === 'add') sim.addTraffic(p.data.name, p.data.up, p.data.down);
      else sim.setTraffic(p.data.name, p.data.up, p.data.down);
      return controlJson(200, { ok: true });
    }
    case 'POST /__sim/online': {
      const p = onlineSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { name, up?, down?, online? }');
      sim.setOnline(p.data.name, p.data.online === false ? null : { up: p.data.up ?? 0, down: p.data.down ?? 0 });
      return controlJson(200, { ok: true });
    }
    case 'POST /__sim/seed': {
      const p = seedSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { count?, clients?, inboundIds?, prefix? }');
      const input = p.data.clients ? (p.data.clients as SuiSeedClient[]) : (p.data.count ?? 0);
      const rows = sim.seedClients(input, { inboundIds: p.data.inboundIds, prefix: p.data.prefix });
      return controlJson(200, { ok: true, created: rows.length });
    }
    case 'POST /__sim/inbound': {
      const p = inboundSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { type, tag, listen_port, tls_id?, options?, addrs? }');
      return controlJson(200, { ok: true, inbound: sim.addInbound(p.data) });
    }
    case 'POST /__sim/delete-client': {
      const p = nameSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { name }');
      return controlJson(200, { ok: true, deleted: sim.deleteClientDirect(p.data.name) });
    }
    case 'POST /__sim/patch-client': {
      const p = patchSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { name, patch }');
      return controlJson(200, { ok: true, changed: sim.patchClient(p.data.name, p.data.patch as Partial<SuiClientRow>) });
    }
    default:
      return null;
  }
}
