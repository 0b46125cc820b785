/**
 * The S-UI simulator's tables and what reads them: state, tokens and users, the read models of
 * `GET` and `load`, the proxy core's served users and the change log. The save and job layers
 * (sui.client-saves, sui.object-saves, sui.store.jobs) build on this; {@link SuiStore} is the top.
 */
import { randomBytes } from 'node:crypto';
import { INBOUND_TYPES_WITH_USERS, type SuiInboundRow, type SuiTlsRow } from './sui.links';
import type { SuiFeatures } from './sui.profile';
import {
  cloneJson,
  DEFAULT_CONFIG,
  defaultSettings,
  RESET_SCALARS,
  type ScalarKey,
  type SuiChangeRow,
  type SuiClientRow,
  type SuiStoreOptions,
  type SuiTokenRow,
  type SuiUserRow,
  type TaggedRow,
} from './sui.store.rows';

/** The simulator's data and its read side. */
export class SuiTables {
  readonly features: SuiFeatures;
  clients = new Map<number, SuiClientRow>();
  inbounds = new Map<number, SuiInboundRow>();
  tls = new Map<number, SuiTlsRow>();
  outbounds = new Map<number, TaggedRow>();
  endpoints = new Map<number, TaggedRow>();
  services = new Map<number, TaggedRow>();
  readonly changes: SuiChangeRow[] = [];
  settings: Record<string, string>;
  config: unknown = cloneJson(DEFAULT_CONFIG);
  readonly users: SuiUserRow[];
  readonly tokens: SuiTokenRow[] = [];
  /** Unix seconds of the last change (`load?lu=`). */
  lastUpdate = 0;
  /** Names/tags that had traffic in the last tick. */
  onlines: { inbound: string[]; user: string[]; outbound: string[] } = { inbound: [], user: [], outbound: [] };
  /** Traffic the core counted since the last tick, by client name. */
  readonly pendingTraffic = new Map<string, { up: number; down: number }>();
  /** Steady per-tick traffic of clients marked online, by client name. */
  readonly onlineRates = new Map<string, { up: number; down: number }>();
  /**
   * What the proxy core serves: inbound id → names of the users it was last (re)started with.
   * The panel rebuilds an inbound's user list only when it restarts that inbound, so this can lag
   * behind the table (see {@link restartInbounds}).
   */
  readonly core = new Map<number, string[]>();
  /** Go error texts the next client saves fail with inside the client service (test hook). */
  readonly clientSaveFaults: string[] = [];

  protected nextIds = { client: 1, inbound: 1, tls: 1, tagged: 1, change: 1, token: 1 };
  protected readonly opts: SuiStoreOptions;

  constructor(opts: SuiStoreOptions) {
    this.opts = opts;
    this.lastUpdate = Math.floor(opts.now() / 1000);
    this.features = opts.features;
    this.settings = defaultSettings(opts);
    this.users = [{ id: 1, username: opts.username, password: opts.password, lastLogin: '' }];
    for (const token of opts.tokens) this.addTokenRow(token, 0, 'preset');
    this.outbounds.set(1, { id: 1, type: 'direct', tag: 'direct', options: {} });
    this.nextIds.tagged = 2;
  }

  /** Current simulated time in unix seconds. */
  nowSec(): number {
    return Math.floor(this.opts.now() / 1000);
  }

  // ---------------------------------------------------------------- tokens and users

  /** Adds a token row; returns it. `expiry` in unix seconds (0 = never). */
  addTokenRow(token: string, expiry: number, desc: string): SuiTokenRow {
    const row = { id: this.nextIds.token++, desc, token, expiry, userId: 1 };
    this.tokens.push(row);
    return row;
  }

  /** The username a token belongs to, or '' (expired tokens are dropped when seen). */
  tokenUser(token: string): string {
    const now = this.nowSec();
    for (let i = this.tokens.length - 1; i >= 0; i--) {
      const t = this.tokens[i];
      if (t.expiry > 0 && t.expiry < now) this.tokens.splice(i, 1);
    }
    if (token === '') return '';
    const row = this.tokens.find((t) => t.token === token);
    if (!row) return '';
    return this.users.find((u) => u.id === row.userId)?.username ?? '';
  }

  /** A new random 32-char token, as `addToken` creates. */
  static randomToken(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const bytes = randomBytes(32);
    let out = '';
    for (const b of bytes) out += alphabet[b % alphabet.length];
    return out;
  }

  // ---------------------------------------------------------------- read models

  /** Which client fields the profile has, in the Go struct's order. */
  protected clientKeys(): ScalarKey[] {
    const keys: ScalarKey[] = ['id', 'enable', 'name', 'volume', 'expiry', 'down', 'up', 'desc', 'group'];
    if (this.features.v15) keys.push('remark', 'createdAt', 'onlineAt');
    if (this.features.resetFields) keys.push('delayStart', 'autoReset', 'resetDays', 'nextReset', 'totalUp', 'totalDown');
    return keys;
  }

  /** {@link clientKeys} after id, enable and name, each with whether summaries hide it (computed once: the profile is fixed). */
  private scalarOutputKeys?: Array<[ScalarKey, boolean]>;

  /** A client as JSON output: `full` = `GET clients?id=` rows, else the summary (A.5.1/A.5.2). */
  clientJson(row: SuiClientRow, full: boolean): Record<string, unknown> {
    this.scalarOutputKeys ??= this.clientKeys()
      .slice(3)
      .map((key): [ScalarKey, boolean] => [key, RESET_SCALARS.some(([k]) => k === key)]);
    const out: Record<string, unknown> = { id: row.id, enable: row.enable, name: row.name };
    if (full && row.config !== undefined) out.config = cloneJson(row.config);
    // Summaries are serialised at once, never kept: their inbound list needs no copy.
    out.inbounds = row.inbounds === undefined ? null : full ? cloneJson(row.inbounds) : row.inbounds;
    if (full && row.links !== undefined) out.links = cloneJson(row.links);
    for (const [key, resetField] of this.scalarOutputKeys) {
      // The summary query does not select the reset fields, so they read as zero values.
      const hidden = !full && resetField;
      out[key] = hidden ? (typeof row[key] === 'boolean' ? false : 0) : row[key];
    }
    return out;
  }

  /** `GET clients`: summaries of all clients; with `ids` (comma list) the full rows of those ids. */
  getClients(ids: string): Array<Record<string, unknown>> {
    if (ids === '') return [...this.clients.values()].map((c) => this.clientJson(c, false));
    const wanted = new Set(ids.split(',').map((s) => s.trim()));
    return [...this.clients.values()].filter((c) => wanted.has(String(c.id))).map((c) => this.clientJson(c, true));
  }

  protected memberNames(inboundId: number): string[] {
    const names: string[] = [];
    for (const c of this.clients.values()) {
      if (Array.isArray(c.inbounds) && c.inbounds.includes(inboundId)) names.push(c.name);
    }
    return names;
  }

  /** `GET inbounds`: summaries, or full objects for `ids`; `null` when there is none (Go nil slice). */
  getInbounds(ids: string): Array<Record<string, unknown>> | null {
    const rows = [...this.inbounds.values()];
    if (ids !== '') {
      const wanted = new Set(ids.split(',').map((s) => s.trim()));
      const full = rows.filter((r) => wanted.has(String(r.id))).map((r) => this.inboundFull(r));
      return full.length > 0 ? full : null;
    }
    if (rows.length === 0) return null;
    return rows.map((r) => {
      const out: Record<string, unknown> = {
        id: r.id,
        type: r.type,
        tag: r.tag,
        tls_id: r.tls_id,
        listen: r.options.listen ?? null,
        listen_port: r.options.listen_port ?? null,
      };
      const ssManaged = r.type === 'shadowsocks' && r.options.managed === true;
      const oldShadowTls = r.type === 'shadowtls' && Number(r.options.version ?? 0) < 3;
      if (INBOUND_TYPES_WITH_USERS.includes(r.type) && !ssManaged && !oldShadowTls) out.users = this.memberNames(r.id);
      return out;
    });
  }

  protected inboundFull(r: SuiInboundRow): Record<string, unknown> {
    return { id: r.id, type: r.type, tag: r.tag, tls_id: r.tls_id, addrs: cloneJson(r.addrs), out_json: cloneJson(r.out_json), ...cloneJson(r.options) };
  }

  protected taggedList(table: Map<number, TaggedRow>): Array<Record<string, unknown>> | null {
    const rows = [...table.values()].map((r) => ({ id: r.id, type: r.type, tag: r.tag, ...cloneJson(r.options) }));
    return rows.length > 0 ? rows : null;
  }

  /** `GET tls`. */
  getTls(): SuiTlsRow[] {
    return [...this.tls.values()].map((t) => cloneJson(t));
  }

  /** The object lists `save` and `GET <object>` return, keyed like `LoadPartialData`. */
  partialData(objs: readonly string[], ids: string): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    for (const obj of objs) {
      switch (obj) {
        case 'clients':
          data.clients = this.getClients(ids);
          break;
        case 'inbounds':
          data.inbounds = this.getInbounds(ids);
          break;
        case 'outbounds':
          data.outbounds = this.taggedList(this.outbounds);
          break;
        case 'endpoints':
          data.endpoints = this.taggedList(this.endpoints);
          break;
        case 'services':
          data.services = this.taggedList(this.services);
          break;
        case 'tls':
          data.tls = this.getTls();
          break;
        case 'config':
          data.config = cloneJson(this.config);
          break;
        case 'settings':
          data.settings = this.getSettings();
          break;
        default:
          break;
      }
    }
    return data;
  }

  /** `GET settings` (secret/config/version are never returned). */
  getSettings(): Record<string, string> {
    return { ...this.settings };
  }

  /** `GET changes?a=&k=&c=`: newest first, `c` rows (0/invalid → none, a Go nil slice → null). */
  getChanges(actor: string, key: string, count: string): SuiChangeRow[] | null {
    const c = /^-?\d+$/.test(count) ? Number(count) : 0;
    const rows = this.changes
      .filter((r) => (actor === '' || r.actor === actor) && (key === '' || r.key === key))
      .reverse()
      .slice(0, Math.max(0, c))
      .map((r) => cloneJson(r));
    return rows.length > 0 ? rows : null;
  }

  // ---------------------------------------------------------------- proxy core

  /**
   * The panel's `RestartInbounds`: rebuilds the core's user list of these inbounds from the enabled
   * clients that list them. Inbounds not restarted keep serving the users they started with.
   */
  restartInbounds(ids: readonly number[]): void {
    for (const id of ids) {
      const inbound = this.inbounds.get(id);
      if (!inbound) {
        this.core.delete(id);
        continue;
      }
      const names = INBOUND_TYPES_WITH_USERS.includes(inbound.type)
        ? [...this.clients.values()]
            .filter((c) => c.enable && Array.isArray(c.inbounds) && c.inbounds.includes(id))
            .map((c) => c.name)
        : [];
      this.core.set(id, names);
    }
  }

  /** The user names the core serves on the inbound tagged `tag`; null when it runs no such inbound. */
  coreUsers(tag: string): string[] | null {
    const inbound = [...this.inbounds.values()].find((i) => i.tag === tag);
    const names = inbound ? this.core.get(inbound.id) : undefined;
    return names ? [...names] : null;
  }

  /** Appends a change-log row and bumps `lastUpdate`. */
  logChange(actor: string, key: string, action: string, obj: unknown): void {
    const dt = this.nowSec();
    this.changes.push({ id: this.nextIds.change++, dateTime: dt, actor, key, action, obj: cloneJson(obj) });
    this.lastUpdate = dt;
  }
}
