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
import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse } from '../shared/sim-http';
import { allClients, clientStruct, entriesOf, forInbound, fullClient, INBOUND_IDS, recordJson, tolerant, validateIdentity } from './xui.client-records';
import { bindJsonStruct, GoError, sprintln } from './xui.go-json';
import type { XuiFeatures } from './xui.profile';
import type { XuiRouteContext } from './xui.route-kit';
import { readJsonBody } from './xui.request';
import { clientKeyField, num, str, type RawClient, type XuiInbound, type XuiState } from './xui.state';
import { trafficJson } from './xui.wire';

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
