/**
 * Authentication and version detection for one 3x-ui panel (PANELS.md B.3).
 *
 * - Cookie login (`POST {base}login`, JSON body); the cookie name differs per version (`session`
 *   before 2.3.8, then `3x-ui`), the transport's jar handles it. From 3.0 the login and every
 *   cookie-authenticated non-GET `/panel/api` request need the session's CSRF token
 *   (`GET {base}csrf-token`, header `X-CSRF-Token`; the token lives in the session and survives
 *   the login).
 * - `Authorization: Bearer <apiToken>` from 3.0 when the connection has a token (no CSRF).
 * - An expired session is silent: 401 (XHR), 307 to the base path, 404 or 403 depending on the
 *   version. Any of those triggers one re-login (single-flight) and one retry of the request;
 *   a request the panel answered that way was not processed, so repeating it is safe.
 *
 * Version detection (`xui.detection.ts` reads the answers): a panel whose version cannot be read
 * is never refused; the routes it needs are probed instead.
 */
import { PanelError, type PanelErrorCode } from './panel-error';
import type { PanelHttp, PanelRequest, PanelResponse } from './panel-http';
import type { PanelConnection, PanelInfo } from './panel.types';
import { compareVersions, csrfTokenOf, parseVersion, PROBE_NAME, profileOf, profileOfTraits, traitsOfShown, UNKNOWN_V2, UNKNOWN_V30, UNKNOWN_V31, versionInPage, type XuiVersionTraits } from './xui.detection';
import { csrfTokenSchema, envelopeSchema, panelUpdateInfoSchema, serverStatusSchema } from './xui.schemas';

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
  private detected: XuiVersionTraits | undefined;

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

  /**
   * Sends one authenticated request without the re-login on 404: used right after a successful
   * authenticated call to learn whether a route exists (404 = not on this version).
   */
  private async routeExists(req: SessionRequest): Promise<boolean> {
    return (await this.probe(req)).status === 200;
  }

  /**
   * One authenticated request whose 404 means "no such route on this version", never a refused
   * token or an expired session: only sent after an authenticated call of the same detection
   * succeeded (PANELS.md Part E: a probe route answering 404 says nothing about the credentials).
   */
  private async probe(req: SessionRequest): Promise<PanelResponse> {
    await this.ensureLogin();
    const res = await this.http.request({ ...req, headers: this.authHeaders(req.method) });
    if (res.status >= 500) throw this.error('PANEL_UNAVAILABLE', req.operation, true, `HTTP ${res.status}`, res.status);
    return res;
  }

  /** The traits found by {@link detect}. */
  get traits(): XuiVersionTraits | undefined {
    return this.detected;
  }

  /**
   * Detects the version and sets up the auth mode; refuses versions below 2.0.0. A panel whose
   * version cannot be read is never refused: its routes are probed instead.
   */
  async detect(): Promise<PanelInfo> {
    const op = 'xui.detect';
    const probe = await this.http.request({ operation: op, method: 'GET', path: 'csrf-token', idempotent: true });
    const token = probe.status === 200 ? csrfTokenOf(probe) : undefined;
    let traits: XuiVersionTraits;
    if (token !== undefined) {
      this.v3 = true;
      this.csrfToken = token;
      this.useBearer = !!this.conn.apiToken;
      traits = await this.detectV3(op);
    } else if (probe.status === 200 || probe.status === 404) {
      this.v3 = false;
      this.useBearer = false;
      traits = await this.detectV2(op);
    } else if (probe.status === 403) {
      throw this.error('PANEL_REJECTED', op, false, 'the panel answered HTTP 403 (web domain restriction or proxy in front of it?)', 403);
    } else {
      throw this.error('PANEL_UNAVAILABLE', op, true, `csrf-token probe answered HTTP ${probe.status}`, probe.status);
    }
    const numeric = parseVersion(traits.version);
    if (numeric !== undefined && compareVersions(numeric, '2.0.0') < 0) {
      throw this.error('PANEL_VERSION_UNSUPPORTED', op, false, `3x-ui ${traits.version} is not supported (2.0.0 or later is required)`);
    }
    this.detected = traits;
    return {
      kind: 'XUI',
      version: traits.version,
      profile: numeric !== undefined ? profileOf(numeric) : profileOfTraits(traits),
      capabilities: { apiToken: this.v3, csrf: this.v3, clientRoutes: traits.clientRoutes, deviceLimit: true },
    };
  }

  private async detectV2(op: string): Promise<XuiVersionTraits> {
    const page = await this.http.request({ operation: op, method: 'GET', path: '', idempotent: true });
    if (page.status === 404) throw this.error('PANEL_REJECTED', op, false, 'no 3x-ui login page at this URL (check the web base path)', 404);
    let text = page.status === 200 ? page.text : '';
    // A session left in the jar gets a redirect to the panel page, which carries the same links.
    if (page.status >= 300 && page.status < 400) text = (await this.panelPage(op)) ?? '';
    else if (page.status !== 200) throw this.error('PANEL_UNAVAILABLE', op, true, `login page answered HTTP ${page.status}`, page.status);
    const shown = versionInPage(text) ?? (await this.panelPage(op).then((t) => (t === undefined ? undefined : versionInPage(t))));
    const known = shown === undefined ? undefined : traitsOfShown(shown);
    if (known) return known;
    // No readable version: the route sets differ only in what is probed here; the rest of 2.x
    // works through the routes every 2.x release has (delete by key, one inbound per email).
    const serverApi = await this.routeExists({ operation: op, method: 'GET', path: 'panel/api/server/status', idempotent: true });
    return { version: UNKNOWN_V2, delClientByEmail: false, sharedEmail: false, clientRoutes: false, serverApi, linkRoutes: false };
  }

  /** The panel page (cookie login first), or undefined without credentials or on a non-200. */
  private async panelPage(op: string): Promise<string | undefined> {
    if (!this.hasCredentials()) return undefined;
    const bearer = this.useBearer;
    this.useBearer = false;
    try {
      await this.ensureLogin();
      const page = await this.http.request({ operation: op, method: 'GET', path: 'panel/', idempotent: true });
      return page.status === 200 ? page.text : undefined;
    } finally {
      this.useBearer = bearer;
    }
  }

  private async detectV3(op: string): Promise<XuiVersionTraits> {
    const status = await this.request({ operation: op, method: 'GET', path: 'panel/api/server/status', idempotent: true });
    let reported: string | undefined;
    if (status.status === 200) {
      const env = this.http.parseJson(status, envelopeSchema, op);
      const parsed = serverStatusSchema.safeParse(env.obj);
      if (env.success && parsed.success && parsed.data?.panelVersion) reported = parsed.data.panelVersion;
    }
    // 3.1+ reports its version here (a dev build a `dev+<commit>` label); 3.0.x and a 3.1+ panel
    // that has not sampled its status yet do not.
    if (reported === undefined) reported = await this.versionFromPages(op);
    const known = reported === undefined ? undefined : traitsOfShown(reported);
    if (known) return known;
    const clientRoutes = await this.routeExists({
      operation: op,
      method: 'GET',
      path: `panel/api/clients/get/${PROBE_NAME}`,
      idempotent: true,
    });
    if (clientRoutes) {
      return { version: reported ?? UNKNOWN_V31, delClientByEmail: true, sharedEmail: true, clientRoutes: true, serverApi: true, linkRoutes: true };
    }
    const linkRoutes = await this.routeExists({ operation: op, method: 'GET', path: `panel/api/inbounds/getSubLinks/${PROBE_NAME}`, idempotent: true });
    return { version: reported ?? UNKNOWN_V30, delClientByEmail: true, sharedEmail: true, clientRoutes: false, serverApi: true, linkRoutes };
  }

  /** 3.x version from the HTML pages: panel page (credentials), else login page (3.0.0), else the update check. */
  private async versionFromPages(op: string): Promise<string | undefined> {
    const fromPanel = await this.panelPage(op);
    const shown = fromPanel === undefined ? undefined : versionInPage(fromPanel);
    if (shown !== undefined) return shown;
    if (!this.hasCredentials()) {
      const login = await this.http.request({ operation: op, method: 'GET', path: '', idempotent: true });
      const onLogin = login.status === 200 ? versionInPage(login.text) : undefined;
      if (onLogin !== undefined) return onLogin;
      // Needs GitHub access on the panel; a failure is an ordinary `success:false`. The token was
      // accepted by server/status just before, so a 404 here is a build without the route.
      const info = await this.probe({ operation: op, method: 'GET', path: 'panel/api/server/getPanelUpdateInfo', idempotent: true });
      if (info.status === 200) {
        const env = this.http.parseJson(info, envelopeSchema, op);
        const parsed = panelUpdateInfoSchema.safeParse(env.obj);
        if (env.success && parsed.success) return parsed.data.currentVersion;
      }
    }
    return undefined;
  }
}
