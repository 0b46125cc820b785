/**
 * The S-UI HTTP API as the adapter uses it: auth (token API, or the session API with one re-login
 * on an expired session), the JSON envelope, version detection and client row reads. The panel's
 * refusal of a write (it processed the request and rolled back) is remembered as definite.
 */
import type { ZodType } from 'zod';
import { PanelError, type PanelErrorCode } from './panel-error';
import { PanelHttp, type PanelHttpOptions, type PanelRequest, type PanelResponse } from './panel-http';
import type { PanelConnection, PanelInfo } from './panel.types';
import { chunkIds, needsLogin, peekMsg, SUI_MIN_VERSION, suiProfileFor } from './sui.model';
import {
  suiClientsFullObjSchema,
  suiClientsObjSchema,
  suiClientSummarySchema,
  suiEnvelopeSchema,
  suiSaveObjSchema,
  suiStatusSysSchema,
  type SuiClientFull,
  type SuiClientSummary,
} from './sui.schemas';

/**
 * Longest `id=` list per `GET clients?id=` request, in characters: about 1,400 clients per request,
 * keeping the request line under the 8 KiB that reverse proxies (nginx) accept by default.
 */
const MAX_ID_QUERY_CHARS = 7000;

export type Mode = 'token' | 'session';

interface CallOptions {
  query?: Record<string, string | number | undefined>;
  form?: Record<string, string>;
  idempotent: boolean;
  /** Force the session API (detect's fallback when `/apiv2` is missing). */
  mode?: Mode;
}

/** One S-UI panel's API (one per adapter). */
export class SuiApi {
  readonly serverId: string;
  /** `token` when the connection has an API token, else `session`. */
  readonly mode: Mode;
  private readonly conn: PanelConnection;
  private readonly http: PanelHttp;
  private readonly secrets: string[];
  private detected?: PanelInfo;
  private detecting?: Promise<PanelInfo>;
  private loggingIn?: Promise<void>;
  /** Incremented on each successful login; lets concurrent callers share one re-login. */
  private sessionGen = 0;
  /** name → id hint; always verified against the row's name before use. */
  private readonly idByName = new Map<string, number>();
  /** Errors that are the panel's definite refusal (it processed the request and rolled back). */
  private readonly definite = new WeakSet<Error>();

  constructor(conn: PanelConnection, httpOptions?: Partial<PanelHttpOptions>) {
    this.conn = conn;
    this.serverId = conn.serverId;
    this.mode = conn.apiToken ? 'token' : 'session';
    this.secrets = [conn.password, conn.apiToken].filter((s): s is string => typeof s === 'string' && s !== '');
    this.http = new PanelHttp({ ...httpOptions, serverId: conn.serverId, baseUrl: conn.baseUrl });
  }

  /** What {@link detect} found, once it has run. */
  get info(): PanelInfo | undefined {
    return this.detected;
  }

  /** Whether `err` is the panel's definite refusal of a request (nothing was written). */
  isDefinite(err: unknown): boolean {
    return err instanceof Error && this.definite.has(err);
  }

  /** Remembers the row id of a client name (a hint, verified before use). */
  rememberId(name: string, id: number): void {
    this.idByName.set(name, id);
  }

  /** Forgets the row id hint of a client name. */
  forgetId(name: string): void {
    this.idByName.delete(name);
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.http.close();
  }

  /** Reads the version from `status?r=sys` (`obj.sys.appVersion`; `settings` omits it) and caches it. */
  async detect(): Promise<PanelInfo> {
    if (this.detected) return this.detected;
    this.detecting ??= this.doDetect().finally(() => {
      this.detecting = undefined;
    });
    return this.detecting;
  }

  private async doDetect(): Promise<PanelInfo> {
    let version: string;
    try {
      version = await this.readVersion(this.mode);
    } catch (err) {
      // No /apiv2 at all means S-UI < 1.2; with credentials we can still name the version.
      if (!(err instanceof PanelError && err.code === 'PANEL_VERSION_UNSUPPORTED' && this.hasCredentials())) throw err;
      version = await this.readVersion('session').catch(() => {
        throw err;
      });
    }
    const profile = suiProfileFor(version);
    if (profile === null) {
      throw this.error({
        code: 'PANEL_VERSION_UNSUPPORTED',
        operation: 'sui.detect',
        retryable: false,
        panelMessage: `S-UI ${version} is not supported; version ${SUI_MIN_VERSION} or later is required`,
      });
    }
    this.detected = {
      kind: 'SUI',
      version,
      profile,
      capabilities: { apiToken: true, csrf: false, clientRoutes: false, deviceLimit: false },
    };
    return this.detected;
  }

  async readVersion(mode: Mode): Promise<string> {
    const obj = await this.call('sui.status', 'GET', 'status', suiStatusSysSchema, { query: { r: 'sys' }, idempotent: true, mode });
    return obj.sys.appVersion;
  }

  private hasCredentials(): boolean {
    return typeof this.conn.username === 'string' && this.conn.username !== '' && typeof this.conn.password === 'string';
  }

  error(init: { code: PanelErrorCode; operation: string; retryable: boolean; panelMessage?: string; status?: number }): PanelError {
    return new PanelError({ ...init, serverId: this.serverId, redact: this.secrets });
  }

  /** One API call: auth, envelope, `success`, then the `obj` schema. */
  async call<T>(op: string, method: 'GET' | 'POST', action: string, schema: ZodType<T>, opts: CallOptions): Promise<T> {
    const res = await this.send(op, method, action, opts);
    const env = this.envelope(res, op);
    if (!env.success) {
      const err = this.error({ code: 'PANEL_REJECTED', operation: op, retryable: false, panelMessage: env.msg, status: res.status });
      this.definite.add(err);
      throw err;
    }
    const parsed = schema.safeParse(env.obj);
    if (!parsed.success) {
      throw this.error({ code: 'PANEL_REJECTED', operation: op, retryable: false, panelMessage: 'unexpected response shape', status: res.status });
    }
    return parsed.data;
  }

  private envelope(res: PanelResponse, op: string): { success: boolean; msg: string; obj: unknown } {
    if (res.status === 404) {
      throw this.error({ code: 'PANEL_UNAVAILABLE', operation: op, retryable: false, status: 404, panelMessage: 'not found: check the panel URL and its web base path' });
    }
    if (res.status === 403) {
      // The only 403 the panel sends: its `webDomain` setting refuses any other Host header.
      throw this.error({ code: 'PANEL_REJECTED', operation: op, retryable: false, status: 403, panelMessage: 'forbidden: the panel only answers its configured web domain; use that host name in the panel URL' });
    }
    if (res.status !== 200) {
      throw this.error({ code: 'PANEL_REJECTED', operation: op, retryable: false, status: res.status, panelMessage: `unexpected HTTP status ${res.status}` });
    }
    return this.http.parseJson(res, suiEnvelopeSchema, op);
  }

  private async send(op: string, method: 'GET' | 'POST', action: string, opts: CallOptions): Promise<PanelResponse> {
    const mode = opts.mode ?? this.mode;
    const req: PanelRequest = {
      operation: op,
      method,
      path: `${mode === 'token' ? 'apiv2' : 'api'}/${action}`,
      query: opts.query,
      form: opts.form,
      idempotent: opts.idempotent,
    };
    if (mode === 'token') {
      const res = await this.http.request({ ...req, headers: { Token: this.conn.apiToken ?? '' } });
      if (res.status >= 300 && res.status < 400) {
        // An unknown route inside the base path redirects to the login page: this panel has no /apiv2.
        throw this.error({
          code: 'PANEL_VERSION_UNSUPPORTED',
          operation: op,
          retryable: false,
          status: res.status,
          panelMessage: `the panel has no token API (/apiv2); S-UI ${SUI_MIN_VERSION} or later is required`,
        });
      }
      if (res.status === 200 && /invalid token/i.test(peekMsg(res) ?? '')) {
        throw this.error({ code: 'PANEL_AUTH_FAILED', operation: op, retryable: false, status: 200, panelMessage: 'invalid token' });
      }
      return res;
    }

    const headers = { 'X-Requested-With': 'XMLHttpRequest' };
    const gen = await this.ensureSession(op);
    let res = await this.http.request({ ...req, headers });
    if (!needsLogin(res)) return res;
    // Expired or dropped session: the panel refused before handling, so retrying once is safe.
    await this.relogin(op, gen);
    res = await this.http.request({ ...req, headers });
    if (needsLogin(res)) {
      throw this.error({ code: 'PANEL_AUTH_FAILED', operation: op, retryable: true, status: res.status, panelMessage: 'the session was refused right after login' });
    }
    return res;
  }

  /** Logs in unless a session exists; returns the session generation used. */
  private async ensureSession(op: string): Promise<number> {
    if (this.sessionGen === 0 || this.http.cookies.get('s-ui') === undefined) await this.login(op);
    return this.sessionGen;
  }

  private async relogin(op: string, seenGen: number): Promise<void> {
    // Another call already replaced the session we saw refused: reuse it.
    if (this.sessionGen !== seenGen && this.loggingIn === undefined) return;
    await this.login(op);
  }

  private login(op: string): Promise<void> {
    this.loggingIn ??= this.doLogin(op).finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  private async doLogin(op: string): Promise<void> {
    if (!this.hasCredentials()) {
      throw this.error({ code: 'PANEL_AUTH_FAILED', operation: op, retryable: false, panelMessage: 'no username/password or API token configured' });
    }
    this.http.cookies.clear();
    const res = await this.http.request({
      operation: 'sui.login',
      method: 'POST',
      path: 'api/login',
      form: { user: this.conn.username ?? '', pass: this.conn.password ?? '' },
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
      idempotent: true,
    });
    const env = this.envelope(res, 'sui.login');
    if (!env.success) {
      // The panel's text is "wrong user or password! IP: <ip>"; keep only what matters.
      throw this.error({ code: 'PANEL_AUTH_FAILED', operation: 'sui.login', retryable: false, status: res.status, panelMessage: 'wrong user or password' });
    }
    if (this.http.cookies.get('s-ui') === undefined) {
      throw this.error({ code: 'PANEL_AUTH_FAILED', operation: 'sui.login', retryable: true, status: res.status, panelMessage: 'login answered without a session cookie' });
    }
    this.sessionGen += 1;
  }

  /**
   * `POST save`. The answer lists every client's summary; only the rows `wanted` (by their raw
   * `id`/`name`) are checked and returned, so a save costs the same whatever the panel's size.
   */
  async save(object: string, action: string, data: string, op: string, idempotent: boolean, wanted: (row: { id?: unknown; name?: unknown }) => boolean): Promise<{ clients?: SuiClientSummary[] | null }> {
    const obj = await this.call(op, 'POST', 'save', suiSaveObjSchema, { form: { object, action, data }, idempotent });
    if (obj.clients === undefined || obj.clients === null) return { clients: obj.clients };
    const clients: SuiClientSummary[] = [];
    for (const raw of obj.clients) {
      if (raw === null || typeof raw !== 'object' || !wanted(raw as { id?: unknown; name?: unknown })) continue;
      const row = suiClientSummarySchema.safeParse(raw);
      if (!row.success) throw this.error({ code: 'PANEL_REJECTED', operation: op, retryable: false, panelMessage: 'unexpected response shape' });
      clients.push(row.data);
    }
    return { clients };
  }

  async listSummaries(op: string): Promise<SuiClientSummary[]> {
    const obj = await this.call(op, 'GET', 'clients', suiClientsObjSchema, { idempotent: true });
    const rows = obj.clients ?? [];
    this.idByName.clear();
    for (const r of rows) if (!this.idByName.has(r.name)) this.idByName.set(r.name, r.id);
    return rows;
  }

  async fetchFull(ids: readonly number[], op: string): Promise<SuiClientFull[]> {
    const chunks = chunkIds(ids, MAX_ID_QUERY_CHARS);
    const out: SuiClientFull[] = [];
    for (const part of chunks) {
      // The id list goes into the path unencoded: raw commas keep the request line half as long.
      const obj = await this.call(op, 'GET', `clients?id=${part.join(',')}`, suiClientsFullObjSchema, { idempotent: true });
      out.push(...(obj.clients ?? []));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** Full rows named `name`, lowest id first (the one the subscription server serves). */
  async findRows(name: string, op: string): Promise<SuiClientFull[]> {
    const hint = this.idByName.get(name);
    if (hint !== undefined) {
      const rows = await this.fetchFull([hint], op);
      if (rows.length === 1 && rows[0].name === name) return rows;
      this.idByName.delete(name);
    }
    const summaries = await this.listSummaries(op);
    const ids = summaries.filter((s) => s.name === name).map((s) => s.id);
    if (ids.length === 0) return [];
    const rows = (await this.fetchFull(ids, op)).filter((r) => r.name === name);
    if (rows.length > 0) this.idByName.set(name, rows[0].id);
    return rows;
  }

  async requireRows(name: string, op: string): Promise<SuiClientFull[]> {
    const rows = await this.findRows(name, op);
    if (rows.length === 0) {
      throw this.error({ code: 'PANEL_REJECTED', operation: op, retryable: false, panelMessage: 'client not found' });
    }
    return rows;
  }
}
