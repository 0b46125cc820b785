/**
 * Sessions, CSRF, API tokens and login of the simulated 3x-ui (PANELS.md B.3).
 *
 * The real panel keeps its session in a signed cookie store; the simulator keeps a server-side
 * map keyed by an opaque cookie value, which behaves the same to a client: one cookie (named per
 * version) carries both the CSRF token (3.0+) and the login, it is re-issued on every save, and it
 * stops working `sessionMaxAge` after it was last saved (simulated clock).
 */
import { randomBytes } from 'node:crypto';
import type { SimClock, SimRequest, SimResponse } from '../shared/sim-http';
import { bindFormStruct, bindJsonStruct, GoError, type GoStruct } from './xui.go-json';
import type { XuiFeatures } from './xui.profile';
import { cookie, formOf, header, readBody } from './xui.request';
import { emptyResponse, Envelopes, jsonResponse } from './xui.wire';

/** One server-side session. */
interface Session {
  id: string;
  csrf?: string;
  loggedIn: boolean;
  /** When the cookie was last (re)issued; expiry counts from here. */
  savedAt: number;
  /** The credential epoch at login (3.0.2+ invalidation). */
  epoch: number;
}

/** Options of {@link XuiAuth}. */
export interface XuiAuthOptions {
  basePath: string;
  username: string;
  password: string;
  /** 0 = session cookie without Max-Age (never expires server-side). */
  sessionMaxAgeMs: number;
  apiTokens: string[];
}

const LOGIN_FORM: GoStruct = {
  name: 'LoginForm',
  fields: { username: 'string', password: 'string', twoFactorCode: 'string' },
};

const FIVE_MIN = 5 * 60_000;
const BLOCK_MS = 15 * 60_000;

/** Who made a `/panel/api` request. */
export type ApiAuth = { kind: 'bearer' } | { kind: 'cookie'; session: Session } | { kind: 'none' };

/** Authentication state and the login/logout/csrf-token endpoints. */
export class XuiAuth {
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, { at: number[]; blockedUntil: number }>();
  private epoch = 0;
  private username: string;
  private password: string;
  private apiTokens: string[];

  constructor(
    private readonly features: XuiFeatures,
    private readonly clock: SimClock,
    private readonly env: Envelopes,
    private readonly opts: XuiAuthOptions,
  ) {
    this.username = opts.username;
    this.password = opts.password;
    this.apiTokens = features.bearer ? [...opts.apiTokens] : [];
  }

  /** The API tokens accepted (3.0+). */
  tokens(): readonly string[] {
    return this.apiTokens;
  }

  /** Adds an API token (3.0+; ignored before). */
  addToken(token: string): void {
    if (this.features.bearer) this.apiTokens.push(token);
  }

  /** Drops every session, as if all cookies reached their Max-Age. */
  expireAll(): void {
    this.sessions.clear();
  }

  /** Changes the admin credentials; from 3.0.2 this invalidates every existing session. */
  setCredentials(username: string, password: string): void {
    this.username = username;
    this.password = password;
    this.epoch += 1;
  }

  /** The valid session named by the request's cookie, if any. */
  session(req: SimRequest): Session | undefined {
    const id = cookie(req, this.features.cookieName);
    if (id === undefined) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (this.opts.sessionMaxAgeMs > 0 && this.clock.now() >= s.savedAt + this.opts.sessionMaxAgeMs) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  /** `session.IsLogin`. */
  isLoggedIn(req: SimRequest): boolean {
    const s = this.session(req);
    if (!s?.loggedIn) return false;
    return !(this.features.credentialEpoch && s.epoch !== this.epoch);
  }

  /** `checkAPIAuth` (+ Bearer from 3.0): who is calling `/panel/api`. */
  apiAuth(req: SimRequest): ApiAuth {
    if (this.features.bearer) {
      const auth = header(req, 'authorization');
      if (auth.startsWith('Bearer ') && this.apiTokens.includes(auth.slice('Bearer '.length))) return { kind: 'bearer' };
    }
    const s = this.session(req);
    if (s && this.isLoggedIn(req)) return { kind: 'cookie', session: s };
    return { kind: 'none' };
  }

  /** `CSRFMiddleware` for a cookie request: header `X-CSRF-Token` or form field `_csrf`. */
  csrfOk(req: SimRequest, session: Session | undefined): boolean {
    if (!this.features.csrf || req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return true;
    if (!session?.csrf) return false;
    let sent = header(req, 'x-csrf-token');
    if (sent === '' && !header(req, 'content-type').includes('application/json')) sent = formOf(req).get('_csrf') ?? '';
    return sent === session.csrf;
  }

  private newSession(): Session {
    const s: Session = { id: randomBytes(24).toString('base64url'), loggedIn: false, savedAt: this.clock.now(), epoch: this.epoch };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The `Set-Cookie` of a (re)saved session. */
  private setCookie(s: Session): string {
    s.savedAt = this.clock.now();
    const path = this.features.cookiePathIsBase ? this.opts.basePath : '/';
    const parts = [`${this.features.cookieName}=${s.id}`, `Path=${path}`];
    if (this.opts.sessionMaxAgeMs > 0) {
      const seconds = Math.max(1, Math.ceil(this.opts.sessionMaxAgeMs / 1000));
      parts.push(`Expires=${new Date(this.clock.now() + seconds * 1000).toUTCString()}`, `Max-Age=${seconds}`);
    }
    parts.push('HttpOnly', 'SameSite=Lax');
    return parts.join('; ');
  }

  /** `GET {base}csrf-token` (3.0+): mints the session's token once and returns it. */
  csrfToken(req: SimRequest): SimResponse {
    let s = this.session(req);
    const headers: Record<string, string> = {};
    if (!s) s = this.newSession();
    if (!s.csrf) {
      s.csrf = randomBytes(32).toString('base64url');
      headers['set-cookie'] = this.setCookie(s);
    }
    return jsonResponse(200, { success: true, obj: s.csrf }, headers);
  }

  private limiterKey(req: SimRequest, username: string): string {
    return `${req.remoteAddress}|${username}`;
  }

  private blocked(key: string): boolean {
    const f = this.failures.get(key);
    return !!f && f.blockedUntil > this.clock.now();
  }

  private registerFailure(key: string): void {
    const now = this.clock.now();
    const f = this.failures.get(key) ?? { at: [], blockedUntil: 0 };
    f.at = f.at.filter((t) => now - t < FIVE_MIN);
    f.at.push(now);
    if (f.at.length >= 5) {
      f.blockedUntil = now + BLOCK_MS;
      f.at = [];
    }
    this.failures.set(key, f);
  }

  /** `POST {base}login` (JSON or form; CSRF from 3.0). */
  login(req: SimRequest): SimResponse {
    let existing = this.session(req);
    if (this.features.csrf && !this.csrfOk(req, existing)) return emptyResponse(403);
    let form: Record<string, unknown>;
    try {
      const body = readBody(req);
      form = body.kind === 'json' ? bindJsonStruct(LOGIN_FORM, body.value) : bindFormStruct(LOGIN_FORM, body.form);
    } catch (err) {
      if (err instanceof GoError) return this.env.pure(200, false, 'invalidFormData');
      throw err;
    }
    const username = typeof form.username === 'string' ? form.username : '';
    const password = typeof form.password === 'string' ? form.password : '';
    if (username === '') return this.env.pure(200, false, 'emptyUsername');
    if (password === '') return this.env.pure(200, false, 'emptyPassword');
    const key = this.limiterKey(req, username);
    if (this.features.loginRateLimit && this.blocked(key)) return this.env.pure(200, false, 'wrongUsernameOrPassword');
    if (username !== this.username || password !== this.password) {
      if (this.features.loginRateLimit) this.registerFailure(key);
      return this.env.pure(200, false, 'wrongUsernameOrPassword');
    }
    this.failures.delete(key);
    // The cookie store re-encodes the whole session on save: a new cookie value, same CSRF token.
    const s = this.newSession();
    if (existing) {
      s.csrf = existing.csrf;
      this.sessions.delete(existing.id);
      existing = undefined;
    }
    s.loggedIn = true;
    s.epoch = this.epoch;
    return { ...this.env.ok('successLogin'), headers: { 'content-type': 'application/json; charset=utf-8', 'set-cookie': this.setCookie(s) } };
  }

  /** Logout: `GET` → 307 (≤3.0.1) or `POST` with CSRF → `{"success":true}` (3.0.2+). */
  logout(req: SimRequest): SimResponse | undefined {
    const s = this.session(req);
    const clear = `${this.features.cookieName}=; Path=${this.features.cookiePathIsBase ? this.opts.basePath : '/'}; Max-Age=0; HttpOnly; SameSite=Lax`;
    if (this.features.logoutPost) {
      if (req.method !== 'POST') return undefined;
      if (!this.csrfOk(req, s)) return emptyResponse(403);
      if (s) this.sessions.delete(s.id);
      return jsonResponse(200, { success: true }, { 'set-cookie': clear });
    }
    if (req.method !== 'GET') return undefined;
    if (s) this.sessions.delete(s.id);
    return emptyResponse(307, { location: this.opts.basePath, 'set-cookie': clear });
  }
}
