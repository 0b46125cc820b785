/**
 * `{base}panel/api/clients/*` of the simulated 3x-ui 3.1+ (PANELS.md B.8): clients keyed by
 * email, JSON bodies only (`ShouldBindJSON` into `model.Client`, whose fields and Go types follow
 * the release: e.g. 3.5+ `allowedIPs` is a list there but CSV text in the record JSON), full-replace
 * update that keeps stored secrets and subId when omitted, forced `enable:true` on add,
 * `email already in use` / `subId already in use`, `resetTraffic` re-enabling the record from 3.4.
 *
 * The simulator derives each client record from the inbound `settings.clients[]` entries that
 * carry the email (the real panel keeps a `clients` table in sync with them); a client detached
 * from every inbound therefore disappears instead of lingering as an orphan record.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse } from '../shared/sim-http';
import { bindJsonStruct, GoError, sprintln, zeroOf, type GoFieldKind, type GoStruct } from './xui.go-json';
import type { XuiFeatures } from './xui.profile';
import type { XuiRouteContext } from './xui.route-kit';
import { readJsonBody } from './xui.request';
import { clientKeyField, num, str, type ClientLocation, type RawClient, type XuiInbound, type XuiState } from './xui.state';
import { trafficJson } from './xui.wire';

/** `model.Client` as G6 binds it (fields per release); the stored entry keeps these keys in this order. */
function clientStruct(f: XuiFeatures): GoStruct {
  const fields: Record<string, GoFieldKind> = {
    id: 'string',
    security: 'string',
    password: 'string',
    flow: 'string',
    reverse: 'object',
    auth: 'string',
  };
  if (f.wireguardClientFields) {
    Object.assign(fields, {
      privateKey: 'string',
      publicKey: 'string',
      allowedIPs: 'stringList',
      preSharedKey: 'string',
      keepAlive: 'int',
      secret: 'string',
      adTag: 'string',
    });
  }
  Object.assign(fields, { email: 'string', limitIp: 'int', totalGB: 'int64', expiryTime: 'int64', enable: 'bool', tgId: 'int64', subId: 'string' });
  if (f.clientGroup) fields.group = 'string';
  Object.assign(fields, { comment: 'string', reset: 'int', created_at: 'int64', updated_at: 'int64' });
  return { name: 'Client', fields };
}

// `omitempty` fields of model.Client that only carry a value for some protocols.
const OMIT_EMPTY = new Set(['reverse', 'privateKey', 'publicKey', 'allowedIPs', 'preSharedKey', 'keepAlive', 'secret', 'adTag', 'group']);

const INBOUND_IDS: GoStruct = { name: 'attachDetachBody', fields: { inboundIds: 'intList' } };

/** A bound client with every field present (Go zero values for the omitted ones, `omitempty` ones dropped). */
function fullClient(struct: GoStruct, bound: Record<string, unknown>): RawClient {
  const out: RawClient = {};
  for (const [k, kind] of Object.entries(struct.fields)) {
    const v = k in bound ? bound[k] : zeroOf(kind);
    if (OMIT_EMPTY.has(k) && (v === null || v === '' || v === 0 || (Array.isArray(v) && v.length === 0))) continue;
    out[k] = v;
  }
  if (out.created_at === 0) delete out.created_at;
  if (out.updated_at === 0) delete out.updated_at;
  return out;
}

/** Older UIs send `tgId: ""`; the G6 model tolerates it. */
function tolerant(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && (value as RawClient).tgId === '') {
    const copy = { ...(value as RawClient) };
    delete copy.tgId;
    return copy;
  }
  return value;
}

function forbidden(s: string): boolean {
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '/' || ch === '\\' || ch === ' ' || code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function validateIdentity(client: RawClient): void {
  const email = str(client, 'email');
  if (email.trim() === '') throw new GoError(sprintln('client email is required'));
  if (forbidden(email)) throw new GoError(sprintln('client email contains an invalid character:', email));
  const subId = str(client, 'subId');
  if (forbidden(subId)) throw new GoError(sprintln('client subId contains an invalid character:', subId));
}

/** `fillProtocolDefaults` + `clientWithInboundFlow`: the copy of a client one inbound stores. */
function forInbound(client: RawClient, inbound: XuiInbound): RawClient {
  const c: RawClient = { ...client };
  switch (inbound.protocol) {
    case 'vless':
    case 'vmess':
      if (str(c, 'id') === '') c.id = randomUUID();
      break;
    case 'trojan':
      if (str(c, 'password') === '') c.password = randomBytes(16).toString('hex');
      break;
    case 'shadowsocks': {
      // A 2022-blake3 inbound needs a base64 key of its exact size; anything else is replaced.
      const method = typeof inbound.settings.method === 'string' ? inbound.settings.method : '';
      const size = method === '2022-blake3-aes-128-gcm' ? 16 : method.startsWith('2022-blake3-') ? 32 : 0;
      const pw = str(c, 'password');
      const decoded = Buffer.from(pw, 'base64');
      const valid = size === 0 ? pw !== '' : decoded.length === size && decoded.toString('base64') === pw;
      if (!valid) c.password = size > 0 ? randomBytes(size).toString('base64') : randomBytes(16).toString('hex');
      break;
    }
    case 'hysteria':
    case 'hysteria2':
      if (str(c, 'auth') === '') c.auth = randomBytes(16).toString('hex');
      break;
  }
  const stream = inbound.streamSettings ?? {};
  const flowCapable = inbound.protocol === 'vless' && stream.network === 'tcp' && (stream.security === 'tls' || stream.security === 'reality');
  if (!flowCapable) c.flow = '';
  return c;
}

/** The exact-email (SQL `=`) entries of a client, in inbound order. */
function entriesOf(state: XuiState, email: string): ClientLocation[] {
  return state.findEntries(email, true);
}

/** ClientRecord JSON derived from a client's entries, with the fields of the release. */
function recordJson(state: XuiState, email: string, locs: ClientLocation[]): Record<string, unknown> {
  const first = locs[0].client;
  const f = state.features;
  const pick = (key: string): string => locs.map((l) => str(l.client, key)).find((v) => v !== '') ?? '';
  const meta = state.recordMetaOf(email);
  const reverse = locs.map((l) => l.client.reverse).find((v) => v !== null && typeof v === 'object') ?? null;
  const out: Record<string, unknown> = {
    id: meta.id,
    email: str(first, 'email'),
    subId: str(first, 'subId'),
    uuid: pick('id'),
    password: pick('password'),
    auth: pick('auth'),
    flow: pick('flow'),
    security: str(first, 'security'),
    reverse,
  };
  if (f.wireguardClientFields) {
    // The record stores the allowed IPs as comma-separated text and emits them that way.
    const allowed = locs.map((l) => l.client.allowedIPs).find((v) => Array.isArray(v) && v.length > 0);
    Object.assign(out, {
      privateKey: pick('privateKey'),
      publicKey: pick('publicKey'),
      allowedIPs: Array.isArray(allowed) ? allowed.join(',') : '',
      preSharedKey: pick('preSharedKey'),
      keepAlive: num(first, 'keepAlive'),
      secret: pick('secret'),
      adTag: pick('adTag'),
    });
  }
  Object.assign(out, {
    limitIp: num(first, 'limitIp'),
    totalGB: num(first, 'totalGB'),
    expiryTime: num(first, 'expiryTime'),
    enable: first.enable === true,
    tgId: num(first, 'tgId'),
  });
  if (f.clientGroup) out.group = str(first, 'group');
  Object.assign(out, {
    comment: str(first, 'comment'),
    reset: num(first, 'reset'),
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
  });
  return out;
}

/** All clients grouped by exact email, in first-seen order. */
function allClients(state: XuiState): Map<string, ClientLocation[]> {
  const out = new Map<string, ClientLocation[]>();
  for (const inbound of state.inboundList()) {
    state.clientsOf(inbound).forEach((client, index) => {
      const email = str(client, 'email');
      if (email === '') return;
      const list = out.get(email) ?? [];
      list.push({ inbound, client, index });
      out.set(email, list);
    });
  }
  return out;
}

function listClients(ctx: XuiRouteContext): SimResponse {
  const { state } = ctx;
  const rows: Record<string, unknown>[] = [];
  for (const [email, locs] of allClients(state)) {
    const row = recordJson(state, email, locs);
    row.inboundIds = locs.map((l) => l.inbound.id);
    const t = state.traffic.get(email);
    if (t) row.traffic = trafficJson(t, state.features, locs[0].client);
    rows.push(row);
  }
  return ctx.env.obj(rows);
}

/**
 * Appends a client to an inbound the way `addInboundClient` does, with the G5+ email rule. An
 * inbound that already holds the email is skipped (`attach`, and `add` on 3.5+), refused (`add` on
 * 3.1.0–3.2.7) or gets a second copy (`add` on 3.2.8–3.4.x), as the releases do.
 */
function appendToInbound(state: XuiState, inbound: XuiInbound, client: RawClient, known: Map<string, string>, reAdd: XuiFeatures['sameInboundReAdd'] = 'skip'): void {
  const email = str(client, 'email');
  if (state.clientsOf(inbound).some((c) => str(c, 'email').toLowerCase() === email.toLowerCase())) {
    if (reAdd === 'skip') return;
    if (reAdd === 'unique-error') throw new GoError('UNIQUE constraint failed: client_inbounds.client_id, client_inbounds.inbound_id');
    const now = state.clock.now();
    state.clientsOf(inbound).push({ ...client, created_at: num(client, 'created_at') || now, updated_at: now });
    return;
  }
  const dup = state.duplicateEmail([client], known);
  if (dup !== '') throw new GoError(sprintln('Duplicate email:', dup));
  if (str(client, clientKeyField(inbound.protocol)) === '') throw new GoError(sprintln('empty client ID'));
  const now = state.clock.now();
  const entry = { ...client, created_at: num(client, 'created_at') || now, updated_at: now };
  state.clientsOf(inbound).push(entry);
  state.addTrafficRow(inbound.id, entry);
}

function create(ctx: XuiRouteContext, req: SimRequest): SimResponse {
  const { state } = ctx;
  const payload = readJsonBody(req);
  const obj = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  const struct = clientStruct(state.features);
  const client = fullClient(struct, bindJsonStruct(struct, tolerant(obj.client)));
  const { inboundIds } = bindJsonStruct(INBOUND_IDS, { inboundIds: obj.inboundIds ?? null }) as { inboundIds?: number[] };
  validateIdentity(client);
  if (!inboundIds || inboundIds.length === 0) throw new GoError(sprintln('at least one inbound is required'));
  if (str(client, 'subId') === '') client.subId = randomUUID();
  client.enable = true;
  const email = str(client, 'email');
  const existing = entriesOf(state, email);
  if (existing.length > 0) {
    const stored = existing[0].client;
    if (str(stored, 'subId') === '' || str(stored, 'subId') !== str(client, 'subId')) {
      throw new GoError(sprintln('email already in use:', email));
    }
    for (const k of ['id', 'password', 'auth']) if (str(client, k) === '') client[k] = str(stored, k);
  }
  const subOwner = [...allClients(state).keys()].find(
    (e) => e !== email && entriesOf(state, e).some((l) => str(l.client, 'subId') === str(client, 'subId')),
  );
  if (subOwner !== undefined) throw new GoError(sprintln('subId already in use:', str(client, 'subId')));
  const known = state.emailSubIds();
  for (const id of inboundIds) {
    const inbound = state.inbounds.get(id);
    if (!inbound) throw new GoError('record not found');
    const copy = forInbound(client, inbound);
    for (const k of ['id', 'password', 'auth']) if (str(client, k) === '' && str(copy, k) !== '') client[k] = copy[k];
    appendToInbound(state, inbound, copy, known, state.features.sameInboundReAdd);
  }
  state.recordMetaOf(email);
  return ctx.env.ok('inboundClientAddSuccess');
}

function update(ctx: XuiRouteContext, req: SimRequest, email: string): SimResponse {
  const { state } = ctx;
  if (email === '') throw new GoError(sprintln('client email is required'));
  const locs = entriesOf(state, email);
  if (locs.length === 0) throw new GoError('record not found');
  const struct = clientStruct(state.features);
  const next = fullClient(struct, bindJsonStruct(struct, tolerant(readJsonBody(req))));
  validateIdentity(next);
  const stored = locs[0].client;
  const kept = state.features.updateKeepsSecrets ? ['subId', 'id', 'password', 'auth'] : ['subId'];
  for (const k of kept) if (str(next, k) === '') next[k] = str(stored, k);
  const newEmail = str(next, 'email');
  if (newEmail !== email && entriesOf(state, newEmail).length > 0) throw new GoError(sprintln('Duplicate email:', newEmail));
  if (str(next, 'subId') !== str(stored, 'subId')) {
    const taken = [...allClients(state).entries()].some(
      ([e, ls]) => e !== email && ls.some((l) => str(l.client, 'subId') === str(next, 'subId')),
    );
    if (taken) throw new GoError(sprintln('Duplicate subId:', str(next, 'subId')));
  }
  const filterRaw = req.query.get('inboundIds');
  const filter = filterRaw ? filterRaw.split(',').map((s) => Number(s.trim())) : null;
  const now = state.clock.now();
  const updated = new Set<number>();
  for (const loc of locs) {
    if (filter && !filter.includes(loc.inbound.id)) continue;
    // `UpdateInboundClient` replaces the first copy in each inbound only (a second copy stays as it was).
    if (updated.has(loc.inbound.id)) continue;
    updated.add(loc.inbound.id);
    const entry = forInbound(next, loc.inbound);
    entry.created_at = loc.client.created_at ?? now;
    entry.updated_at = now;
    const clients = state.clientsOf(loc.inbound);
    clients[clients.indexOf(loc.client)] = entry;
  }
  state.updateTrafficRow(email, next);
  const meta = state.recordMetaOf(email);
  meta.updatedAt = now;
  if (newEmail !== email) {
    state.recordMeta.delete(email.toLowerCase());
    state.recordMeta.set(newEmail.toLowerCase(), meta);
  }
  return ctx.env.ok('inboundClientUpdateSuccess');
}

function del(ctx: XuiRouteContext, req: SimRequest, email: string): SimResponse {
  const { state } = ctx;
  if (email === '') throw new GoError(sprintln('client email is required'));
  let locs = entriesOf(state, email);
  if (locs.length === 0) locs = state.findEntries(email);
  if (locs.length === 0) throw new GoError(sprintln(`client "${email}" not found in any inbound or client record`));
  const keepTraffic = req.query.get('keepTraffic') === '1';
  for (const loc of locs) {
    const clients = state.clientsOf(loc.inbound);
    const i = clients.indexOf(loc.client);
    if (i >= 0) clients.splice(i, 1);
  }
  if (!keepTraffic) state.deleteTrafficCaseInsensitive(email);
  state.online.delete(email);
  state.recordMeta.delete(email.toLowerCase());
  return ctx.env.ok('inboundClientDeleteSuccess');
}

function attachDetach(ctx: XuiRouteContext, req: SimRequest, email: string, attach: boolean): SimResponse {
  const { state } = ctx;
  const locs = entriesOf(state, email);
  if (locs.length === 0) throw new GoError('record not found');
  const { inboundIds = [] } = bindJsonStruct(INBOUND_IDS, readJsonBody(req)) as { inboundIds?: number[] };
  if (attach) {
    const base = { ...locs[0].client };
    const known = state.emailSubIds();
    for (const id of inboundIds) {
      if (locs.some((l) => l.inbound.id === id)) continue;
      const inbound = state.inbounds.get(id);
      if (!inbound) throw new GoError('record not found');
      appendToInbound(state, inbound, forInbound(base, inbound), known);
    }
    return ctx.env.ok('inboundClientAddSuccess');
  }
  for (const loc of locs) {
    if (!inboundIds.includes(loc.inbound.id)) continue;
    const clients = state.clientsOf(loc.inbound);
    clients.splice(clients.indexOf(loc.client), 1);
  }
  return ctx.env.ok('inboundClientDeleteSuccess');
}

function resetTraffic(ctx: XuiRouteContext, email: string): SimResponse {
  const { state } = ctx;
  const locs = entriesOf(state, email);
  if (locs.length === 0) throw new GoError('record not found');
  // 3.4+ re-enables the client record (and its settings copies) first; before, only the
  // traffic row is re-enabled and a client the panel disabled stays disabled.
  if (state.features.resetEnablesRecord) for (const loc of locs) loc.client.enable = true;
  const row = state.traffic.get(email);
  if (row) {
    row.up = 0;
    row.down = 0;
    row.enable = true;
  }
  return ctx.env.ok('resetInboundClientTrafficSuccess');
}

function dispatch(ctx: XuiRouteContext, req: SimRequest, seg: string[]): SimResponse | undefined {
  const { state } = ctx;
  const [a, b, c] = seg;
  if (req.method === 'GET') {
    if (a === 'list' && seg.length === 1) return listClients(ctx);
    if (a === 'get' && seg.length === 2) {
      const locs = entriesOf(state, b);
      if (locs.length === 0) return ctx.env.fail('obtain', 'record not found');
      const t = state.traffic.get(b);
      return ctx.env.obj({
        client: recordJson(state, b, locs),
        inboundIds: locs.map((l) => l.inbound.id),
        externalLinks: [],
        usedTraffic: t ? t.up + t.down : 0,
      });
    }
    if (a === 'traffic' && seg.length === 2) {
      const t = state.traffic.get(b);
      return ctx.env.obj(t ? trafficJson(t, state.features, entriesOf(state, b)[0]?.client) : null);
    }
    if (a === 'links' && seg.length === 2) {
      return ctx.env.obj(entriesOf(state, b).flatMap((l) => ctx.linksFor(l.inbound, b, ctx.host)));
    }
    if (a === 'subLinks' && seg.length === 2) {
      const links: string[] = [];
      for (const [email, locs] of allClients(state)) {
        for (const l of locs) if (str(l.client, 'subId') === b) links.push(...ctx.linksFor(l.inbound, email, ctx.host));
      }
      return ctx.env.obj(links);
    }
    return undefined;
  }
  if (req.method !== 'POST') return undefined;
  if (a === 'add' && seg.length === 1) return create(ctx, req);
  if (a === 'update' && seg.length === 2) return update(ctx, req, b);
  if (a === 'del' && seg.length === 2) return del(ctx, req, b);
  if (seg.length === 2 && (b === 'attach' || b === 'detach')) return attachDetach(ctx, req, a, b === 'attach');
  if (a === 'resetTraffic' && seg.length === 2) return resetTraffic(ctx, b);
  if (a === 'updateTraffic' && seg.length === 2) {
    const body = readJsonBody(req) as { upload?: unknown; download?: unknown } | null;
    const row = state.traffic.get(b);
    if (row) {
      row.up = typeof body?.upload === 'number' ? body.upload : 0;
      row.down = typeof body?.download === 'number' ? body.download : 0;
    }
    return ctx.env.ok('inboundClientUpdateSuccess');
  }
  if (a === 'onlines' && seg.length === 1) return ctx.env.obj(state.lastOnlines ?? []);
  if (a === 'lastOnline' && seg.length === 1) {
    const out: Record<string, number> = {};
    for (const row of state.traffic.values()) if (row.lastOnline > 0) out[row.email] = row.lastOnline;
    return ctx.env.obj(out);
  }
  if (a === 'ips' && seg.length === 2) return ctx.env.obj('No IP Record');
  if (a === 'clearIps' && seg.length === 2) return ctx.env.ok('logCleanSuccess');
  void c;
  return undefined;
}

/**
 * Dispatches `{base}panel/api/clients/<seg...>` (already authenticated; G6 only). Every failure
 * is `Something went wrong (<error>)` except `get`, which says `Obtain (…)`.
 */
export function handleClientRoutes(ctx: XuiRouteContext, req: SimRequest, seg: string[]): SimResponse | undefined {
  try {
    return dispatch(ctx, req, seg);
  } catch (err) {
    if (err instanceof GoError) return ctx.env.fail('somethingWentWrong', err.message);
    throw err;
  }
}
