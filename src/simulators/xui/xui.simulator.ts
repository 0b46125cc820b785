/**
 * The 3x-ui simulator: an in-process HTTP double of one 3x-ui panel (PANELS.md Part B, D.1,
 * D.3) in a selectable version profile, plus its subscription listener and test hooks.
 *
 * Routing under the web base path (anything else is a bare 404, like gin's NoRoute):
 * - `GET {base}` login page (v2 pages carry the version as `custom.min.css?<version>`, 3.0.0 as
 *   `window.__X_UI_CUR_VER__`), `POST {base}login`, logout, `GET {base}csrf-token` (3.0+),
 *   `GET {base}panel/` (the panel page: 3.0.1+ injects `window.X_UI_CUR_VER`);
 * - `{base}panel/api/inbounds/*` (classic; client routes 404 from 3.1), `{base}panel/api/clients/*`
 *   (3.1+), `{base}panel/api/server/status` (2.7+; `panelVersion` from 3.1), `POST {base}server/status` (≤2.6);
 * - `/__sim/*` control plane at the root (see `shared/sim-http.ts`) with the hooks below.
 *
 * Version discovery, as the real panel allows it: `server/status` `obj.panelVersion` (3.1+; `null`
 * obj before the first status sample, `dev+<commit>` on 3.5+ dev builds), else the panel page
 * after login (`X_UI_CUR_VER`, 3.0.1+), the 3.0.0 pages (`__X_UI_CUR_VER__`, login page too), or
 * the v2 pages' asset links.
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
import { controlRoutes, createHooks } from './xui.hooks';
import { handleClientRoutes } from './xui.client-routes';
import { handleInboundRoutes } from './xui.inbound-routes';
import { handleSubscription, linksForRoute, type SubOptions } from './xui.subscription';
import { XUI_DEFAULT_VERSIONS, xuiFeatures, type XuiFeatures, type XuiProfile } from './xui.profile';
import { header, isXhr, segments } from './xui.request';
import type { XuiRouteContext } from './xui.route-kit';
import type { XuiSimulator, XuiSimulatorOptions } from './xui.simulator-api';
import { XuiState } from './xui.state';
import { emptyResponse, Envelopes, jsonResponse } from './xui.wire';

export type { XuiSimulator, XuiSimulatorOptions } from './xui.simulator-api';

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
  reportedVersion: string;
  statusSampled: boolean;
  pageVersionHidden: boolean;
}

function pageHtml(d: Deps, page: 'login' | 'panel', csrf?: string): SimResponse {
  const v = d.pageVersionHidden ? '' : d.reportedVersion;
  const style = d.features.pageVersion;
  if (style === 'assets') {
    const title = page === 'login' ? 'Login' : `3X: v${v}`;
    const q = v === '' ? '' : `?${v}`;
    return html(
      `<!DOCTYPE html><html><head><meta charset="UTF-8"><link rel="stylesheet" href="${d.basePath}assets/ant-design-vue/antd.min.css">` +
        `<link rel="stylesheet" href="${d.basePath}assets/css/custom.min.css${q}">` +
        `<script src="${d.basePath}assets/js/axios-init.js${q}"></script></head><body><div id="app">${title}</div></body></html>`,
    );
  }
  let script: string;
  if (style === 'underscored-all-pages') {
    script = `<script>window.__X_UI_BASE_PATH__="${d.basePath}"`;
    if (v !== '') script += `;window.__X_UI_CUR_VER__="${v}"`;
  } else {
    script = `<script>window.X_UI_BASE_PATH="${d.basePath}"`;
    if (page === 'panel' && v !== '') script += `;window.X_UI_CUR_VER="${v}"`;
  }
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
  if (!d.statusSampled) return d.env.obj(null);
  if (d.features.panelVersionInStatus) obj.panelVersion = d.reportedVersion;
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
    else if (req.method === 'GET' && rest[0] === 'getPanelUpdateInfo' && rest.length === 1 && d.features.updateInfoRoute) {
      // The real check asks GitHub; a panel without outbound access answers a bare failure.
      const v = d.reportedVersion;
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
  const features = { ...xuiFeatures(version), ...(opts.updateInfoRoute === undefined ? {} : { updateInfoRoute: opts.updateInfoRoute }) };
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
    reportedVersion: features.devBuildLabel && opts.devBuildCommit ? `dev+${opts.devBuildCommit.slice(0, 8)}` : version,
    statusSampled: opts.statusSampled ?? true,
    pageVersionHidden: opts.pageVersionHidden ?? false,
  };

  const hooks = createHooks(state, auth);
  const control = controlRoutes(hooks, version, profile);

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
    reportedVersion: deps.reportedVersion,
    setStatusSampled: (sampled: boolean) => {
      deps.statusSampled = sampled;
    },
    ...hooks,
    close: async () => {
      await Promise.all([server.close(), subServer.close()]);
    },
  };
}
