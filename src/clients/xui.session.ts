/**
 * Authentication and version detection for one 3x-ui panel (PANELS.md B.3).
 *
 * - Cookie login (`POST {base}login`, JSON body); the cookie name differs per version, the
 *   transport's jar handles it. From 3.0 the login and every cookie-authenticated POST need the
 *   session's CSRF token (`GET {base}csrf-token`, header `X-CSRF-Token`).
 * - `Authorization: Bearer <apiToken>` from 3.0 when the connection has a token (no CSRF).
 * - An expired session is silent: 401 (XHR), 307 to the base path, 404 or 403 depending on the
 *   version. Any of those triggers one re-login (single-flight) and one retry of the request;
 *   a request the panel answered that way was not processed, so repeating it is safe.
 *
 * Version detection uses only what the panel exposes: `GET csrf-token` exists from 3.0 (404
 * before); v2 login pages link assets as `custom.min.css?<version>`; 3.1+ reports
 * `panelVersion` in `server/status`; 3.0.x injects `X_UI_CUR_VER` into the panel page after login.
 */
import { PanelError, type PanelErrorCode } from './panel-error';
import type { PanelHttp, PanelRequest, PanelResponse } from './panel-http';
import type { PanelConnection, PanelInfo } from './panel.types';
import { csrfTokenSchema, envelopeSchema, panelUpdateInfoSchema, serverStatusSchema } from './xui.schemas';

/** What a 3.0.x panel that hides its patch level is reported as (compares as 3.0.0). */
export const UNKNOWN_V30 = '3.0.x';

/** Behaviour switches of the detected version that the adapter's route sets need. */
export interface XuiVersionTraits {
  version: string;
  /** 2.8.0+: `:id/delClientByEmail/:email`. */
  delClientByEmail: boolean;
  /** 3.0+: one email on several inbounds when every copy has the same subId. */
  sharedEmail: boolean;
  /** 3.1+: `/panel/api/clients/*`. */
  clientRoutes: boolean;
  /** 2.7+: `GET panel/api/server/status` (before: `POST {base}server/status`). */
  serverApi: boolean;
}

/** Numeric compare of dotted versions. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The profile (PANELS.md B.1) of a supported version. */
export function profileOf(version: string): string {
  if (compareVersions(version, '2.7.0') < 0) return 'G2';
  if (compareVersions(version, '2.8.4') < 0) return 'G3';
  if (compareVersions(version, '3.0.0') < 0) return 'G4';
  if (compareVersions(version, '3.1.0') < 0) return 'G5';
  return 'G6';
}

/** The traits of a version. */
export function traitsOf(version: string): XuiVersionTraits {
  const atLeast = (v: string): boolean => compareVersions(version, v) >= 0;
  return {
    version,
    delClientByEmail: atLeast('2.8.0'),
    sharedEmail: atLeast('3.0.0'),
    clientRoutes: atLeast('3.1.0'),
    serverApi: atLeast('2.7.0'),
  };
}

const AUTH_STATUSES = new Set([401, 403, 404, 301, 302, 303, 307, 308]);

/** A request through the session (auth headers and re-login added). */
export type SessionRequest = Omit<PanelRequest, 'headers'>;

/** Login state and detection for one panel. */
export class XuiSession {
  private csrfToken: string | undefined;
  /** 3.0+: set by detection; decides CSRF and whether Bearer may be used. */
  private v3 = false;
  private useBearer = false;
  private loggedIn = false;
  private loginGen = 0;
  private loginInFlight: Promise<void> | undefined;

  constructor(
    private readonly http: PanelHttp,
    private readonly conn: PanelConnection,
  ) {}

  private secrets(): string[] {
    return [this.conn.password, this.conn.apiToken, this.csrfToken].filter((s): s is string => typeof s === 'string' && s !== '');
  }

  /** A PanelError of this panel with our secrets redacted from the panel's text. */
  error(code: PanelErrorCode, operation: string, retryable: boolean, panelMessage?: string, status?: number): PanelError {
    return new PanelError({
      code,
      serverId: this.conn.serverId,
      operation,
      retryable,
      panelMessage,
      status,
      redact: this.secrets(),
    });
  }

  private hasCredentials(): boolean {
    return !!this.conn.username && !!this.conn.password;
  }

  /** Fetches a fresh CSRF token (the transport stores the session cookie that carries it). */
  private async fetchCsrf(): Promise<string> {
    const op = 'xui.csrf-token';
    const res = await this.http.request({ operation: op, method: 'GET', path: 'csrf-token', idempotent: true });
    if (res.status !== 200) throw this.error('PANEL_AUTH_FAILED', op, false, `csrf-token answered HTTP ${res.status}`, res.status);
    return this.http.parseJson(res, csrfTokenSchema, op).obj;
  }

  /** Cookie login (with CSRF from 3.0). Throws PANEL_AUTH_FAILED on refused credentials. */
  private async cookieLogin(): Promise<void> {
    const op = 'xui.login';
    if (!this.hasCredentials()) throw this.error('PANEL_AUTH_FAILED', op, false, 'no username/password configured');
    this.http.cookies.clear();
    this.csrfToken = undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers: Record<string, string> = {};
      if (this.v3) {
        this.csrfToken = await this.fetchCsrf();
        headers['x-csrf-token'] = this.csrfToken;
      }
      const res = await this.http.request({
        operation: op,
        method: 'POST',
        path: 'login',
        headers,
        json: { username: this.conn.username, password: this.conn.password },
        idempotent: true,
      });
      // 403 = the CSRF token did not match (e.g. the cookie was dropped): one fresh try.
      if (res.status === 403 && this.v3 && attempt === 0) continue;
      if (res.status === 404) throw this.error('PANEL_AUTH_FAILED', op, false, 'login page not found (check the web base path)', 404);
      if (res.status !== 200) throw this.error('PANEL_AUTH_FAILED', op, false, `login answered HTTP ${res.status}`, res.status);
      const env = this.http.parseJson(res, envelopeSchema, op);
      if (!env.success) throw this.error('PANEL_AUTH_FAILED', op, false, env.msg);
      this.loggedIn = true;
      this.loginGen += 1;
      return;
    }
    throw this.error('PANEL_AUTH_FAILED', op, false, 'login refused the CSRF token');
  }

  /** Makes sure a later request is authenticated (single-flight). */
  async ensureLogin(force = false): Promise<void> {
    if (this.useBearer) return;
    if (this.loggedIn && !force) return;
    if (!this.loginInFlight) {
      this.loginInFlight = this.cookieLogin().finally(() => {
        this.loginInFlight = undefined;
      });
    }
    await this.loginInFlight;
  }

  private authHeaders(method: string): Record<string, string> {
    const h: Record<string, string> = { 'x-requested-with': 'XMLHttpRequest' };
    if (this.useBearer && this.conn.apiToken) h.authorization = `Bearer ${this.conn.apiToken}`;
    else if (this.v3 && method !== 'GET' && this.csrfToken) h['x-csrf-token'] = this.csrfToken;
    return h;
  }

  /**
   * Sends an authenticated request; on a session-expiry answer logs in again once and repeats it.
   * Returns the response for the caller to parse (status 200 expected).
   */
  async request(req: SessionRequest): Promise<PanelResponse> {
    await this.ensureLogin();
    const gen = this.loginGen;
    const first = await this.http.request({ ...req, headers: this.authHeaders(req.method) });
    if (!AUTH_STATUSES.has(first.status)) return first;
    if (this.useBearer) {
      // An invalid token looks like a 404; fall back to the session API when we can.
      if (!this.hasCredentials()) throw this.error('PANEL_AUTH_FAILED', req.operation, false, `API token refused (HTTP ${first.status})`, first.status);
      this.useBearer = false;
      this.loggedIn = false;
    }
    if (this.loginGen === gen) await this.ensureLogin(true);
    else await this.ensureLogin();
    const second = await this.http.request({ ...req, headers: this.authHeaders(req.method) });
    if (second.status === 404) throw this.error('PANEL_REJECTED', req.operation, false, 'route not found on this panel version', 404);
    if (AUTH_STATUSES.has(second.status)) {
      throw this.error('PANEL_AUTH_FAILED', req.operation, false, `still unauthenticated after login (HTTP ${second.status})`, second.status);
    }
    return second;
  }

  /** Detects the version and sets up the auth mode; refuses versions below 2.0.0. */
  async detect(): Promise<PanelInfo> {
    const op = 'xui.detect';
    const probe = await this.http.request({ operation: op, method: 'GET', path: 'csrf-token', idempotent: true });
    let version: string | undefined;
    if (probe.status === 200) {
      this.v3 = true;
      this.csrfToken = this.http.parseJson(probe, csrfTokenSchema, op).obj;
      this.useBearer = !!this.conn.apiToken;
      version = await this.detectV3(op);
    } else if (probe.status === 404) {
      this.v3 = false;
      this.useBearer = false;
      version = await this.detectV2(op);
    } else {
      throw this.error('PANEL_UNAVAILABLE', op, true, `csrf-token probe answered HTTP ${probe.status}`, probe.status);
    }
    if (compareVersions(version, '2.0.0') < 0) {
      throw this.error('PANEL_VERSION_UNSUPPORTED', op, false, `3x-ui ${version} is not supported (2.0.0 or later is required)`);
    }
    const v3 = compareVersions(version, '3.0.0') >= 0;
    return {
      kind: 'XUI',
      version,
      profile: profileOf(version),
      capabilities: { apiToken: v3, csrf: v3, clientRoutes: compareVersions(version, '3.1.0') >= 0, deviceLimit: true },
    };
  }

  private async detectV2(op: string): Promise<string> {
    const page = await this.http.request({ operation: op, method: 'GET', path: '', idempotent: true });
    if (page.status === 404) throw this.error('PANEL_REJECTED', op, false, 'no 3x-ui login page at this URL (check the web base path)', 404);
    if (page.status !== 200) throw this.error('PANEL_UNAVAILABLE', op, true, `login page answered HTTP ${page.status}`, page.status);
    const m = /\.(?:css|js)\?v?(\d+\.\d+(?:\.\d+){0,2})["']/.exec(page.text);
    if (!m) throw this.error('PANEL_VERSION_UNSUPPORTED', op, false, 'the panel does not report a version this adapter understands');
    return m[1];
  }

  private async detectV3(op: string): Promise<string> {
    const status = await this.request({ operation: op, method: 'GET', path: 'panel/api/server/status', idempotent: true });
    if (status.status === 200) {
      const env = this.http.parseJson(status, envelopeSchema, op);
      const parsed = serverStatusSchema.safeParse(env.obj);
      if (env.success && parsed.success && parsed.data.panelVersion) return parsed.data.panelVersion;
    }
    // 3.0.x: the version is on the panel page, which needs a cookie session; with a token
    // alone only the update check (which needs GitHub access on the panel) can tell.
    if (!this.hasCredentials()) {
      const info = await this.request({ operation: op, method: 'GET', path: 'panel/api/server/getPanelUpdateInfo', idempotent: true });
      if (info.status === 200) {
        const env = this.http.parseJson(info, envelopeSchema, op);
        const parsed = panelUpdateInfoSchema.safeParse(env.obj);
        if (env.success && parsed.success) return parsed.data.currentVersion;
      }
      return UNKNOWN_V30;
    }
    const bearer = this.useBearer;
    this.useBearer = false;
    try {
      await this.ensureLogin();
      const page = await this.http.request({ operation: op, method: 'GET', path: 'panel/', idempotent: true });
      const m = /X_UI_CUR_VER="([^"]+)"/.exec(page.text);
      return m ? m[1] : UNKNOWN_V30;
    } finally {
      this.useBearer = bearer;
    }
  }
}
