/**
 * `{base}panel/api/inbounds/*` of the simulated 3x-ui: the inbound routes every version has
 * (`list` with `clientStats`, `get/:id` with `clientStats: null`, `add`, destructive
 * full-copy `update/:id`, `del/:id`, `setEnable` 2.9.4+, `:id/resetTraffic` 3.0.2+), dispatching
 * the classic client routes (2.x–3.0) to `xui.classic-routes.ts`; those answer 404 from 3.1.
 */
import type { SimRequest, SimResponse } from '../shared/sim-http';
import { GoError, goParse, sprintln } from './xui.go-json';
import { classicClientRoute } from './xui.classic-routes';
import { readBody } from './xui.request';
import { bindInbound, findInbound, guarded, keyCheck, parseId, type XuiRouteContext } from './xui.route-kit';
import { defaultInboundSettings, num, str, type RawClient, type XuiInbound } from './xui.state';
import { clientStatsOf, inboundJson } from './xui.wire';

function tagFor(listen: string, port: number): string {
  return listen === '' || listen === '0.0.0.0' || listen === '::' || listen === '::0' ? `inbound-${port}` : `inbound-${listen}:${port}`;
}

function portTaken(ctx: XuiRouteContext, listen: string, port: number, exceptId: number): boolean {
  for (const ib of ctx.state.inbounds.values()) {
    if (ib.id === exceptId || ib.port !== port) continue;
    const anyA = listen === '' || listen === '0.0.0.0' || listen === '::';
    const anyB = ib.listen === '' || ib.listen === '0.0.0.0' || ib.listen === '::';
    if (anyA || anyB || ib.listen === listen) return true;
  }
  return false;
}

function parseColumn(text: unknown): Record<string, unknown> | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  const v = goParse(text);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function addInbound(ctx: XuiRouteContext, req: SimRequest): SimResponse {
  const { state } = ctx;
  const features = state.features;
  let data: Record<string, unknown>;
  try {
    data = bindInbound(ctx, req);
  } catch (err) {
    if (err instanceof GoError) return ctx.env.fail('inboundCreateSuccess', err.message);
    throw err;
  }
  return guarded(ctx, 'inboundCreateSuccess', () => {
    const port = num(data, 'port');
    const listen = str(data, 'listen');
    if (portTaken(ctx, listen, port, 0)) throw new GoError(sprintln('Port already exists:', port));
    const protocol = str(data, 'protocol');
    const settings = parseColumn(data.settings) ?? defaultInboundSettings(protocol);
    const clients = Array.isArray(settings.clients) ? (settings.clients as RawClient[]) : [];
    const dup = state.duplicateEmail(clients);
    if (dup !== '') throw new GoError(sprintln('Duplicate email:', dup));
    for (const c of clients) keyCheck(protocol, c);
    const now = state.clock.now();
    for (const c of clients) {
      if (num(c, 'created_at') === 0) c.created_at = now;
      c.updated_at = now;
    }
    const tag = str(data, 'tag');
    const inbound: XuiInbound = {
      id: state.allocInboundId(),
      userId: 1,
      up: num(data, 'up'),
      down: num(data, 'down'),
      total: num(data, 'total'),
      allTime: 0,
      remark: str(data, 'remark'),
      enable: data.enable === true,
      expiryTime: num(data, 'expiryTime'),
      trafficReset: str(data, 'trafficReset') || 'never',
      lastTrafficResetTime: 0,
      listen,
      port,
      protocol,
      settings,
      streamSettings: parseColumn(data.streamSettings),
      sniffing: parseColumn(data.sniffing),
      tag: features.alwaysRecomputeTag || tag === '' ? tagFor(listen, port) : tag,
    };
    state.inbounds.set(inbound.id, inbound);
    for (const c of clients) state.addTrafficRow(inbound.id, c);
    return ctx.env.ok('inboundCreateSuccess', inboundJson(inbound, features, null));
  });
}

function updateInbound(ctx: XuiRouteContext, req: SimRequest, idRaw: string): SimResponse {
  const { state } = ctx;
  let data: Record<string, unknown>;
  try {
    parseId(idRaw);
    data = bindInbound(ctx, req);
  } catch (err) {
    if (err instanceof GoError) return ctx.env.fail('inboundUpdateSuccess', err.message);
    throw err;
  }
  return guarded(ctx, 'inboundUpdateSuccess', () => {
    const id = parseId(idRaw);
    const old = findInbound(ctx, id);
    const port = num(data, 'port');
    const listen = str(data, 'listen');
    if (portTaken(ctx, listen, port, id)) throw new GoError(sprintln('Port already exists:', port));
    const protocol = str(data, 'protocol');
    const settings = parseColumn(data.settings) ?? {};
    const newClients = Array.isArray(settings.clients) ? (settings.clients as RawClient[]) : [];
    const oldEmails = new Set(state.clientsOf(old).map((c) => str(c, 'email')).filter((e) => e !== ''));
    const newEmails = new Set(newClients.map((c) => str(c, 'email')).filter((e) => e !== ''));
    for (const e of newEmails) {
      if (oldEmails.has(e)) continue;
      const row = state.traffic.get(e);
      if (row && row.inboundId !== id) throw new GoError('UNIQUE constraint failed: client_traffics.email');
    }
    // Every column is copied from the request: what the caller omitted is zeroed (PANELS.md C #9).
    Object.assign(old, {
      up: num(data, 'up'),
      down: num(data, 'down'),
      total: num(data, 'total'),
      remark: str(data, 'remark'),
      enable: data.enable === true,
      expiryTime: num(data, 'expiryTime'),
      trafficReset: str(data, 'trafficReset'),
      listen,
      port,
      protocol,
      settings,
      streamSettings: parseColumn(data.streamSettings),
      sniffing: parseColumn(data.sniffing),
      tag: state.features.alwaysRecomputeTag || str(data, 'tag') === '' ? tagFor(listen, port) : str(data, 'tag'),
    });
    for (const e of oldEmails) {
      if (!newEmails.has(e) && !state.emailUsedElsewhere(e, id)) state.traffic.delete(e);
    }
    for (const c of newClients) {
      const e = str(c, 'email');
      if (e === '') continue;
      if (state.traffic.has(e)) state.updateTrafficRow(e, c);
      else state.addTrafficRow(id, c);
    }
    return ctx.env.ok('inboundUpdateSuccess', inboundJson(old, state.features, null));
  });
}

/**
 * Dispatches `{base}panel/api/inbounds/<seg...>` (already authenticated). Returns undefined for
 * an unknown route (the caller answers 404 empty).
 */
export function handleInboundRoutes(ctx: XuiRouteContext, req: SimRequest, seg: string[]): SimResponse | undefined {
  const { state } = ctx;
  const f = state.features;
  const m = req.method;
  const [a, b] = seg;
  if (m === 'GET' && a === 'list' && seg.length === 1) {
    return ctx.env.obj(state.inboundList().map((ib) => inboundJson(ib, f, clientStatsOf(state, ib))));
  }
  if (m === 'GET' && a === 'get' && seg.length === 2) {
    return guarded(ctx, 'obtain', () => ctx.env.obj(inboundJson(findInbound(ctx, parseId(b)), f, null)));
  }
  if (m === 'POST' && a === 'add' && seg.length === 1) return addInbound(ctx, req);
  if (m === 'POST' && a === 'update' && seg.length === 2) return updateInbound(ctx, req, b);
  if (m === 'POST' && a === 'del' && seg.length === 2) {
    return guarded(ctx, 'inboundDeleteSuccess', () => {
      const inbound = findInbound(ctx, parseId(b));
      for (const c of [...state.clientsOf(inbound)]) state.removeEntry({ inbound, client: c, index: 0 });
      state.inbounds.delete(inbound.id);
      return ctx.env.ok('inboundDeleteSuccess', inbound.id);
    });
  }
  if (m === 'POST' && a === 'setEnable' && seg.length === 2 && f.v294) {
    return guarded(ctx, 'inboundUpdateSuccess', () => {
      const inbound = findInbound(ctx, parseId(b));
      const body = readBody(req);
      const enable = body.kind === 'json' ? (body.value as { enable?: unknown } | null)?.enable : body.form.get('enable') === 'true';
      inbound.enable = enable === true;
      return ctx.env.ok('inboundUpdateSuccess');
    });
  }
  if (m === 'POST' && seg.length === 2 && b === 'resetTraffic' && (f.clientRoutes || f.logoutPost)) {
    return guarded(ctx, 'somethingWentWrong', () => {
      const inbound = findInbound(ctx, parseId(a));
      inbound.up = 0;
      inbound.down = 0;
      return ctx.env.ok('resetInboundClientTrafficSuccess');
    });
  }
  if (m === 'POST' && a === 'resetAllTraffics' && seg.length === 1) {
    for (const ib of state.inbounds.values()) {
      ib.up = 0;
      ib.down = 0;
    }
    return ctx.env.ok('resetInboundClientTrafficSuccess');
  }
  if (f.clientRoutes) return undefined;
  return classicClientRoute(ctx, req, seg);
}
