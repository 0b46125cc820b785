/**
 * `{base}panel/api/inbounds/*` of the simulated 3x-ui (PANELS.md B.5, B.7): the classic client
 * API of 2.x–3.0 with `settings` as JSON text, and the inbound routes that G6 keeps (where the
 * classic client routes answer 404).
 *
 * Processing order, messages and the quirks (binding error with a success-text prefix, HTTP 500
 * on `settings` without `clients`, "no client remained in Inbound", full-replace updateClient,
 * version-dependent unknown-client behaviour) follow the Go source of each release.
 */
import type { SimRequest, SimResponse } from '../shared/sim-http';
import { bindFormStruct, bindJsonStruct, GoError, goParse, sprintln, type GoStruct } from './xui.go-json';
import { readBody } from './xui.request';
import {
  clientKeyField,
  defaultInboundSettings,
  num,
  str,
  type RawClient,
  type XuiInbound,
  type XuiState,
  type XuiTrafficRow,
} from './xui.state';
import { clientStatsOf, emptyResponse, type Envelopes, inboundJson, trafficJson } from './xui.wire';
import type { XuiTextKey } from './xui.profile';

/** What the route handlers need. */
export interface XuiRouteContext {
  state: XuiState;
  env: Envelopes;
  /** Share links of one client on one inbound for a request host (`getClientLinks`/`getSubLinks`). */
  linksFor(inbound: XuiInbound, email: string, host: string): string[];
  /** Host of the request (for links). */
  host: string;
}

const INT = 'int' as const;
const I64 = 'int64' as const;
const STR = 'string' as const;

/** The `model.Inbound` binding target; G6 accepts objects for the JSON columns. */
function inboundStruct(jsonColumnsAsText: boolean): GoStruct {
  const col = jsonColumnsAsText ? ('jsonText' as const) : STR;
  return {
    name: 'Inbound',
    fields: {
      id: INT,
      up: I64,
      down: I64,
      total: I64,
      allTime: I64,
      remark: STR,
      enable: 'bool',
      expiryTime: I64,
      trafficReset: STR,
      lastTrafficResetTime: I64,
      listen: STR,
      port: INT,
      protocol: STR,
      settings: col,
      streamSettings: col,
      tag: STR,
      sniffing: col,
    },
  };
}

/** A server panic: gin Recovery answers 500 with an empty body. */
class Panic extends Error {}

function bindInbound(ctx: XuiRouteContext, req: SimRequest): Record<string, unknown> {
  const struct = inboundStruct(ctx.state.features.clientRoutes);
  const body = readBody(req);
  return body.kind === 'json' ? bindJsonStruct(struct, body.value) : bindFormStruct(struct, body.form);
}

/** `settings` text → its `clients` array, panicking like `settings["clients"].([]any)` does. */
function clientsFromSettings(settingsText: unknown): { settings: Record<string, unknown>; clients: RawClient[] } {
  const parsed = goParse(typeof settingsText === 'string' ? settingsText : '');
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Panic();
  const settings = parsed as Record<string, unknown>;
  if (!Array.isArray(settings.clients)) throw new Panic();
  const clients = (settings.clients as unknown[]).filter(
    (c): c is RawClient => c !== null && typeof c === 'object' && !Array.isArray(c),
  );
  return { settings, clients };
}

function parseId(raw: string | undefined): number {
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) throw new GoError(`strconv.Atoi: parsing "${raw ?? ''}": invalid syntax`);
  return Number(raw);
}

function findInbound(ctx: XuiRouteContext, id: number): XuiInbound {
  const inbound = ctx.state.inbounds.get(id);
  if (!inbound) throw new GoError('record not found');
  return inbound;
}

/** Runs a handler, turning GoErrors into `<text> (<err>)` envelopes and panics into 500. */
function guarded(ctx: XuiRouteContext, key: XuiTextKey | string, fn: () => SimResponse): SimResponse {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Panic) return emptyResponse(500);
    if (err instanceof GoError) {
      return key in XUI_KEYS ? ctx.env.fail(key as XuiTextKey, err.message) : ctx.env.failText(key, err.message);
    }
    throw err;
  }
}

const XUI_KEYS: Record<string, true> = {
  somethingWentWrong: true,
  inboundUpdateSuccess: true,
  inboundCreateSuccess: true,
  inboundDeleteSuccess: true,
  obtain: true,
  trafficGetError: true,
};

function keyCheck(protocol: string, client: RawClient): void {
  if (str(client, clientKeyField(protocol)) === '') throw new GoError(sprintln('empty client ID'));
}

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

/** Classic client routes: present up to 3.0.x, 404 from 3.1. */
function classicClientRoute(ctx: XuiRouteContext, req: SimRequest, seg: string[]): SimResponse | undefined {
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
