/**
 * The classic client routes of the simulated 3x-ui 2.x–3.0 under `{base}panel/api/inbounds/`
 * (PANELS.md B.5, B.7), with `settings` as JSON text. Gone (404) from 3.1.
 *
 * Processing order, messages and the quirks (binding error with a success-text prefix, HTTP 500
 * on `settings` without `clients`, "no client remained in Inbound", full-replace updateClient,
 * version-dependent unknown-client behaviour) follow the Go source of each release.
 */
import type { SimRequest, SimResponse } from '../shared/sim-http';
import { GoError, sprintln } from './xui.go-json';
import {
  bindInbound,
  clientsFromSettings,
  findInbound,
  guarded,
  keyCheck,
  Panic,
  parseId,
  type XuiRouteContext,
} from './xui.route-kit';
import { clientKeyField, num, str, type RawClient, type XuiTrafficRow } from './xui.state';
import { trafficJson } from './xui.wire';

function addClient(ctx: XuiRouteContext, req: SimRequest): SimResponse {
  const { state } = ctx;
  const features = state.features;
  let data: Record<string, unknown>;
  try {
    data = bindInbound(ctx, req);
  } catch (err) {
    // The binding failure reuses the *success* text of an inbound update as its prefix.
    if (err instanceof GoError) return ctx.env.fail('inboundUpdateSuccess', err.message);
    throw err;
  }
  return guarded(ctx, 'somethingWentWrong', () => {
    const { clients } = clientsFromSettings(data.settings);
    const dup = state.duplicateEmail(clients);
    if (dup !== '') throw new GoError(sprintln('Duplicate email:', dup));
    const inbound = findInbound(ctx, num(data, 'id'));
    for (const c of clients) {
      if (features.emailRequired && str(c, 'email').trim() === '') throw new GoError(sprintln('client email is required'));
      keyCheck(inbound.protocol, c);
    }
    const now = state.clock.now();
    const target = state.clientsOf(inbound);
    for (const c of clients) {
      if (!('created_at' in c)) c.created_at = now;
      c.updated_at = now;
      target.push(c);
      state.addTrafficRow(inbound.id, c);
    }
    return ctx.env.ok('inboundClientAddSuccess');
  });
}

function updateClient(ctx: XuiRouteContext, req: SimRequest, clientId: string): SimResponse {
  const { state } = ctx;
  const features = state.features;
  let data: Record<string, unknown>;
  try {
    data = bindInbound(ctx, req);
  } catch (err) {
    if (err instanceof GoError) return ctx.env.fail('inboundUpdateSuccess', err.message);
    throw err;
  }
  return guarded(ctx, 'somethingWentWrong', () => {
    const { clients } = clientsFromSettings(data.settings);
    const inbound = findInbound(ctx, num(data, 'id'));
    if (clients.length === 0) throw new Panic();
    const next = clients[0];
    const key = clientKeyField(inbound.protocol);
    const current = state.clientsOf(inbound);
    const index = current.findIndex((c) => str(c, key) === clientId);
    if (str(next, key) === '' || index < 0) throw new GoError(sprintln('empty client ID'));
    if (features.emailRequired && str(next, 'email').trim() === '') throw new GoError(sprintln('client email is required'));
    const old = current[index];
    const oldEmail = str(old, 'email');
    const newEmail = str(next, 'email');
    if (newEmail !== oldEmail) {
      const dup = state.duplicateEmail([next]);
      if (dup !== '') throw new GoError(sprintln('Duplicate email:', dup));
    }
    // Wholesale replacement: only created_at survives from the stored client (PANELS.md B.7.2).
    const now = state.clock.now();
    next.created_at = old.created_at ?? now;
    next.updated_at = now;
    current[index] = next;
    if (newEmail !== '') {
      if (oldEmail !== '') {
        const unchanged = oldEmail.toLowerCase() === newEmail.toLowerCase();
        if (unchanged || !state.traffic.has(newEmail)) state.updateTrafficRow(oldEmail, next);
        else {
          if (!state.emailUsedElsewhere(oldEmail, inbound.id)) state.traffic.delete(oldEmail);
          state.updateTrafficRow(newEmail, next);
        }
      } else state.addTrafficRow(inbound.id, next);
    } else if (oldEmail !== '' && !state.emailUsedElsewhere(oldEmail, inbound.id)) state.traffic.delete(oldEmail);
    return ctx.env.ok('inboundClientUpdateSuccess');
  });
}

function delClient(ctx: XuiRouteContext, idRaw: string, clientId: string): SimResponse {
  const { state } = ctx;
  return guarded(ctx, 'somethingWentWrong', () => {
    const inbound = findInbound(ctx, parseId(idRaw));
    const key = clientKeyField(inbound.protocol);
    const clients = state.clientsOf(inbound);
    if (clients.some((c) => typeof c[key] !== 'string')) throw new Panic();
    const hit = clients.find((c) => str(c, key) === clientId);
    if (!hit && state.features.v294) throw new GoError(sprintln('Client Not Found In Inbound For ID:', clientId));
    if (clients.length - (hit ? 1 : 0) === 0) throw new GoError(sprintln('no client remained in Inbound'));
    if (hit) state.removeEntry({ inbound, client: hit, index: clients.indexOf(hit) });
    return ctx.env.ok('inboundClientDeleteSuccess');
  });
}

function delClientByEmail(ctx: XuiRouteContext, idRaw: string, email: string): SimResponse {
  const { state } = ctx;
  let id: number;
  try {
    id = parseId(idRaw);
  } catch (err) {
    if (err instanceof GoError) return ctx.env.failText('Invalid inbound ID', err.message);
    throw err;
  }
  const prefix = ctx.env.text('delClientByEmailFail');
  return guarded(ctx, prefix, () => {
    const inbound = findInbound(ctx, id);
    const clients = state.clientsOf(inbound);
    const hit = clients.find((c) => str(c, 'email') === email);
    if (!hit) throw new GoError(sprintln(`client with email ${email} not found`));
    if (clients.length === 1) throw new GoError(sprintln('no client remained in Inbound'));
    state.removeEntry({ inbound, client: hit, index: clients.indexOf(hit) });
    return ctx.env.ok('delClientByEmailSuccess');
  });
}

/** `GetClientTrafficByEmail`: the row, its inbound and the settings entry, or the version's error. */
function trafficByEmail(ctx: XuiRouteContext, email: string): { row: XuiTrafficRow | undefined; client?: RawClient } {
  const { state } = ctx;
  const row = state.traffic.get(email);
  if (!row) {
    if (state.features.v284) throw new GoError(sprintln('Inbound Not Found For Email:', email));
    return { row: undefined };
  }
  const inbound = state.inbounds.get(row.inboundId);
  const client = inbound ? state.clientsOf(inbound).find((c) => str(c, 'email') === email) : undefined;
  if (state.features.v284 && !client) throw new GoError(sprintln('Client Not Found In Inbound For Email:', email));
  return { row, client };
}

function getClientTraffics(ctx: XuiRouteContext, email: string): SimResponse {
  return guarded(ctx, 'trafficGetError', () => {
    const { row, client } = trafficByEmail(ctx, email);
    if (!row) return ctx.env.obj(null);
    const out = trafficJson(row, ctx.state.features, client);
    if (ctx.state.features.trafficEnableQuirk && client) out.enable = client.enable === true;
    return ctx.env.obj(out);
  });
}

function resetClientTraffic(ctx: XuiRouteContext, idRaw: string, email: string): SimResponse {
  const { state } = ctx;
  return guarded(ctx, 'somethingWentWrong', () => {
    const id = parseId(idRaw);
    const { row } = trafficByEmail(ctx, email);
    if (!row) throw new GoError('record not found');
    row.up = 0;
    row.down = 0;
    row.enable = true;
    const inbound = state.inbounds.get(id);
    if (inbound) inbound.lastTrafficResetTime = state.clock.now();
    return ctx.env.ok('resetInboundClientTrafficSuccess');
  });
}

/** Classic client routes: present up to 3.0.x, 404 from 3.1. Undefined = unknown route. */
export function classicClientRoute(ctx: XuiRouteContext, req: SimRequest, seg: string[]): SimResponse | undefined {
  const { state } = ctx;
  const f = state.features;
  const m = req.method;
  const [a, b, c] = seg;
  if (m === 'GET' && a === 'getClientTraffics' && seg.length === 2) return getClientTraffics(ctx, b);
  if (m === 'GET' && a === 'getClientTrafficsById' && seg.length === 2) {
    const rows = [...state.traffic.values()].filter((r) => state.findEntries(r.email, true).some((l) => str(l.client, 'id') === b));
    return ctx.env.obj(rows.map((r) => {
      const entry = state.findEntries(r.email, true)[0]?.client;
      const out = trafficJson(r, f, entry);
      if (f.v294 && entry) out.enable = entry.enable === true;
      return out;
    }));
  }
  if (m === 'GET' && f.createBackup && a === 'createbackup' && seg.length === 1) return { status: 200 };
  if (m === 'GET' && f.linkRoutes && a === 'getSubLinks' && seg.length === 2) {
    const links: string[] = [];
    for (const ib of state.inboundList()) {
      for (const cl of state.clientsOf(ib)) if (str(cl, 'subId') === b) links.push(...ctx.linksFor(ib, str(cl, 'email'), ctx.host));
    }
    return ctx.env.obj(links);
  }
  if (m === 'GET' && f.linkRoutes && a === 'getClientLinks' && seg.length === 3) {
    const ib = state.inbounds.get(Number(b));
    return ctx.env.obj(ib ? ctx.linksFor(ib, c, ctx.host) : []);
  }
  if (m !== 'POST') return undefined;
  if (a === 'addClient' && seg.length === 1) return addClient(ctx, req);
  if (a === 'updateClient' && seg.length === 2) return updateClient(ctx, req, b);
  if (b === 'delClient' && seg.length === 3) return delClient(ctx, a, c);
  if (b === 'delClientByEmail' && seg.length === 3 && f.delClientByEmail) return delClientByEmail(ctx, a, c);
  if (b === 'resetClientTraffic' && seg.length === 3) return resetClientTraffic(ctx, a, c);
  if (a === 'resetAllClientTraffics' && seg.length === 2) {
    const id = Number(b);
    for (const row of state.traffic.values()) {
      if (id !== -1 && row.inboundId !== id) continue;
      row.up = 0;
      row.down = 0;
      row.enable = true;
    }
    return ctx.env.ok('resetInboundClientTrafficSuccess');
  }
  if (a === 'delDepletedClients' && seg.length === 2) {
    const id = Number(b);
    const now = state.clock.now();
    for (const row of [...state.traffic.values()]) {
      if (id !== -1 && row.inboundId !== id) continue;
      const depleted = (row.total > 0 && row.up + row.down >= row.total) || (row.expiryTime > 0 && row.expiryTime <= now);
      if (depleted) for (const loc of state.findEntries(row.email, true)) state.removeEntry(loc);
    }
    return ctx.env.ok('inboundClientDeleteSuccess');
  }
  if (a === 'clientIps' && seg.length === 2) return ctx.env.obj('No IP Record');
  if (a === 'clearClientIps' && seg.length === 2) return ctx.env.ok('logCleanSuccess');
  if (a === 'onlines' && seg.length === 1) return ctx.env.obj(state.lastOnlines);
  if (a === 'lastOnline' && seg.length === 1 && f.v27) {
    const out: Record<string, number> = {};
    for (const row of state.traffic.values()) if (row.lastOnline > 0) out[row.email] = row.lastOnline;
    return ctx.env.obj(out);
  }
  return undefined;
}
