/**
 * The 3x-ui simulator: an in-process HTTP double of one 3x-ui panel (PANELS.md Part B, D.1,
 * D.3) in a selectable version profile, plus its subscription listener and test hooks.
 *
 * Routing under the web base path (anything else is a bare 404, like gin's NoRoute):
 * - `GET {base}` login page (v2 pages carry the version as `custom.min.css?<version>`),
 *   `POST {base}login`, logout, `GET {base}csrf-token` (3.0+), `GET {base}panel/` (the panel page:
 *   v3 injects `window.X_UI_CUR_VER`);
 * - `{base}panel/api/inbounds/*` (classic; client routes 404 from 3.1), `{base}panel/api/clients/*`
 *   (3.1+), `{base}panel/api/server/status` (2.7+; `panelVersion` from 3.1), `POST {base}server/status` (≤2.6);
 * - `/__sim/*` control plane at the root (see `shared/sim-http.ts`) with the hooks below.
 *
 * Version discovery, as the real panel allows it: `server/status` `obj.panelVersion` (3.1+), else
 * the panel page after login (`X_UI_CUR_VER`, 3.0.x), else the v2 login page's asset links.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  handleControlRequest,
  SimClock,
  startSimServer,
  type SimRequest,
  type SimResponse,
  type SimServerHandle,
} from '../shared/sim-http';
import { XuiAuth } from './xui.auth';
import { handleInboundRoutes } from './xui.inbound-routes';
import type { XuiRouteContext } from './xui.route-kit';
import { handleClientRoutes } from './xui.client-routes';
import { handleSubscription, linksForRoute, type SubOptions } from './xui.links';
import { XUI_DEFAULT_VERSIONS, xuiFeatures, type XuiFeatures, type XuiProfile } from './xui.profile';
import { header, isXhr, segments } from './xui.request';
import {
  defaultInboundSettings,
  num,
  str,
  XuiState,
  type RawClient,
  type TrafficRate,
  type XuiInbound,
  type XuiTrafficRow,
} from './xui.state';
import { emptyResponse, Envelopes, jsonResponse } from './xui.wire';

/** Options of {@link startXuiSimulator}. */
export interface XuiSimulatorOptions {
  /** Panel port; default 0 (random free port). */
  port?: number;
  profile: XuiProfile;
  /** Override the version the profile plays (e.g. `1.8.1`, `2.8.11`); behaviour follows the version. */
  version?: string;
  /** Web base path, `/…/`; default a random-looking `/<10 chars>/` like the install script makes. */
  basePath?: string;
  /** Subscription listener port; default 0 (random free port). */
  subPort?: number;
  /** Default `admin`. */
  username?: string;
  /** Default `admin`. */
  password?: string;
  /** Session lifetime in ms (the panel's `sessionMaxAge`, minutes there); default 6 h; 0 = no expiry. */
  sessionMaxAgeMs?: number;
  /** Bearer tokens accepted (3.0+; ignored before). */
  apiTokens?: string[];
  clock?: SimClock;
  /** 3.0+: whether `server/getPanelUpdateInfo` succeeds (the real one needs GitHub); default false. */
  updateCheckReachable?: boolean;
  /** Subscription settings. */
  sub?: Partial<Pick<SubOptions, 'subPath' | 'remarkModel' | 'showInfo' | 'encrypt' | 'title' | 'updateIntervalHours'>>;
}

/** Input of {@link XuiSimulator.addInbound}. */
export interface XuiInboundInput {
  protocol: 'vless' | 'vmess' | 'trojan' | 'shadowsocks' | string;
  port: number;
  remark?: string;
  listen?: string;
  enable?: boolean;
  total?: number;
  expiryTime?: number;
  /** Default per protocol (`defaultInboundSettings`); `clients` inside are added as given. */
  settings?: Record<string, unknown>;
  /** Default `{network:'tcp',security:'none',tcpSettings:{header:{type:'none'}}}`. */
  streamSettings?: Record<string, unknown> | null;
  sniffing?: Record<string, unknown> | null;
}

/** A client for {@link XuiSimulator.seedClients}: settings fields plus optional starting counters. */
export type XuiSeedClient = RawClient & { email: string; up?: number; down?: number };

/** What {@link XuiSimulator.state} returns (deep copies). */
export interface XuiStateDump {
  inbounds: Array<Omit<XuiInbound, 'userId'>>;
  /** Every `settings.clients[]` entry with the id of its inbound. */
  clients: Array<RawClient & { inboundId: number }>;
  /** `client_traffics` rows. */
  clientStats: XuiTrafficRow[];
}

/** A running 3x-ui simulator. */
export interface XuiSimulator {
  /** Panel URL including the base path, ending with `/` (e.g. `http://127.0.0.1:2053/AbC12xYz/`). */
  url: string;
  /** Subscription base, ending with the sub path (e.g. `http://127.0.0.1:2096/sub/`): `${subUrl}${subId}`. */
  subUrl: string;
  server: SimServerHandle;
  subServer: SimServerHandle;
  clock: SimClock;
  profile: XuiProfile;
  /** The version string the panel reports. */
  version: string;
  features: XuiFeatures;
  basePath: string;
  username: string;
  password: string;
  /** Bearer tokens accepted (empty before 3.0). */
  apiTokens: readonly string[];
  /** Deep copy of the database. */
  state(): XuiStateDump;
  /** Adds an inbound directly (no auth); returns its id. */
  addInbound(input: XuiInboundInput): number;
  /** Bulk-creates clients on an inbound in-process (benchmarks); a number makes `seed-00001…` clients. Returns the emails. */
  seedClients(inboundId: number, clients: number | XuiSeedClient[], prefix?: string): string[];
  /** Sets fields of every settings entry of a client (e.g. `tgId`, `comment`, `flow` set by an admin). */
  patchClient(email: string, patch: RawClient): void;
  /** Sets the absolute counters of a client's traffic row. */
  setTraffic(email: string, up: number, down: number): void;
  /** Marks a client online with the bytes each tick adds (null = offline). */
  setOnline(email: string, rate: TrafficRate | null): void;
  /** One traffic-job run: counters of online clients grow, then auto-renew and depletion apply. */
  tick(): { disabled: string[] };
  /** Panel-side traffic reset of one client: `up=down=0`, row re-enabled. */
  resetCounters(email: string): void;
  /** Invalidates every session (as if all cookies reached their Max-Age). */
  expireSessions(): void;
  /** Changes the admin credentials (3.0.2+: invalidates every session). */
  setCredentials(username: string, password: string): void;
  /** Removes a client from every inbound and drops its traffic row, bypassing the API. */
  deleteClientDirect(email: string): void;
  close(): Promise<void>;
}

const XRAY_VERSIONS: Record<XuiProfile, string> = { G2: '1.8.11', G3: '25.9.11', G4: '25.10.15', G5: '26.3.27', G6: '26.5.9' };

function randomBasePath(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (const b of randomBytes(10)) out += alphabet[b % alphabet.length];
  return `/${out}/`;
}

function normaliseBase(p: string): string {
  let out = p.startsWith('/') ? p : `/${p}`;
  if (!out.endsWith('/')) out += '/';
  return out;
}

function html(body: string): SimResponse {
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

interface Deps {
  features: XuiFeatures;
  profile: XuiProfile;
  basePath: string;
  auth: XuiAuth;
  env: Envelopes;
  state: XuiState;
  subOpts: SubOptions;
  sessionMaxAgeMs: number;
  updateCheckReachable: boolean;
}

function pageHtml(d: Deps, page: 'login' | 'panel', csrf?: string): SimResponse {
  const v = d.features.version;
  if (!d.features.csrf) {
    const title = page === 'login' ? 'Login' : `3X: v${v}`;
    return html(
      `<!DOCTYPE html><html><head><meta charset="UTF-8"><link rel="stylesheet" href="${d.basePath}assets/css/custom.min.css?${v}">` +
        `<script src="${d.basePath}assets/js/axios-init.js?${v}"></script></head><body><div id="app">${title}</div></body></html>`,
    );
  }
  let script = `<script>window.X_UI_BASE_PATH="${d.basePath}"`;
  if (page === 'panel') script += `;window.X_UI_CUR_VER="${v}"`;
  script += ';</script>';
  return html(
    `<!DOCTYPE html><html><head><meta charset="UTF-8">${script}<meta name="csrf-token" content="${csrf ?? ''}"></head>` +
      `<body><div id="app"></div></body></html>`,
  );
}

function unauthenticated(d: Deps, req: SimRequest): SimResponse {
  switch (d.features.unauth) {
    case 'json401-or-307':
      return isXhr(req) ? d.env.pure(401, false, 'loginAgain') : emptyResponse(307, { location: d.basePath, 'cache-control': 'no-store' });
    case 'always404':
      return emptyResponse(404);
    case 'xhr401-or-404':
      return emptyResponse(isXhr(req) ? 401 : 404);
  }
}

function serverStatus(d: Deps): SimResponse {
  const obj: Record<string, unknown> = {
    cpu: 1.5,
    cpuCores: 2,
    logicalPro: 2,
    cpuSpeedMhz: 2400,
    mem: { current: 512 * 1024 * 1024, total: 2048 * 1024 * 1024 },
    swap: { current: 0, total: 0 },
    disk: { current: 5 * 1024 ** 3, total: 20 * 1024 ** 3 },
    xray: { state: 'running', errorMsg: '', version: XRAY_VERSIONS[d.profile] },
    uptime: 3600,
    loads: [0.1, 0.1, 0.1],
    tcpCount: 10,
    udpCount: 2,
    netIO: { up: 0, down: 0 },
    netTraffic: { sent: 0, recv: 0 },
    publicIP: { ipv4: '203.0.113.10', ipv6: 'N/A' },
    appStats: { threads: 20, mem: 64 * 1024 * 1024, uptime: 3600 },
  };
  if (d.features.panelVersionInStatus) obj.panelVersion = d.features.version;
  return d.env.obj(obj);
}

function routeCtx(d: Deps, req: SimRequest): XuiRouteContext {
  const h = header(req, 'host');
  const i = h.lastIndexOf(':');
  const host = i > 0 && !h.endsWith(']') ? h.slice(0, i) : h;
  return {
    state: d.state,
    env: d.env,
    host,
    linksFor: (inbound, email, hostName) => linksForRoute(d.state, inbound, email, hostName, d.subOpts),
  };
}

function handleApi(d: Deps, req: SimRequest, seg: string[]): SimResponse {
  const who = d.auth.apiAuth(req);
  if (who.kind === 'none') return unauthenticated(d, req);
  if (who.kind === 'cookie' && !d.auth.csrfOk(req, who.session)) return emptyResponse(403);
  const group = seg[2];
  const rest = seg.slice(3);
  let out: SimResponse | undefined;
  if (group === 'inbounds') out = handleInboundRoutes(routeCtx(d, req), req, rest);
  else if (group === 'clients' && d.features.clientRoutes) out = handleClientRoutes(routeCtx(d, req), req, rest);
  else if (group === 'server' && d.features.serverApi) {
    if (req.method === 'GET' && rest[0] === 'status' && rest.length === 1) out = serverStatus(d);
    else if (req.method === 'GET' && rest[0] === 'getNewUUID' && rest.length === 1) out = d.env.obj({ uuid: randomUUID() });
    else if (req.method === 'GET' && rest[0] === 'getPanelUpdateInfo' && rest.length === 1 && d.features.csrf) {
      // The real check asks GitHub; a panel without outbound access answers a bare failure.
      const v = d.features.version;
      out = d.updateCheckReachable
        ? d.env.obj({ currentVersion: v, latestVersion: v, updateAvailable: false })
        : jsonResponse(200, { success: false, msg: '', obj: null });
    }
  }
  return out ?? emptyResponse(404);
}

function handlePanel(d: Deps, req: SimRequest): SimResponse {
  const { basePath, auth, features } = d;
  if (!req.path.startsWith(basePath)) return emptyResponse(404);
  const rest = req.path.slice(basePath.length);
  const seg = segments(rest);
  if (rest === '' && req.method === 'GET') {
    if (auth.isLoggedIn(req)) return emptyResponse(307, { location: `${basePath}panel/`, 'cache-control': 'no-store' });
    return pageHtml(d, 'login', auth.session(req)?.csrf);
  }
  if (rest === 'login' && req.method === 'POST') return auth.login(req);
  if (rest === 'logout') return auth.logout(req) ?? emptyResponse(404);
  if (rest === 'csrf-token' && req.method === 'GET' && features.csrf) return auth.csrfToken(req);
  if (seg[0] === 'panel' && seg[1] === 'api') return handleApi(d, req, seg);
  if ((rest === 'panel/' || rest === 'panel') && req.method === 'GET') {
    if (!auth.isLoggedIn(req)) {
      return isXhr(req) ? d.env.pure(401, false, 'loginAgain') : emptyResponse(307, { location: basePath, 'cache-control': 'no-store' });
    }
    return pageHtml(d, 'panel', auth.session(req)?.csrf);
  }
  if (rest === 'server/status' && req.method === 'POST' && !features.serverApi) {
    if (!auth.isLoggedIn(req)) return unauthenticated(d, req);
    return serverStatus(d);
  }
  return emptyResponse(404);
}

/** Starts a simulated 3x-ui panel and its subscription listener. */
export async function startXuiSimulator(opts: XuiSimulatorOptions): Promise<XuiSimulator> {
  const profile = opts.profile;
  const version = opts.version ?? XUI_DEFAULT_VERSIONS[profile];
  const features = xuiFeatures(version);
  const clock = opts.clock ?? new SimClock();
  const basePath = normaliseBase(opts.basePath ?? randomBasePath());
  const env = new Envelopes(features);
  const state = new XuiState(clock, features);
  const username = opts.username ?? 'admin';
  const password = opts.password ?? 'admin';
  const sessionMaxAgeMs = opts.sessionMaxAgeMs ?? 360 * 60_000;
  const auth = new XuiAuth(features, clock, env, { basePath, username, password, sessionMaxAgeMs, apiTokens: opts.apiTokens ?? [] });
  const subOpts: SubOptions = {
    subPath: normaliseBase(opts.sub?.subPath ?? '/sub/'),
    remarkModel: opts.sub?.remarkModel ?? '-ieo',
    showInfo: opts.sub?.showInfo ?? true,
    encrypt: opts.sub?.encrypt ?? true,
    updateIntervalHours: opts.sub?.updateIntervalHours ?? 12,
    title: opts.sub?.title ?? '',
  };
  const deps: Deps = {
    features,
    profile,
    basePath,
    auth,
    env,
    state,
    subOpts,
    sessionMaxAgeMs,
    updateCheckReachable: opts.updateCheckReachable ?? false,
  };

  const entryEmailIndex = (): Set<string> => {
    const s = new Set<string>();
    for (const ib of state.inbounds.values()) for (const c of state.clientsOf(ib)) s.add(str(c, 'email').toLowerCase());
    return s;
  };

  const hooks = {
    state(): XuiStateDump {
      const inbounds = state.inboundList().map(({ userId: _u, ...rest }) => structuredClone(rest));
      const clients = state.inboundList().flatMap((ib) => state.clientsOf(ib).map((c) => ({ ...structuredClone(c), inboundId: ib.id })));
      return { inbounds, clients, clientStats: [...state.traffic.values()].map((r) => ({ ...r })).sort((a, b) => a.id - b.id) };
    },
    addInbound(input: XuiInboundInput): number {
      const settings = structuredClone(input.settings ?? defaultInboundSettings(input.protocol));
      const clients = Array.isArray(settings.clients) ? (settings.clients as RawClient[]) : [];
      settings.clients = clients.map((c) => state.newClient(input.protocol, c));
      const stream =
        input.streamSettings === undefined ? { network: 'tcp', security: 'none', tcpSettings: { header: { type: 'none' } } } : input.streamSettings;
      const inbound: XuiInbound = {
        id: state.allocInboundId(),
        userId: 1,
        up: 0,
        down: 0,
        total: input.total ?? 0,
        allTime: 0,
        remark: input.remark ?? `${input.protocol}-${input.port}`,
        enable: input.enable ?? true,
        expiryTime: input.expiryTime ?? 0,
        trafficReset: 'never',
        lastTrafficResetTime: 0,
        listen: input.listen ?? '',
        port: input.port,
        protocol: input.protocol,
        settings,
        streamSettings: stream === null ? null : structuredClone(stream),
        sniffing: input.sniffing === undefined ? { enabled: true, destOverride: ['http', 'tls', 'quic'] } : input.sniffing,
        tag: `inbound-${input.port}`,
      };
      state.inbounds.set(inbound.id, inbound);
      for (const c of state.clientsOf(inbound)) state.addTrafficRow(inbound.id, c);
      return inbound.id;
    },
    seedClients(inboundId: number, clients: number | XuiSeedClient[], prefix = 'seed-'): string[] {
      const inbound = state.inbounds.get(inboundId);
      if (!inbound) throw new Error(`no inbound ${inboundId}`);
      const list: XuiSeedClient[] =
        typeof clients === 'number'
          ? Array.from({ length: clients }, (_, i) => ({ email: `${prefix}${String(i + 1).padStart(5, '0')}` }))
          : clients;
      const taken = entryEmailIndex();
      const target = state.clientsOf(inbound);
      const emails: string[] = [];
      for (const { up, down, ...fields } of list) {
        if (taken.has(fields.email.toLowerCase())) throw new Error(`duplicate email ${fields.email}`);
        taken.add(fields.email.toLowerCase());
        const entry = state.newClient(inbound.protocol, fields);
        target.push(entry);
        state.addTrafficRow(inbound.id, entry);
        const row = state.traffic.get(fields.email);
        if (row) {
          row.up = up ?? 0;
          row.down = down ?? 0;
          row.allTime = row.up + row.down;
        }
        emails.push(fields.email);
      }
      return emails;
    },
    patchClient(email: string, patch: RawClient): void {
      const locs = state.findEntries(email);
      if (locs.length === 0) throw new Error(`no client ${email}`);
      for (const l of locs) Object.assign(l.client, structuredClone(patch));
      const row = state.traffic.get(str(locs[0].client, 'email'));
      if (row) {
        if ('enable' in patch) row.enable = patch.enable === true;
        if ('totalGB' in patch) row.total = num(patch, 'totalGB');
        if ('expiryTime' in patch) row.expiryTime = num(patch, 'expiryTime');
      }
    },
    setTraffic(email: string, up: number, down: number): void {
      const row = state.traffic.get(email);
      if (!row) throw new Error(`no traffic row for ${email}`);
      row.up = up;
      row.down = down;
      row.allTime = Math.max(row.allTime, up + down);
    },
    setOnline(email: string, rate: TrafficRate | null): void {
      if (rate === null) state.online.delete(email);
      else state.online.set(email, rate);
    },
    tick: () => state.tick(),
    resetCounters(email: string): void {
      const row = state.traffic.get(email);
      if (!row) throw new Error(`no traffic row for ${email}`);
      row.up = 0;
      row.down = 0;
      row.enable = true;
    },
    expireSessions: () => auth.expireAll(),
    setCredentials: (u: string, p: string) => auth.setCredentials(u, p),
    deleteClientDirect(email: string): void {
      for (const loc of state.findEntries(email)) {
        const clients = state.clientsOf(loc.inbound);
        clients.splice(clients.indexOf(loc.client), 1);
      }
      state.deleteTrafficCaseInsensitive(email);
      state.online.delete(email);
    },
  };

  const control = async (req: SimRequest): Promise<SimResponse | null> => {
    const body = (): Record<string, unknown> => {
      const text = req.rawBody.toString('utf8').trim();
      return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    };
    const ok = (extra: Record<string, unknown> = {}): SimResponse => jsonResponse(200, { ok: true, ...extra });
    try {
      switch (`${req.method} ${req.path}`) {
        case 'GET /__sim/state':
          return ok({ state: hooks.state(), version, profile });
        case 'POST /__sim/tick':
          return ok(hooks.tick());
        case 'POST /__sim/inbounds':
          return ok({ id: hooks.addInbound(body() as unknown as XuiInboundInput) });
        case 'POST /__sim/seed': {
          const b = body();
          return ok({ emails: hooks.seedClients(Number(b.inboundId), (b.clients ?? b.count) as number | XuiSeedClient[]) });
        }
        case 'POST /__sim/traffic': {
          const b = body();
          hooks.setTraffic(String(b.email), Number(b.up), Number(b.down));
          return ok();
        }
        case 'POST /__sim/online': {
          const b = body();
          hooks.setOnline(String(b.email), b.up === undefined ? null : { up: Number(b.up), down: Number(b.down ?? 0) });
          return ok();
        }
        case 'POST /__sim/reset-traffic':
          hooks.resetCounters(String(body().email));
          return ok();
        case 'POST /__sim/patch-client': {
          const b = body();
          hooks.patchClient(String(b.email), (b.patch ?? {}) as RawClient);
          return ok();
        }
        case 'POST /__sim/delete-client':
          hooks.deleteClientDirect(String(body().email));
          return ok();
        case 'POST /__sim/expire-sessions':
          hooks.expireSessions();
          return ok();
        default:
          return null;
      }
    } catch (err) {
      return jsonResponse(400, { ok: false, error: err instanceof Error ? err.message : 'bad request' });
    }
  };

  const server = await startSimServer({
    port: opts.port ?? 0,
    handle: async (req, srv) => (await handleControlRequest(req, srv, clock, control)) ?? handlePanel(deps, req),
  });
  let subServer: SimServerHandle;
  try {
    subServer = await startSimServer({ port: opts.subPort ?? 0, handle: (req) => handleSubscription(state, subOpts, req) });
  } catch (err) {
    await server.close();
    throw err;
  }

  return {
    url: `${server.url}${basePath}`,
    subUrl: `${subServer.url}${subOpts.subPath}`,
    server,
    subServer,
    clock,
    profile,
    version,
    features,
    basePath,
    username,
    password,
    get apiTokens() {
      return auth.tokens();
    },
    ...hooks,
    close: async () => {
      await Promise.all([server.close(), subServer.close()]);
    },
  };
}
