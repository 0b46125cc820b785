/**
 * The S-UI simulator's panel listener: base-path routing, the session (`/api`) and token
 * (`/apiv2`) APIs and their actions (PANELS.md A.1–A.4, A.10).
 */
import type { SimClock, SimRequest, SimResponse } from '../shared/sim-http';
import { SuiAuth } from './sui.auth';
import { GoError, GoPanic, sprintln } from './sui.go-json';
import {
  FormReader,
  decodeSegment,
  envelope,
  goJsonStringify,
  header,
  hostname,
  jsonMsg,
  jsonObj,
  redirect,
  sortedMap,
  text,
} from './sui.http-util';
import type { SuiStore } from './sui.store';
import { dump, keypairs, linkConvert, onlines, stamp, status } from './sui.system-info';

/** Options of {@link SuiPanelRoutes}. */
export interface SuiPanelRoutesOptions {
  store: SuiStore;
  clock: SimClock;
  /** Web base path, starts and ends with `/`. */
  basePath: string;
  /** Session lifetime; undefined = the `sessionMaxAge` setting (minutes; 0 = browser session). */
  sessionMaxAgeMs?: number;
  /** The `webDomain` setting the panel started with: any other Host gets 403 with an empty body. */
  webDomain?: string;
}

/** Routes the panel port (everything but the `/__sim/` control plane). */
export class SuiPanelRoutes {
  private readonly store: SuiStore;
  private readonly clock: SimClock;
  private readonly base: string;
  private readonly webDomain: string;
  private readonly auth: SuiAuth;

  constructor(opts: SuiPanelRoutesOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.base = opts.basePath;
    this.webDomain = opts.webDomain ?? '';
    this.auth = new SuiAuth(opts.store, opts.clock, opts.sessionMaxAgeMs);
  }

  /** Drops every session: the next `/api` call is unauthenticated. */
  expireSessions(): void {
    this.auth.clear();
  }

  /** Number of live sessions (for state dumps). */
  sessionCount(): number {
    return this.auth.count();
  }

  /** Answers one panel-port request. */
  handle(req: SimRequest): SimResponse {
    if (this.webDomain !== '' && hostname(req).replace(/^\[(.*)\]$/, '$1') !== this.webDomain) return { status: 403, body: '' };
    const f = this.store.features;
    const base = this.base;
    const path = req.path;
    const rest = path.startsWith(base) ? path.slice(base.length) : null;
    const m = rest === null ? null : /^(api|apiv2)\/([^/]+)(\/?)$/.exec(rest);
    if (m && (req.method === 'GET' || req.method === 'POST') && (m[1] === 'api' || f.modernApi)) {
      if (m[3] === '/') return redirect(req, req.method === 'GET' ? 301 : 307, path.slice(0, -1));
      const action = decodeSegment(m[2]);
      if (m[1] === 'apiv2') return this.apiv2(req, action);
      if (!path.endsWith('login') && !path.endsWith('logout') && this.auth.userOf(req) === '') {
        if (header(req, 'x-requested-with') === 'XMLHttpRequest') return envelope(false, 'Invalid login', null);
        return redirect(req, 307, '/login');
      }
      return f.modernApi ? this.api(req, action) : this.legacyApi(req, action);
    }
    return this.noRoute(req);
  }

  private noRoute(req: SimRequest): SimResponse {
    const base = this.base;
    if (req.path === base.slice(0, -1)) return redirect(req, 307, base);
    if (!req.path.startsWith(base)) return text(404, '');
    const loggedIn = this.auth.userOf(req) !== '';
    if (req.path !== `${base}login` && !loggedIn) return redirect(req, 307, `${base}login`);
    if (req.path === `${base}login` && loggedIn) return redirect(req, 307, base);
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: `<!DOCTYPE html><html><head><meta charset="utf-8"><base href="${base}"><title>S-UI</title></head><body><div id="app"></div></body></html>`,
    };
  }

  // ------------------------------------------------------------------ /apiv2

  private apiv2(req: SimRequest, action: string): SimResponse {
    const username = this.store.tokenUser(header(req, 'token'));
    if (username === '') return jsonMsg('', new GoError(sprintln('invalid token')));
    if (req.method === 'POST') {
      if (['login', 'changePass', 'addToken', 'deleteToken'].includes(action)) return this.unknownAction(action);
      return this.post(req, action, username);
    }
    if (['logout', 'tokens', 'singbox-config'].includes(action)) return this.unknownAction(action);
    return this.get(req, action, username);
  }

  // ------------------------------------------------------------------ /api

  private api(req: SimRequest, action: string): SimResponse {
    const user = this.auth.userOf(req);
    return req.method === 'POST' ? this.post(req, action, user) : this.get(req, action, user);
  }

  private unknownAction(action: string): SimResponse {
    return jsonMsg('failed', new GoError(sprintln('unknown action: ', action)));
  }

  private post(req: SimRequest, action: string, user: string): SimResponse {
    const f = this.store.features;
    const form = new FormReader(req);
    switch (action) {
      case 'login':
        return this.auth.login(req, form);
      case 'changePass':
        return this.auth.changePass(form);
      case 'save':
        return this.save(req, form, user);
      case 'restartApp':
        return jsonMsg('restartApp');
      case 'restartSb':
        return jsonMsg('restartSb');
      case 'resetTraffic':
        if (!f.v15) return this.unknownAction(action);
        this.store.resetAllTraffic();
        return jsonMsg('resetTraffic');
      case 'linkConvert':
        return linkConvert(form.value('link'));
      case 'subConvert':
        if (!f.editChecksExisting) return this.unknownAction(action);
        return jsonObj(null, new GoError('subscription fetching is not simulated'));
      case 'importdb':
        return form.hasFile('db') ? jsonMsg('') : jsonMsg('', new GoError('http: no such file'));
      case 'addToken':
        return this.auth.addToken(form, user);
      case 'deleteToken': {
        const id = Number(form.value('id'));
        const idx = this.store.tokens.findIndex((t) => t.id === id);
        if (idx >= 0) this.store.tokens.splice(idx, 1);
        return jsonMsg('');
      }
      default:
        return this.unknownAction(action);
    }
  }

  private get(req: SimRequest, action: string, user: string): SimResponse {
    const f = this.store.features;
    const store = this.store;
    switch (action) {
      case 'logout':
        return this.auth.logout(req);
      case 'load':
        return this.load(req);
      case 'services':
        if (!f.editChecksExisting) return this.unknownAction(action);
        return jsonObj(store.partialData([action], req.query.get('id') ?? ''));
      case 'inbounds':
      case 'outbounds':
      case 'endpoints':
      case 'tls':
      case 'clients':
      case 'config':
        return jsonObj(store.partialData([action], req.query.get('id') ?? ''));
      case 'users':
        return jsonObj(store.users.map((u) => ({ id: u.id, username: u.username, password: '', lastLogin: u.lastLogin })));
      case 'settings':
        return jsonObj(store.getSettings());
      case 'stats':
        return jsonObj(
          f.v15 ? { stats: {}, startTime: store.nowSec() - 100 * 3600, bucketSpan: 1000, numBuckets: 360 } : null,
        );
      case 'status':
        return jsonObj(status(this.store, this.clock, req.query.get('r') ?? ''));
      case 'onlines':
        return jsonObj(onlines(this.store));
      case 'logs':
        return jsonObj([]);
      case 'changes':
        return jsonObj(store.getChanges(req.query.get('a') ?? '', req.query.get('k') ?? '', req.query.get('c') ?? ''));
      case 'keypairs':
        return jsonObj(keypairs(req.query.get('k') ?? ''));
      case 'getdb':
        return {
          status: 200,
          headers: {
            'content-type': 'application/octet-stream',
            'content-disposition': `attachment; filename=s-ui_${stamp(this.clock.now())}.db`,
          },
          body: Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.from(goJsonStringify(dump(this.store)))]),
        };
      case 'tokens':
        return jsonObj(
          store.tokens
            .filter((t) => store.users.find((u) => u.id === t.userId)?.username === user)
            .map((t) => ({ id: t.id, desc: t.desc, token: '****', expiry: t.expiry, userId: t.userId, user: null })),
        );
      case 'singbox-config':
        if (!f.editChecksExisting) return this.unknownAction(action);
        return {
          status: 200,
          headers: {
            'content-type': 'application/json',
            'content-disposition': `attachment; filename=config_${stamp(this.clock.now())}.json`,
          },
          body: JSON.stringify(dump(this.store), null, 2),
        };
      case 'checkOutbound': {
        if (!f.editChecksExisting) return this.unknownAction(action);
        const tag = req.query.get('tag') ?? '';
        return jsonObj(tag === '' ? { error: 'missing query parameter: tag' } : { tag, delay: 1 });
      }
      default:
        return this.unknownAction(action);
    }
  }

  /** S-UI 1.1.x: only login/logout/status are modelled; every other action answers "API call". */
  private legacyApi(req: SimRequest, action: string): SimResponse {
    if (req.method === 'POST') {
      const form = new FormReader(req);
      if (action === 'login') return this.auth.login(req, form);
      if (action === 'changePass') return this.auth.changePass(form);
      if (action === 'save') return jsonMsg('save');
      return jsonMsg('API call');
    }
    if (action === 'logout') return this.auth.logout(req);
    if (action === 'status') return jsonObj(status(this.store, this.clock, req.query.get('r') ?? ''));
    return jsonMsg('API call');
  }

  // ------------------------------------------------------------------ actions

  private save(req: SimRequest, form: FormReader, actor: string): SimResponse {
    try {
      const objs = this.store.save(
        form.value('object'),
        form.value('action'),
        form.value('data'),
        form.value('initUsers'),
        actor,
        hostname(req),
      );
      return jsonObj(sortedMap(this.store.partialData(objs, req.query.get('id') ?? '')));
    } catch (err) {
      if (err instanceof GoError) return jsonMsg('save', err);
      // gin's recovery middleware: a panicking handler answers 500 with an empty body.
      if (err instanceof GoPanic) return { status: 500, body: '' };
      throw err;
    }
  }

  private load(req: SimRequest): SimResponse {
    const store = this.store;
    const lu = req.query.get('lu') ?? '';
    let updated = true;
    if (lu !== '') {
      if (!/^[+-]?\d+$/.test(lu)) return jsonMsg('', new GoError(`strconv.ParseInt: parsing ${JSON.stringify(lu)}: invalid syntax`));
      updated = store.lastUpdate > Number(lu);
    }
    const data: Record<string, unknown> = { onlines: onlines(this.store) };
    if (updated) {
      const objs = ['clients', 'tls', 'inbounds', 'outbounds', 'endpoints', 'config'];
      if (store.features.editChecksExisting) objs.push('services');
      Object.assign(data, store.partialData(objs, ''));
      data.subURI = store.subUri(hostname(req));
      // 1.2.x did not report it yet.
      if (store.features.editChecksExisting) data.enableTraffic = Number(store.settings.trafficAge) > 0;
    }
    return jsonObj(sortedMap(data));
  }

}
