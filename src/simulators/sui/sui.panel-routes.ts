/**
 * The S-UI simulator's panel listener: base-path routing, the session (`/api`) and token
 * (`/apiv2`) APIs and their actions (PANELS.md A.1–A.4, A.10).
 */
import { randomBytes } from 'node:crypto';
import type { SimClock, SimRequest, SimResponse } from '../shared/sim-http';
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
  remoteIp,
  sortedMap,
  text,
} from './sui.http-util';
import { SuiStore } from './sui.store';

/** A logged-in session (the real panel keeps only the username in a signed cookie). */
interface Session {
  username: string;
  /** Simulated ms; null = browser-session cookie. */
  expiresAt: number | null;
  /** Simulated ms of the login: the signed cookie is refused 30 days after it was issued. */
  issuedAt: number;
}

/** gorilla/securecookie's default `MaxAge` of the cookie store: the server's own limit, whatever the setting. */
const COOKIE_SIGNATURE_MAX_AGE_MS = 30 * 86_400_000;

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

const COOKIE = 's-ui';

function sessionCookie(req: SimRequest): string {
  for (const part of header(req, 'cookie').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim();
  }
  return '';
}

function formatLastLogin(ms: number, ip: string): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${ip}`;
}

function stamp(ms: number): string {
  return formatLastLogin(ms, '').trim().replace(/[-:]/g, '').replace(' ', '-');
}

/** Routes the panel port (everything but the `/__sim/` control plane). */
export class SuiPanelRoutes {
  private readonly store: SuiStore;
  private readonly clock: SimClock;
  private readonly base: string;
  private readonly sessionMaxAgeMs?: number;
  private readonly webDomain: string;
  private readonly sessions = new Map<string, Session>();

  constructor(opts: SuiPanelRoutesOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.base = opts.basePath;
    this.sessionMaxAgeMs = opts.sessionMaxAgeMs;
    this.webDomain = opts.webDomain ?? '';
  }

  /** Drops every session: the next `/api` call is unauthenticated. */
  expireSessions(): void {
    this.sessions.clear();
  }

  /** Number of live sessions (for state dumps). */
  sessionCount(): number {
    this.purgeSessions();
    return this.sessions.size;
  }

  private expired(s: Session, now: number): boolean {
    return (s.expiresAt !== null && s.expiresAt <= now) || now - s.issuedAt > COOKIE_SIGNATURE_MAX_AGE_MS;
  }

  private purgeSessions(): void {
    const now = this.clock.now();
    for (const [k, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(k);
  }

  private loginUser(req: SimRequest): string {
    const value = sessionCookie(req);
    if (value === '') return '';
    const s = this.sessions.get(value);
    if (!s) return '';
    if (this.expired(s, this.clock.now())) {
      this.sessions.delete(value);
      return '';
    }
    return s.username;
  }

  private effectiveMaxAgeMs(): number {
    if (this.sessionMaxAgeMs !== undefined) return this.sessionMaxAgeMs;
    const minutes = Number(this.store.settings.sessionMaxAge);
    return Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : 0;
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
      if (!path.endsWith('login') && !path.endsWith('logout') && this.loginUser(req) === '') {
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
    const loggedIn = this.loginUser(req) !== '';
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
    const user = this.loginUser(req);
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
        return this.login(req, form);
      case 'changePass':
        return this.changePass(form);
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
        return this.linkConvert(form.value('link'));
      case 'subConvert':
        if (!f.editChecksExisting) return this.unknownAction(action);
        return jsonObj(null, new GoError('subscription fetching is not simulated'));
      case 'importdb':
        return form.hasFile('db') ? jsonMsg('') : jsonMsg('', new GoError('http: no such file'));
      case 'addToken':
        return this.addToken(form, user);
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
        return this.logout(req);
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
        return jsonObj(this.status(req.query.get('r') ?? ''));
      case 'onlines':
        return jsonObj(this.onlines());
      case 'logs':
        return jsonObj([]);
      case 'changes':
        return jsonObj(store.getChanges(req.query.get('a') ?? '', req.query.get('k') ?? '', req.query.get('c') ?? ''));
      case 'keypairs':
        return jsonObj(this.keypairs(req.query.get('k') ?? ''));
      case 'getdb':
        return {
          status: 200,
          headers: {
            'content-type': 'application/octet-stream',
            'content-disposition': `attachment; filename=s-ui_${stamp(this.clock.now())}.db`,
          },
          body: Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.from(goJsonStringify(this.dump()))]),
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
          body: JSON.stringify(this.dump(), null, 2),
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
      if (action === 'login') return this.login(req, form);
      if (action === 'changePass') return this.changePass(form);
      if (action === 'save') return jsonMsg('save');
      return jsonMsg('API call');
    }
    if (action === 'logout') return this.logout(req);
    if (action === 'status') return jsonObj(this.status(req.query.get('r') ?? ''));
    return jsonMsg('API call');
  }

  // ------------------------------------------------------------------ actions

  private login(req: SimRequest, form: FormReader): SimResponse {
    const ip = remoteIp(req);
    const user = this.store.users.find((u) => u.username === form.value('user') && u.password === form.value('pass'));
    if (!user) return jsonMsg('', new GoError(sprintln('wrong user or password! IP: ', ip)));
    user.lastLogin = formatLastLogin(this.clock.now(), ip);
    const value = `MT${randomBytes(48).toString('base64url')}`;
    const maxAgeMs = this.effectiveMaxAgeMs();
    this.sessions.set(value, {
      username: user.username,
      expiresAt: maxAgeMs > 0 ? this.clock.now() + maxAgeMs : null,
      issuedAt: this.clock.now(),
    });
    let cookie = `${COOKIE}=${value}; Path=/`;
    if (maxAgeMs > 0) {
      // The client's jar runs on real time, so Expires is real time; the server enforces the simulated expiry.
      const seconds = Math.max(1, Math.ceil(maxAgeMs / 1000));
      cookie += `; Expires=${new Date(Date.now() + seconds * 1000).toUTCString()}; Max-Age=${seconds}`;
    }
    const res = jsonMsg('');
    res.headers = { ...res.headers, 'set-cookie': cookie };
    return res;
  }

  private logout(req: SimRequest): SimResponse {
    const value = sessionCookie(req);
    if (value !== '') this.sessions.delete(value);
    const res = jsonMsg('');
    res.headers = { ...res.headers, 'set-cookie': `${COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0` };
    return res;
  }

  private changePass(form: FormReader): SimResponse {
    const user = this.store.users.find((u) => String(u.id) === form.value('id') && u.password === form.value('oldPass'));
    if (!user) return jsonMsg('', new GoError('record not found'));
    user.username = form.value('newUsername');
    user.password = form.value('newPass');
    return jsonMsg('save');
  }

  private addToken(form: FormReader, user: string): SimResponse {
    const raw = form.value('expiry');
    if (!/^[+-]?\d+$/.test(raw)) return jsonMsg('', new GoError(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`));
    const days = Number(raw);
    const userRow = this.store.users.find((u) => u.username === user);
    const token = SuiStore.randomToken();
    const row = this.store.addTokenRow(token, days > 0 ? this.store.nowSec() + days * 86400 : 0, form.value('desc'));
    row.userId = userRow?.id ?? 1;
    return jsonObj(token);
  }

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
    const data: Record<string, unknown> = { onlines: this.onlines() };
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

  private onlines(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    const o = this.store.onlines;
    if (o.inbound.length > 0) out.inbound = [...o.inbound];
    if (o.user.length > 0) out.user = [...o.user];
    if (o.outbound.length > 0) out.outbound = [...o.outbound];
    return out;
  }

  private status(r: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // 1.2.x answered only cpu, mem, net, sys and sbd; dsk/dio/swp came with 1.3.0, db by 1.3.11.
    const known = this.store.features.editChecksExisting ? null : new Set(['cpu', 'mem', 'net', 'sys', 'sbd']);
    for (const item of r.split(',')) {
      if (known && !known.has(item)) continue;
      switch (item) {
        case 'cpu':
          out.cpu = 1.5;
          break;
        case 'mem':
          out.mem = { current: 512 * 1024 * 1024, total: 2048 * 1024 * 1024 };
          break;
        case 'dsk':
          out.dsk = { current: 5 * 1024 ** 3, total: 40 * 1024 ** 3 };
          break;
        case 'dio':
          out.dio = { read: 0, write: 0 };
          break;
        case 'swp':
          out.swp = { current: 0, total: 0 };
          break;
        case 'net':
          out.net = { sent: 0, recv: 0, psent: 0, precv: 0 };
          break;
        case 'sys':
          out.sys = sortedMap({
            appMem: 32 * 1024 * 1024,
            appThreads: 12,
            cpuType: 'Simulated CPU',
            cpuCount: 2,
            hostName: 's-ui-sim',
            appVersion: this.store.features.version,
            ipv4: ['127.0.0.1/8'],
            ipv6: [],
            bootTime: Math.floor(this.clock.now() / 1000) - 3600,
          });
          break;
        case 'sbd':
          out.sbd = { running: true, stats: { NumGoroutine: 20, Alloc: 8 * 1024 * 1024, Uptime: 3600 } };
          break;
        case 'db':
          out.db = { clients: this.store.clients.size, inbounds: this.store.inbounds.size, changes: this.store.changes.length };
          break;
        default:
          break;
      }
    }
    return sortedMap(out);
  }

  private keypairs(kind: string): string[] {
    if (kind === '') return ['No keypair to generate'];
    if (kind === 'reality' || kind === 'wireguard') {
      const priv = randomBytes(32).toString(kind === 'reality' ? 'base64url' : 'base64');
      const pub = randomBytes(32).toString(kind === 'reality' ? 'base64url' : 'base64');
      return [`PrivateKey: ${priv}`, `PublicKey: ${pub}`];
    }
    return ['Failed to generate keypair'];
  }

  private linkConvert(link: string): SimResponse {
    const m = /^(vless|trojan|hysteria2|tuic|ss):\/\/[^@]*@([^:/?#]+):(\d+)/.exec(link);
    if (!m) return jsonObj(null, new GoError('invalid link'));
    const type = m[1] === 'ss' ? 'shadowsocks' : m[1];
    const tag = decodeURIComponent(link.split('#')[1] ?? `${type}-${m[3]}`);
    return jsonObj({ type, tag, server: m[2], server_port: Number(m[3]) });
  }

  /** The internal state as a JSON-able object (getdb / singbox-config stand-ins). */
  private dump(): Record<string, unknown> {
    const store = this.store;
    return {
      inbounds: store.getInbounds('') ?? [],
      clients: [...store.clients.values()].map((c) => store.clientJson(c, true)),
      config: store.config,
    };
  }
}
