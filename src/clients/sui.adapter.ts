/**
 * The S-UI panel adapter (PANELS.md Part A): drives `alireza0/s-ui` 1.2–1.5 through its HTTP API.
 *
 * Auth: the token API (`{base}apiv2/*`, header `Token`) when `conn.apiToken` is set, else the
 * session API (`{base}api/*`, form login, cookie `s-ui`). Session calls always send
 * `X-Requested-With: XMLHttpRequest`, so an expired session answers `Invalid login` JSON (not a
 * 307 to `/login`); either answer triggers one re-login and one retry.
 *
 * Writes go through `POST save` with the form fields `object`, `action`, `data` (JSON text): the
 * panel ignores JSON bodies. A client's identity is its `name`. `edit` replaces the whole row, so
 * every update is read-modify-write of the full row (`GET clients?id=`), keeping what we do not
 * manage (desc, group, remark, external/sub links, reset fields, unknown future fields).
 * Caveats of that API: traffic the panel counts between our read and our write is lost; on 1.2.x
 * an `edit` of a row deleted meanwhile re-inserts it (gorm upsert, no existence check).
 *
 * Every client save is checked against the client list the panel answers with: 1.3.0–1.3.4 lose
 * the client service's error and answer success with nothing written.
 *
 * The panel writes the share links (`links`, type `local`) when a client is saved, with the host
 * name of that API request unless the inbound has `addrs`: give the panel by its public host name
 * (or set `addrs`), or `getLinks` and the subscription carry the address we reached it by.
 *
 * Units: S-UI expiry is unix seconds (0 = never), volume and counters are bytes.
 * S-UI has no per-client device limit: `deviceLimit` is ignored and reported as 0.
 */
import { createHash } from 'node:crypto';
import type { ZodType } from 'zod';
import { AppError } from '../errors';
import { PanelError, type PanelErrorCode } from './panel-error';
import { PanelHttp, type PanelHttpOptions, type PanelRequest, type PanelResponse } from './panel-http';
import type {
  ClientSpec,
  ClientUsage,
  EnsureResult,
  PanelAdapter,
  PanelClient,
  PanelConnection,
  PanelHealth,
  PanelInbound,
  PanelInfo,
} from './panel.types';
import {
  suiClientsFullObjSchema,
  suiClientsObjSchema,
  suiEnvelopeSchema,
  suiInboundsObjSchema,
  suiStatusSysSchema,
  type SuiClientFull,
  type SuiClientSummary,
} from './sui.schemas';

/** The oldest S-UI version with the API this adapter speaks (`save` object/action/data, ids in `inbounds`). */
export const SUI_MIN_VERSION = '1.2.0';

/**
 * Longest `id=` list per `GET clients?id=` request, in characters: about 1,400 clients per request,
 * keeping the request line under the 8 KiB that reverse proxies (nginx) accept by default.
 */
const MAX_ID_QUERY_CHARS = 7000;

type Mode = 'token' | 'session';

interface CallOptions {
  query?: Record<string, string | number | undefined>;
  form?: Record<string, string>;
  idempotent: boolean;
  /** Force the session API (detect's fallback when `/apiv2` is missing). */
  mode?: Mode;
}

/** Parses `1.5.1`, `v1.3.11`, `1.4.0-beta` into numbers; null when not a version. */
export function parseSuiVersion(version: string): { major: number; minor: number; patch: number } | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** The adapter profile for a supported version, or null when the version is below 1.2. */
export function suiProfileFor(version: string): '1.2' | '1.3' | '1.4' | '1.5' | null {
  const v = parseSuiVersion(version);
  if (!v) return null;
  if (v.major < 1 || (v.major === 1 && v.minor < 2)) return null;
  // Newer releases than we know speak the newest known dialect.
  if (v.major > 1 || v.minor >= 5) return '1.5';
  return `1.${v.minor}` as '1.2' | '1.3' | '1.4';
}

/** The protocol-keyed client `config` we manage: every protocol, credentials from the spec. */
export function buildSuiConfig(name: string, uuid: string, password: string): Record<string, Record<string, unknown>> {
  // Shadowsocks 2022 needs base64 keys of exact sizes; derive them from our password so they are stable.
  const digest = createHash('sha256').update(`s-ui-shadowsocks:${password}`).digest();
  return {
    mixed: { username: name, password },
    socks: { username: name, password },
    http: { username: name, password },
    shadowsocks: { name, password: digest.toString('base64') },
    shadowsocks16: { name, password: digest.subarray(0, 16).toString('base64') },
    shadowtls: { name, password },
    vmess: { name, uuid, alterId: 0 },
    vless: { name, uuid, flow: '' },
    trojan: { name, password },
    naive: { username: name, password },
    hysteria: { name, auth_str: password },
    tuic: { name, uuid, password },
    hysteria2: { name, password },
    anytls: { name, password },
  };
}

// Keys of a protocol config we own; everything else (e.g. a vless `flow` set by an admin) is kept.
const CREDENTIAL_KEYS = ['name', 'username', 'uuid', 'password', 'auth_str'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys, for order-independent comparison (1.5 re-sorts config keys). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function toExpiry(expiresAt: Date | null): number {
  return expiresAt === null ? 0 : Math.floor(expiresAt.getTime() / 1000);
}

function fromExpiry(expiry: number): Date | null {
  return expiry > 0 ? new Date(expiry * 1000) : null;
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  const sa = [...new Set(a)].sort((x, y) => x - y);
  const sb = [...new Set(b)].sort((x, y) => x - y);
  return sa.length === sb.length && sa.every((v, i) => v === sb[i]);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The S-UI implementation of {@link PanelAdapter}. */
export class SuiAdapter implements PanelAdapter {
  readonly kind = 'SUI' as const;
  readonly serverId: string;

  private readonly conn: PanelConnection;
  private readonly http: PanelHttp;
  private readonly mode: Mode;
  private readonly secrets: string[];
  private info?: PanelInfo;
  private detecting?: Promise<PanelInfo>;
  private loggingIn?: Promise<void>;
  /** Incremented on each successful login; lets concurrent callers share one re-login. */
  private sessionGen = 0;
  /** name → id hint; always verified against the row's name before use. */
  private readonly idByName = new Map<string, number>();
  /** Errors that are the panel's definite refusal (it processed the request and rolled back). */
  private readonly definite = new WeakSet<Error>();
  /** Tail of the queue of writes per client name: two writes of one name never interleave here. */
  private readonly nameQueues = new Map<string, Promise<unknown>>();

  /**
   * @param conn the panel; `kind` must be `SUI`.
   * @param httpOptions transport overrides (timeouts, retries, test dispatcher); `serverId` and
   *   `baseUrl` always come from `conn`.
   */
  constructor(conn: PanelConnection, httpOptions?: Partial<PanelHttpOptions>) {
    if (conn.kind !== 'SUI') throw new TypeError('SuiAdapter needs a SUI connection');
    this.conn = conn;
    this.serverId = conn.serverId;
    this.mode = conn.apiToken ? 'token' : 'session';
    this.secrets = [conn.password, conn.apiToken].filter((s): s is string => typeof s === 'string' && s !== '');
    this.http = new PanelHttp({ ...httpOptions, serverId: conn.serverId, baseUrl: conn.baseUrl });
  }

  // ------------------------------------------------------------------ PanelAdapter

  /** Reads the version from `status?r=sys` (`obj.sys.appVersion`; `settings` omits it) and caches it. */
  async detect(): Promise<PanelInfo> {
    if (this.info) return this.info;
    this.detecting ??= this.doDetect().finally(() => {
      this.detecting = undefined;
    });
    return this.detecting;
  }

  /** Probes `status?r=sys`; never throws. Not ok for unreachable panels, bad credentials and versions below 1.2. */
  async health(): Promise<PanelHealth> {
    const started = performance.now();
    const latency = (): number => Math.round((performance.now() - started) * 100) / 100;
    try {
      const version = await this.readVersion(this.mode);
      if (suiProfileFor(version) === null) {
        return { ok: false, latencyMs: latency(), version, error: `S-UI ${version} is not supported (needs ${SUI_MIN_VERSION} or later)` };
      }
      return { ok: true, latencyMs: latency(), version };
    } catch (err) {
      return { ok: false, latencyMs: latency(), error: safeErrorText(err) };
    }
  }

  /** `GET inbounds` (summaries). S-UI inbounds have no remark or enable flag: remark = tag, enabled = true. */
  async listInbounds(): Promise<PanelInbound[]> {
    const obj = await this.call('sui.inbounds', 'GET', 'inbounds', suiInboundsObjSchema, { idempotent: true });
    return (obj.inbounds ?? []).map((i) => ({
      remoteId: String(i.id),
      tag: i.tag,
      protocol: i.type,
      port: typeof i.listen_port === 'number' ? i.listen_port : 0,
      remark: i.tag,
      enabled: true,
    }));
  }

  /**
   * Creates the client named `spec.name` or updates its full row. A create whose answer was lost
   * is followed by a look-up by name, never by a second blind create.
   */
  async ensureClient(spec: ClientSpec): Promise<EnsureResult> {
    const inboundIds = this.inboundIds(spec);
    return this.serialized(spec.name, () => this.doEnsure(spec, inboundIds));
  }

  private async doEnsure(spec: ClientSpec, inboundIds: number[]): Promise<EnsureResult> {
    const op = 'sui.ensureClient';
    await this.detect();
    const rows = await this.findRows(spec.name, op);
    if (rows.length === 0) return this.create(spec, inboundIds);
    const current = rows[0];
    const desired = this.applySpec(current, spec, inboundIds);
    if (this.sameManaged(current, desired)) return { action: 'unchanged', client: this.toPanelClient(current) };
    await this.evictFromDroppedInbounds(current, desired);
    await this.edit(desired, 'sui.save.clients.edit');
    return { action: 'updated', client: this.toPanelClient(desired) };
  }

  /**
   * S-UI 1.2.x restarts only the inbounds an edited client lists afterwards, so an inbound it is
   * taken off keeps serving it until something else restarts that inbound. There, first save it
   * disabled on the old and new inbounds together (each restarts without it), then the wanted row.
   */
  private async evictFromDroppedInbounds(current: SuiClientFull, desired: SuiClientFull): Promise<void> {
    if (this.info?.profile !== '1.2') return;
    const next = desired.inbounds ?? [];
    const dropped = (current.inbounds ?? []).filter((id) => !next.includes(id));
    if (dropped.length === 0) return;
    await this.edit({ ...desired, enable: false, inbounds: [...next, ...dropped] }, 'sui.save.clients.edit');
  }

  /** The client's full row as a {@link PanelClient}; null when the panel has no client of that name. */
  async getClient(name: string): Promise<PanelClient | null> {
    const rows = await this.findRows(name, 'sui.getClient');
    return rows.length > 0 ? this.toPanelClient(rows[0]) : null;
  }

  /** Flips `enable` on every row of that name (read-modify-write `edit`). */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const op = 'sui.setEnabled';
    await this.detect();
    await this.serialized(name, async () => {
      const rows = await this.requireRows(name, op);
      for (const row of rows) {
        if (row.enable === enabled) continue;
        await this.edit({ ...row, enable: enabled }, op);
      }
    });
  }

  /**
   * Zeroes `up`/`down` of that client (S-UI's own `resetTraffic` action resets and re-enables
   * every client, so it is not used). On 1.4+ the counters move into `totalUp`/`totalDown`, as
   * the panel's own resets do. `enable` is left as it is.
   */
  async resetTraffic(name: string): Promise<void> {
    const op = 'sui.resetTraffic';
    await this.detect();
    await this.serialized(name, async () => {
      const rows = await this.requireRows(name, op);
      for (const row of rows) {
        if (row.up === 0 && row.down === 0) continue;
        const next: SuiClientFull = { ...row, up: 0, down: 0 };
        if (typeof row.totalUp === 'number' && typeof row.totalDown === 'number') {
          next.totalUp = row.totalUp + row.up;
          next.totalDown = row.totalDown + row.down;
        }
        await this.edit(next, op);
      }
    });
  }

  /** Deletes every row of that name; a missing client (or one deleted meanwhile) is success. */
  async deleteClient(name: string): Promise<void> {
    const op = 'sui.save.clients.del';
    await this.detect();
    await this.serialized(name, async () => {
      const rows = await this.findRows(name, op);
      for (const row of rows) {
        try {
          await this.save('clients', 'del', String(row.id), op, true);
        } catch (err) {
          if (!(err instanceof PanelError && /record not found/i.test(err.panelMessage ?? ''))) throw err;
        }
      }
      this.idByName.delete(name);
    });
  }

  /** One `GET clients`: the summaries carry up/down/volume/expiry/enable. */
  async listUsage(): Promise<ClientUsage[]> {
    const rows = await this.listSummaries('sui.listUsage');
    return rows.map((r) => ({
      name: r.name,
      upBytes: r.up,
      downBytes: r.down,
      enabled: r.enable,
      trafficLimitBytes: r.volume,
      expiresAt: fromExpiry(r.expiry),
    }));
  }

  /** `GET clients` plus full rows by id in chunks (one request per about 1,400 clients). */
  async listClients(): Promise<PanelClient[]> {
    const op = 'sui.listClients';
    const summaries = await this.listSummaries(op);
    const full = await this.fetchFull(summaries.map((s) => s.id), op);
    return full.map((r) => this.toPanelClient(r));
  }

  /** The `local` and `external` share links of the client's full row (remote `sub` links are not expanded). */
  async getLinks(name: string): Promise<string[]> {
    const rows = await this.requireRows(name, 'sui.getLinks');
    return (rows[0].links ?? []).filter((l) => l.type === 'local' || l.type === 'external').map((l) => l.uri);
  }

  /** Closes the transport. */
  async close(): Promise<void> {
    await this.http.close();
  }

  // ------------------------------------------------------------------ clients

  /** Runs `fn` after every earlier write of the same client name (in this adapter) has settled. */
  private serialized<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.nameQueues.get(name) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.nameQueues.set(name, tail);
    void tail.then(() => {
      if (this.nameQueues.get(name) === tail) this.nameQueues.delete(name);
    });
    return run;
  }

  /** Validates the spec and returns its inbound ids as the panel's numbers. */
  private inboundIds(spec: ClientSpec): number[] {
    if (spec.name === '') throw new AppError('BAD_USER_INPUT', 'The client name must not be empty.');
    if (!isSafeSuiName(spec.name)) {
      throw new AppError('BAD_USER_INPUT', 'S-UI client names must not contain white space, control characters, quotes, backslashes or slashes.');
    }
    if (!Number.isSafeInteger(spec.trafficLimitBytes) || spec.trafficLimitBytes < 0) {
      throw new AppError('BAD_USER_INPUT', 'The traffic limit must be a whole number of bytes.');
    }
    return spec.inboundIds.map((id) => {
      if (!/^\d+$/.test(id)) throw new AppError('BAD_USER_INPUT', 'S-UI inbound ids are numbers.');
      return Number(id);
    });
  }

  private newClientData(spec: ClientSpec, inboundIds: number[]): SuiClientFull {
    return {
      id: 0,
      enable: spec.enabled,
      name: spec.name,
      config: buildSuiConfig(spec.name, spec.uuid, spec.password),
      inbounds: inboundIds,
      // `links` and `inbounds` must be present or the panel fails with "unexpected end of JSON input".
      links: [],
      volume: spec.trafficLimitBytes,
      expiry: toExpiry(spec.expiresAt),
      down: 0,
      up: 0,
      desc: '',
      group: '',
      remark: '',
      delayStart: false,
      autoReset: false,
      resetDays: 0,
      nextReset: 0,
      totalUp: 0,
      totalDown: 0,
    };
  }

  private async create(spec: ClientSpec, inboundIds: number[]): Promise<EnsureResult> {
    const op = 'sui.save.clients.new';
    const { id: _id, ...data } = this.newClientData(spec, inboundIds);
    try {
      const obj = await this.save('clients', 'new', JSON.stringify(data), op, false);
      const created = (obj.clients ?? []).filter((c) => c.name === spec.name).sort((a, b) => b.id - a.id)[0];
      if (!created) {
        // 1.3.0–1.3.4 answer success when the insert failed; the look-up below decides.
        throw this.error({ code: 'PANEL_REJECTED', operation: op, retryable: true, panelMessage: 'the panel answered success but does not list the new client' });
      }
      this.idByName.set(spec.name, created.id);
      return { action: 'created', client: this.toPanelClient({ ...data, id: created.id }) };
    } catch (err) {
      if (err instanceof Error && this.definite.has(err)) throw err;
      if (err instanceof PanelError && (err.code === 'PANEL_AUTH_FAILED' || err.code === 'PANEL_VERSION_UNSUPPORTED')) throw err;
      // The create may have been applied: look before anything else (never create blindly twice).
      this.idByName.delete(spec.name);
      const rows = await this.findRows(spec.name, op);
      if (rows.length === 0) throw err;
      const desired = this.applySpec(rows[0], spec, inboundIds);
      if (!this.sameManaged(rows[0], desired)) await this.edit(desired, 'sui.save.clients.edit');
      return { action: 'created', client: this.toPanelClient(desired) };
    }
  }

  /** The full row with our managed fields set from the spec; everything else kept. */
  private applySpec(current: SuiClientFull, spec: ClientSpec, inboundIds: number[]): SuiClientFull {
    const ours = buildSuiConfig(spec.name, spec.uuid, spec.password);
    const config: Record<string, unknown> = isObject(current.config) ? { ...current.config } : {};
    for (const [proto, cfg] of Object.entries(ours)) {
      const existing = config[proto];
      if (!isObject(existing)) {
        config[proto] = cfg;
        continue;
      }
      const merged: Record<string, unknown> = { ...existing };
      for (const key of CREDENTIAL_KEYS) if (key in cfg) merged[key] = cfg[key];
      config[proto] = merged;
    }
    const currentIds = current.inbounds ?? [];
    return {
      ...current,
      enable: spec.enabled,
      volume: spec.trafficLimitBytes,
      expiry: toExpiry(spec.expiresAt),
      inbounds: sameIds(currentIds, inboundIds) ? currentIds : inboundIds,
      config,
      links: current.links ?? [],
    };
  }

  private sameManaged(a: SuiClientFull, b: SuiClientFull): boolean {
    return (
      a.enable === b.enable &&
      a.volume === b.volume &&
      a.expiry === b.expiry &&
      sameIds(a.inbounds ?? [], b.inbounds ?? []) &&
      canonical(a.config ?? null) === canonical(b.config ?? null)
    );
  }

  private toPanelClient(row: SuiClientFull): PanelClient {
    const cfg = isObject(row.config) ? row.config : {};
    const field = (proto: string, key: string): string | null => {
      const c = cfg[proto];
      return isObject(c) ? str(c[key]) : null;
    };
    return {
      name: row.name,
      uuid: field('vless', 'uuid') ?? field('vmess', 'uuid') ?? field('tuic', 'uuid'),
      password: field('trojan', 'password') ?? field('hysteria2', 'password') ?? field('tuic', 'password') ?? field('anytls', 'password'),
      enabled: row.enable,
      trafficLimitBytes: row.volume,
      expiresAt: fromExpiry(row.expiry),
      deviceLimit: 0,
      inboundIds: (row.inbounds ?? []).map(String),
      upBytes: row.up,
      downBytes: row.down,
    };
  }

  private async edit(row: SuiClientFull, op: string): Promise<void> {
    const inbounds = row.inbounds ?? [];
    // Absolute full-row replace: repeating it cannot create anything, so it may be retried.
    const obj = await this.save('clients', 'edit', JSON.stringify({ ...row, inbounds, links: row.links ?? [] }), op, true);
    this.idByName.set(row.name, row.id);
    // The answer lists every client: a row that does not show what we wrote was not written
    // (1.3.0–1.3.4 report a failed edit, e.g. of a row deleted meanwhile, as a success).
    if (obj.clients === undefined || obj.clients === null) return;
    const got = obj.clients.find((c) => c.id === row.id);
    const applied =
      got !== undefined &&
      got.name === row.name &&
      got.enable === row.enable &&
      got.volume === row.volume &&
      got.expiry === row.expiry &&
      sameIds(got.inbounds ?? [], inbounds);
    if (!applied) {
      throw this.error({ code: 'PANEL_REJECTED', operation: op, retryable: true, panelMessage: 'the panel answered success but did not apply the update' });
    }
  }

  private async save(object: string, action: string, data: string, op: string, idempotent: boolean): Promise<{ clients?: SuiClientSummary[] | null }> {
    return this.call(op, 'POST', 'save', suiClientsObjSchema.partial(), { form: { object, action, data }, idempotent });
  }

  private async listSummaries(op: string): Promise<SuiClientSummary[]> {
    const obj = await this.call(op, 'GET', 'clients', suiClientsObjSchema, { idempotent: true });
    const rows = obj.clients ?? [];
    this.idByName.clear();
    for (const r of rows) if (!this.idByName.has(r.name)) this.idByName.set(r.name, r.id);
    return rows;
  }

  private async fetchFull(ids: readonly number[], op: string): Promise<SuiClientFull[]> {
    const chunks: number[][] = [];
    let chunk: number[] = [];
    let length = 0;
    for (const id of ids) {
      const add = String(id).length + 1;
      if (chunk.length > 0 && length + add > MAX_ID_QUERY_CHARS) {
        chunks.push(chunk);
        chunk = [];
        length = 0;
      }
      chunk.push(id);
      length += add;
    }
    if (chunk.length > 0) chunks.push(chunk);
    const out: SuiClientFull[] = [];
    for (const part of chunks) {
      // The id list goes into the path unencoded: raw commas keep the request line half as long.
      const obj = await this.call(op, 'GET', `clients?id=${part.join(',')}`, suiClientsFullObjSchema, { idempotent: true });
      out.push(...(obj.clients ?? []));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** Full rows named `name`, lowest id first (the one the subscription server serves). */
  private async findRows(name: string, op: string): Promise<SuiClientFull[]> {
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

  private async requireRows(name: string, op: string): Promise<SuiClientFull[]> {
    const rows = await this.findRows(name, op);
    if (rows.length === 0) {
      throw this.error({ code: 'PANEL_REJECTED', operation: op, retryable: false, panelMessage: 'client not found' });
    }
    return rows;
  }

  // ------------------------------------------------------------------ version

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
    this.info = {
      kind: 'SUI',
      version,
      profile,
      capabilities: { apiToken: true, csrf: false, clientRoutes: false, deviceLimit: false },
    };
    return this.info;
  }

  private async readVersion(mode: Mode): Promise<string> {
    const obj = await this.call('sui.status', 'GET', 'status', suiStatusSysSchema, { query: { r: 'sys' }, idempotent: true, mode });
    return obj.sys.appVersion;
  }

  // ------------------------------------------------------------------ transport

  private hasCredentials(): boolean {
    return typeof this.conn.username === 'string' && this.conn.username !== '' && typeof this.conn.password === 'string';
  }

  private error(init: { code: PanelErrorCode; operation: string; retryable: boolean; panelMessage?: string; status?: number }): PanelError {
    return new PanelError({ ...init, serverId: this.serverId, redact: this.secrets });
  }

  /** One API call: auth, envelope, `success`, then the `obj` schema. */
  private async call<T>(op: string, method: 'GET' | 'POST', action: string, schema: ZodType<T>, opts: CallOptions): Promise<T> {
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
}

/**
 * The panel accepts any name, but the name is the subscription path segment (`/sub/<name>`, one
 * segment), the proxy core's user name, and is pasted unescaped between quotes into the JSON of
 * its own change-log rows (deplete/reset jobs): a slash, quote, backslash, white space or control
 * character breaks one of those.
 */
function isSafeSuiName(name: string): boolean {
  for (const ch of name) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || /\s/.test(ch) || ch === '"' || ch === '\\' || ch === '/') return false;
  }
  return true;
}

/** The `msg` of a JSON envelope, without throwing on other bodies. */
function peekMsg(res: PanelResponse): string | undefined {
  if (!res.text.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(res.text) as unknown;
    return isObject(v) && typeof v.msg === 'string' && v.success === false ? v.msg : undefined;
  } catch {
    return undefined;
  }
}

/** A session API answer that means "not logged in": `Invalid login` JSON, or a redirect to /login. */
function needsLogin(res: PanelResponse): boolean {
  if (res.status >= 300 && res.status < 400) return true;
  return res.status === 200 && peekMsg(res) === 'Invalid login';
}

/** A short, safe description of a failure for {@link PanelHealth.error}. */
function safeErrorText(err: unknown): string {
  if (err instanceof PanelError) return err.panelMessage ? `${err.code}: ${err.panelMessage}` : `${err.code}: ${err.message}`;
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  return 'unexpected error';
}
