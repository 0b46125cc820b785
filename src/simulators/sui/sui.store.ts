/**
 * The S-UI simulator's database and business logic: clients, inbounds, TLS, settings, tokens,
 * the change log, the `save` dispatcher (PANELS.md A.4) and the traffic/deplete jobs (A.6).
 *
 * It mirrors the Go services' order of operations, because that order decides which error text a
 * bad request gets (for example a `new` without `links` fails with `unexpected end of JSON input`
 * before anything else is checked). Every `save` is all-or-nothing: rows are replaced, never
 * mutated, inside a save, so a shallow copy of the tables is enough to roll back.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  GoError,
  GoPanic,
  goField,
  goHasField,
  goKind,
  goParse,
  goScalar,
  goUintArray,
  isJsonObject,
  sprintln,
  type GoScalar,
} from './sui.go-json';
import { generateLinks, INBOUND_TYPES_WITH_LINK, INBOUND_TYPES_WITH_USERS, type SuiInboundRow, type SuiTlsRow } from './sui.links';
import type { SuiFeatures } from './sui.profile';

/** One client row, all fields of the newest profile (older profiles hide some on output). */
export interface SuiClientRow {
  id: number;
  enable: boolean;
  name: string;
  /** Protocol-keyed config JSON; `undefined` = NULL in the DB (omitted on output). */
  config: unknown;
  /** Inbound ids JSON as stored (normally an array of numbers). */
  inbounds: unknown;
  /** Links JSON as stored (`[{remark,type,uri}]`); `undefined` = NULL. */
  links: unknown;
  volume: number;
  expiry: number;
  down: number;
  up: number;
  desc: string;
  group: string;
  remark: string;
  createdAt: number;
  onlineAt: number;
  delayStart: boolean;
  autoReset: boolean;
  resetDays: number;
  nextReset: number;
  totalUp: number;
  totalDown: number;
}

/** One change-log row (A.5.7). */
export interface SuiChangeRow {
  id: number;
  dateTime: number;
  actor: string;
  key: string;
  action: string;
  obj: unknown;
}

/** One API token row (A.2.2). */
export interface SuiTokenRow {
  id: number;
  desc: string;
  token: string;
  /** Unix seconds; 0 = never. */
  expiry: number;
  userId: number;
}

/** One admin user. Passwords are plaintext, as in the real panel. */
export interface SuiUserRow {
  id: number;
  username: string;
  password: string;
  lastLogin: string;
}

/** A tagged object of the outbounds/endpoints/services tables. */
interface TaggedRow {
  id: number;
  type: string;
  tag: string;
  options: Record<string, unknown>;
}

/** Duplicate client names: `accept` = S-UI up to 1.5.1; `reject` = after PR #1231. */
export type DuplicateNamePolicy = 'accept' | 'reject';

/** Options of {@link SuiStore}. */
export interface SuiStoreOptions {
  features: SuiFeatures;
  /** Simulated wall clock in ms. */
  now: () => number;
  duplicateNames: DuplicateNamePolicy;
  username: string;
  password: string;
  /** Pre-provisioned tokens (never expire). */
  tokens: readonly string[];
  webPath: string;
  subPort: number;
  subPath: string;
}

/** The settings defaults of A.5.6 (all strings). */
function defaultSettings(opts: SuiStoreOptions): Record<string, string> {
  const s: Record<string, string> = {
    webListen: '',
    webDomain: '',
    webPort: '2095',
    webCertFile: '',
    webKeyFile: '',
    webPath: opts.webPath,
    webURI: '',
    sessionMaxAge: '0',
    trafficAge: '30',
    statsBucketSeconds: '60',
    timeLocation: 'Asia/Tehran',
    subListen: '',
    subPort: String(opts.subPort),
    subPath: opts.subPath,
    subDomain: '',
    subCertFile: '',
    subKeyFile: '',
    subUpdates: '12',
    subEncode: 'true',
    subShowInfo: 'false',
    subURI: '',
    subJsonExt: '',
    subClashExt: '',
  };
  if (opts.features.v15) s.globalReset = '';
  return s;
}

const DEFAULT_CONFIG = {
  log: { level: 'info' },
  dns: {},
  route: { rules: [] },
  experimental: {},
};

function emptyClient(): SuiClientRow {
  return {
    id: 0,
    enable: false,
    name: '',
    config: undefined,
    inbounds: undefined,
    links: undefined,
    volume: 0,
    expiry: 0,
    down: 0,
    up: 0,
    desc: '',
    group: '',
    remark: '',
    createdAt: 0,
    onlineAt: 0,
    delayStart: false,
    autoReset: false,
    resetDays: 0,
    nextReset: 0,
    totalUp: 0,
    totalDown: 0,
  };
}

type ScalarKey = Exclude<keyof SuiClientRow, 'config' | 'inbounds' | 'links'>;

const BASE_SCALARS: Array<[ScalarKey, GoScalar]> = [
  ['id', 'uint'],
  ['enable', 'bool'],
  ['name', 'string'],
  ['volume', 'int64'],
  ['expiry', 'int64'],
  ['down', 'int64'],
  ['up', 'int64'],
  ['desc', 'string'],
  ['group', 'string'],
];
const V15_SCALARS: Array<[ScalarKey, GoScalar]> = [
  ['remark', 'string'],
  ['createdAt', 'int64'],
  ['onlineAt', 'int64'],
];
const RESET_SCALARS: Array<[ScalarKey, GoScalar]> = [
  ['delayStart', 'bool'],
  ['autoReset', 'bool'],
  ['resetDays', 'int'],
  ['nextReset', 'int64'],
  ['totalUp', 'int64'],
  ['totalDown', 'int64'],
];

/** A `[{remark,type,uri}]` link as kept in `links`. */
export interface SuiLink {
  remark: string;
  type: string;
  uri: string;
}

function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** A stored `inbounds` value as ids, ignoring what does not decode (the jobs ignore those errors too). */
function storedIds(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

function unionInto(target: number[], ids: readonly number[]): void {
  for (const id of ids) if (!target.includes(id)) target.push(id);
}

/** The simulator's data and the panel operations on it. */
export class SuiStore {
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

  private nextIds = { client: 1, inbound: 1, tls: 1, tagged: 1, change: 1, token: 1 };
  private readonly opts: SuiStoreOptions;

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
  private clientKeys(): ScalarKey[] {
    const keys: ScalarKey[] = ['id', 'enable', 'name', 'volume', 'expiry', 'down', 'up', 'desc', 'group'];
    if (this.features.v15) keys.push('remark', 'createdAt', 'onlineAt');
    if (this.features.resetFields) keys.push('delayStart', 'autoReset', 'resetDays', 'nextReset', 'totalUp', 'totalDown');
    return keys;
  }

  /** A client as JSON output: `full` = `GET clients?id=` rows, else the summary (A.5.1/A.5.2). */
  clientJson(row: SuiClientRow, full: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = { id: row.id, enable: row.enable, name: row.name };
    if (full && row.config !== undefined) out.config = cloneJson(row.config);
    out.inbounds = row.inbounds === undefined ? null : cloneJson(row.inbounds);
    if (full && row.links !== undefined) out.links = cloneJson(row.links);
    for (const key of this.clientKeys().slice(3)) {
      // The summary query does not select the reset fields, so they read as zero values.
      const hidden = !full && RESET_SCALARS.some(([k]) => k === key);
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

  private memberNames(inboundId: number): string[] {
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

  private inboundFull(r: SuiInboundRow): Record<string, unknown> {
    return { id: r.id, type: r.type, tag: r.tag, tls_id: r.tls_id, addrs: cloneJson(r.addrs), out_json: cloneJson(r.out_json), ...cloneJson(r.options) };
  }

  private taggedList(table: Map<number, TaggedRow>): Array<Record<string, unknown>> | null {
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

  // ---------------------------------------------------------------- save dispatcher

  /**
   * `POST save`: runs one object/action/data change atomically. Returns the object lists to
   * answer with. Throws {@link GoError} with the exact text the panel would put after `save: `.
   */
  save(obj: string, act: string, dataText: string, initUsers: string, actor: string, hostname: string): string[] {
    const snapshot = {
      clients: new Map(this.clients),
      inbounds: new Map(this.inbounds),
      tls: new Map(this.tls),
      outbounds: new Map(this.outbounds),
      endpoints: new Map(this.endpoints),
      services: new Map(this.services),
      settings: { ...this.settings },
      config: this.config,
      nextIds: { ...this.nextIds },
      core: new Map(this.core),
    };
    try {
      const objs = [obj];
      switch (obj) {
        case 'clients': {
          let inboundIds: number[] = [];
          try {
            const fault = this.clientSaveFaults.shift();
            if (fault !== undefined) throw new GoError(fault);
            inboundIds = this.saveClients(act, dataText, hostname);
          } catch (err) {
            if (!(err instanceof GoError && this.features.swallowsClientSaveErrors)) throw err;
            // 1.3.0–1.3.4: the error is lost, the (unchanged) tables are committed with a log row.
            this.clients = snapshot.clients;
            this.nextIds = snapshot.nextIds;
            inboundIds = [];
          }
          // 1.2.x lists inbounds after every client save; later versions only when some restarted.
          if (!this.features.editChecksExisting || inboundIds.length > 0) objs.push('inbounds');
          this.restartInbounds(inboundIds);
          break;
        }
        case 'inbounds':
          this.saveInbound(act, dataText, initUsers, hostname);
          objs.push('clients');
          break;
        case 'tls':
          this.saveTls(act, dataText, hostname);
          objs.push('clients', 'inbounds');
          break;
        case 'outbounds':
          this.saveTagged(this.outbounds, act, dataText);
          break;
        case 'endpoints':
          this.saveTagged(this.endpoints, act, dataText);
          break;
        case 'services':
          if (!this.features.editChecksExisting) throw new GoError(sprintln('unknown object: ', obj));
          this.saveTagged(this.services, act, dataText);
          break;
        case 'config':
          this.config = goParse(dataText);
          break;
        case 'settings':
          this.saveSettings(dataText);
          break;
        default:
          throw new GoError(sprintln('unknown object: ', obj));
      }
      let logged: unknown;
      try {
        logged = dataText.trim() === '' ? null : (JSON.parse(dataText) as unknown);
      } catch {
        logged = dataText;
      }
      this.logChange(actor, obj, act, logged);
      return objs;
    } catch (err) {
      this.core.clear();
      for (const [id, names] of snapshot.core) this.core.set(id, names);
      this.clients = snapshot.clients;
      this.inbounds = snapshot.inbounds;
      this.tls = snapshot.tls;
      this.outbounds = snapshot.outbounds;
      this.endpoints = snapshot.endpoints;
      this.services = snapshot.services;
      this.settings = snapshot.settings;
      this.config = snapshot.config;
      this.nextIds = snapshot.nextIds;
      throw err;
    }
  }

  /** Decodes one client object like `json.Unmarshal` into `model.Client`. */
  decodeClient(value: unknown, goType = 'model.Client'): SuiClientRow {
    if (!isJsonObject(value)) {
      if (value === null) return emptyClient();
      throw new GoError(`json: cannot unmarshal ${goKind(value)} into Go value of type ${goType}`);
    }
    const row = emptyClient();
    const scalars = [...BASE_SCALARS];
    if (this.features.v15) scalars.push(...V15_SCALARS);
    if (this.features.resetFields) scalars.push(...RESET_SCALARS);
    let firstError: GoError | undefined;
    for (const [key, type] of scalars) {
      try {
        const v = goScalar(goField(value, key), type, `Go struct field Client.${key}`);
        if (v !== undefined) (row as unknown as Record<string, unknown>)[key] = v;
      } catch (err) {
        // Go keeps decoding and reports the first type error at the end.
        if (err instanceof GoError) firstError ??= err;
        else throw err;
      }
    }
    for (const key of ['config', 'inbounds', 'links'] as const) {
      if (goHasField(value, key)) row[key] = cloneJson(goField(value, key));
    }
    if (firstError) throw firstError;
    return row;
  }

  /** 1.5+: `config.<proto>.name` (or `.username`) := client name. */
  private setConfigIdentity(row: SuiClientRow): void {
    if (!this.features.v15 || row.name === '' || row.config === undefined) return;
    if (row.config === null) return;
    if (!isJsonObject(row.config)) {
      throw new GoError(`json: cannot unmarshal ${goKind(row.config)} into Go value of type map[string]map[string]interface {}`);
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(row.config).sort()) {
      const cfg = row.config[key];
      if (cfg === null) {
        out[key] = null;
        continue;
      }
      if (!isJsonObject(cfg)) {
        throw new GoError(`json: cannot unmarshal ${goKind(cfg)} into Go value of type map[string]interface {}`);
      }
      const copy = { ...cfg };
      if ('name' in copy) copy.name = row.name;
      else if ('username' in copy) copy.username = row.name;
      out[key] = Object.fromEntries(Object.entries(copy).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    row.config = out;
  }

  private decodeLinks(value: unknown): SuiLink[] {
    if (value === undefined) throw new GoError('unexpected end of JSON input');
    if (value === null) return [];
    if (!Array.isArray(value)) {
      throw new GoError(`json: cannot unmarshal ${goKind(value)} into Go value of type []map[string]string`);
    }
    return value.map((item) => {
      if (item === null) return { remark: '', type: '', uri: '' };
      if (!isJsonObject(item)) throw new GoError(`json: cannot unmarshal ${goKind(item)} into Go value of type map[string]string`);
      for (const v of Object.values(item)) {
        if (v !== null && typeof v !== 'string') throw new GoError(`json: cannot unmarshal ${goKind(v)} into Go value of type string`);
      }
      return item as unknown as SuiLink;
    });
  }

  private clientInboundIds(row: SuiClientRow): number[] {
    if (row.inbounds === undefined) throw new GoError('unexpected end of JSON input');
    return goUintArray(row.inbounds);
  }

  /** Regenerates the `local` links of each client for its inbounds, keeping the others. */
  private updateLinks(rows: SuiClientRow[], hostname: string, inboundsFrom?: number[]): void {
    const perClient = rows.map((r) => inboundsFrom ?? this.clientInboundIds(r));
    for (const [i, row] of rows.entries()) {
      const old = this.decodeLinks(row.links);
      const fresh: SuiLink[] = [];
      for (const id of perClient[i]) {
        const inbound = this.inbounds.get(id);
        if (!inbound || !INBOUND_TYPES_WITH_LINK.includes(inbound.type)) continue;
        const tls = inbound.tls_id > 0 ? this.tls.get(inbound.tls_id) : undefined;
        const remark = this.features.v15 ? row.remark : '';
        for (const uri of generateLinks(row.config, inbound, tls, hostname, remark)) {
          fresh.push({ remark: inbound.tag, type: 'local', uri });
        }
      }
      for (const link of old) if (link.type !== 'local') fresh.push(link);
      row.links = fresh;
    }
  }

  private checkDuplicateName(row: SuiClientRow, pending: readonly SuiClientRow[] = []): void {
    if (this.opts.duplicateNames !== 'reject') return;
    const taken = (other: SuiClientRow): boolean => other !== row && other.id !== row.id && other.name === row.name;
    if ([...this.clients.values()].some(taken) || pending.some(taken)) {
      throw new GoError(sprintln('client name already exists: ', row.name));
    }
  }

  /** Changed inbound ids of an edit (1.3+), or `record not found`. */
  private inboundChanges(row: SuiClientRow, fillOmitted: boolean): number[] {
    const old = this.clients.get(row.id);
    if (!old) throw new GoError('record not found');
    if (fillOmitted) {
      row.links = cloneJson(old.links);
      row.config = cloneJson(old.config);
    }
    const oldIds = goUintArray(old.inbounds ?? null);
    const newIds = this.clientInboundIds(row);
    if (JSON.stringify(old.config) !== JSON.stringify(row.config) || old.name !== row.name || old.enable !== row.enable) {
      const all = [...oldIds];
      unionInto(all, newIds);
      return all;
    }
    return [...oldIds.filter((id) => !newIds.includes(id)), ...newIds.filter((id) => !oldIds.includes(id))];
  }

  private preserveTimestamps(row: SuiClientRow): void {
    if (!this.features.v15) return;
    const old = this.clients.get(row.id);
    if (!old) return;
    row.createdAt = old.createdAt;
    row.onlineAt = old.onlineAt;
  }

  /** gorm `Save`: insert when id is 0, else replace (or insert with that id). */
  private put(row: SuiClientRow): void {
    if (row.id === 0) row.id = this.nextIds.client++;
    else if (row.id >= this.nextIds.client) this.nextIds.client = row.id + 1;
    this.clients.set(row.id, row);
  }

  private saveClients(act: string, dataText: string, hostname: string): number[] {
    const f = this.features;
    switch (act) {
      case 'new':
      case 'edit': {
        const row = this.decodeClient(goParse(dataText));
        let inboundIds: number[];
        if (!f.editChecksExisting) {
          // 1.2.x: inbound ids parsed first, links regenerated, gorm Save upserts (no existence check).
          inboundIds = this.clientInboundIds(row);
          this.updateLinks([row], hostname);
        } else {
          this.setConfigIdentity(row);
          this.updateLinks([row], hostname);
          if (act === 'edit') {
            inboundIds = this.inboundChanges(row, false);
            this.preserveTimestamps(row);
          } else {
            if (f.v15) row.createdAt = this.nowSec();
            inboundIds = this.clientInboundIds(row);
          }
        }
        this.checkDuplicateName(row);
        this.put(row);
        return inboundIds;
      }
      case 'addbulk': {
        const rows = this.decodeClientArray(goParse(dataText));
        const inboundIds: number[] = [];
        let first: number[] | undefined;
        if (f.v15) {
          const now = this.nowSec();
          for (const row of rows) {
            this.setConfigIdentity(row);
            row.createdAt = now;
            unionInto(inboundIds, this.clientInboundIds(row));
          }
        } else {
          // Before 1.5.0 the first client's inbounds stand for all of them (ids and links), and an
          // empty list indexes past its end.
          if (rows.length === 0) throw new GoPanic('runtime error: index out of range [0] with length 0');
          first = this.clientInboundIds(rows[0]);
          unionInto(inboundIds, first);
        }
        this.updateLinks(rows, hostname, first);
        if (rows.length === 0) throw new GoError('empty slice found');
        for (const [i, row] of rows.entries()) {
          this.checkDuplicateName(row, rows.slice(0, i));
          this.put(row);
        }
        return inboundIds;
      }
      case 'editbulk': {
        if (!f.resetFields) throw new GoError(`unknown action: ${act}`);
        const rows = this.decodeClientArray(goParse(dataText));
        const inboundIds: number[] = [];
        for (const row of rows) {
          const changed = this.inboundChanges(row, true);
          this.setConfigIdentity(row);
          this.preserveTimestamps(row);
          unionInto(inboundIds, changed);
        }
        if (inboundIds.length > 0) {
          // 1.4.x regenerated every client's local links from the first client's inbounds.
          this.updateLinks(rows, hostname, f.v15 ? undefined : this.clientInboundIds(rows[0]));
        }
        if (rows.length === 0) throw new GoError('empty slice found');
        for (const row of rows) {
          this.checkDuplicateName(row);
          this.put(row);
        }
        return inboundIds;
      }
      case 'delbulk': {
        if (!f.resetFields) throw new GoError(`unknown action: ${act}`);
        const ids = goUintArray(goParse(dataText));
        const inboundIds: number[] = [];
        for (const id of ids) {
          const row = this.clients.get(id);
          if (!row) throw new GoError('record not found');
          unionInto(inboundIds, goUintArray(row.inbounds ?? null));
        }
        for (const id of ids) this.clients.delete(id);
        return inboundIds;
      }
      case 'del': {
        const id = (goScalar(goParse(dataText), 'uint', 'Go value') as number | undefined) ?? 0;
        const row = this.clients.get(id);
        if (!row) throw new GoError('record not found');
        const inboundIds = goUintArray(row.inbounds ?? null);
        this.clients.delete(id);
        return inboundIds;
      }
      default:
        throw new GoError(`unknown action: ${act}`);
    }
  }

  private decodeClientArray(value: unknown): SuiClientRow[] {
    if (value === null) return [];
    if (!Array.isArray(value)) {
      throw new GoError(`json: cannot unmarshal ${goKind(value)} into Go value of type []*model.Client`);
    }
    return value.map((v) => this.decodeClient(v));
  }

  private saveInbound(act: string, dataText: string, initUsers: string, hostname: string): void {
    switch (act) {
      case 'new':
      case 'edit': {
        const raw = goParse(dataText);
        if (!isJsonObject(raw)) {
          throw new GoError(`json: cannot unmarshal ${goKind(raw)} into Go value of type map[string]interface {}`);
        }
        const { id, type, tag, tls_id: tlsId, tls: _tls, users: _users, addrs, out_json: outJson, ...options } = raw;
        const row: SuiInboundRow = {
          id: typeof id === 'number' ? id : 0,
          type: typeof type === 'string' ? type : '',
          tag: typeof tag === 'string' ? tag : '',
          tls_id: typeof tlsId === 'number' ? tlsId : 0,
          addrs: addrs === undefined ? null : cloneJson(addrs),
          out_json: null,
          options: cloneJson(options),
        };
        const oldTag = act === 'edit' ? (this.inbounds.get(row.id)?.tag ?? '') : '';
        row.out_json = isJsonObject(outJson) && Object.keys(outJson).length > 0
          ? cloneJson(outJson)
          : { type: row.type, tag: row.tag, server: hostname, server_port: options.listen_port ?? 0 };
        for (const other of this.inbounds.values()) {
          if (other.tag === row.tag && other.id !== row.id) throw new GoError('UNIQUE constraint failed: inbounds.tag');
        }
        if (row.id === 0) row.id = this.nextIds.inbound++;
        else if (row.id >= this.nextIds.inbound) this.nextIds.inbound = row.id + 1;
        this.inbounds.set(row.id, row);
        if (act === 'new') this.attachClients(initUsers, row, hostname);
        else this.relinkInboundMembers(row, hostname, oldTag);
        this.restartInbounds([row.id]);
        return;
      }
      case 'del': {
        const tag = goScalar(goParse(dataText), 'string', 'Go value') as string | undefined ?? '';
        const inbound = [...this.inbounds.values()].find((i) => i.tag === tag);
        if (!inbound) return;
        for (const c of [...this.clients.values()]) {
          const ids = Array.isArray(c.inbounds) ? (c.inbounds as unknown[]) : [];
          if (!ids.includes(inbound.id)) continue;
          const links = Array.isArray(c.links) ? (c.links as SuiLink[]) : [];
          this.clients.set(c.id, {
            ...c,
            inbounds: ids.filter((i) => i !== inbound.id),
            links: links.filter((l) => l.remark !== tag),
          });
        }
        this.inbounds.delete(inbound.id);
        this.core.delete(inbound.id);
        return;
      }
      default:
        throw new GoError(`unknown action: ${act}`);
    }
  }

  /** `initUsers`: adds the new inbound to those clients and generates their links for it. */
  private attachClients(initUsers: string, inbound: SuiInboundRow, hostname: string): void {
    const ids = new Set(initUsers.split(','));
    const tls = inbound.tls_id > 0 ? this.tls.get(inbound.tls_id) : undefined;
    for (const c of [...this.clients.values()]) {
      if (!ids.has(String(c.id))) continue;
      const inbounds = [...(Array.isArray(c.inbounds) ? c.inbounds : []), inbound.id];
      const fresh: SuiLink[] = generateLinks(c.config, inbound, tls, hostname, this.features.v15 ? c.remark : '')
        .map((uri) => ({ remark: inbound.tag, type: 'local', uri }));
      const kept = (Array.isArray(c.links) ? (c.links as SuiLink[]) : []).filter((l) => l.remark !== inbound.tag);
      this.clients.set(c.id, { ...c, inbounds, links: [...fresh, ...kept] });
    }
  }

  private relinkInboundMembers(inbound: SuiInboundRow, hostname: string, oldTag: string): void {
    const tls = inbound.tls_id > 0 ? this.tls.get(inbound.tls_id) : undefined;
    for (const c of [...this.clients.values()]) {
      if (!Array.isArray(c.inbounds) || !c.inbounds.includes(inbound.id)) continue;
      const fresh: SuiLink[] = generateLinks(c.config, inbound, tls, hostname, this.features.v15 ? c.remark : '')
        .map((uri) => ({ remark: inbound.tag, type: 'local', uri }));
      const kept = (Array.isArray(c.links) ? (c.links as SuiLink[]) : []).filter(
        (l) => l.type !== 'local' || (l.remark !== inbound.tag && l.remark !== oldTag),
      );
      this.clients.set(c.id, { ...c, links: [...fresh, ...kept] });
    }
  }

  private saveTls(act: string, dataText: string, hostname: string): void {
    if (act === 'del') {
      const id = (goScalar(goParse(dataText), 'uint', 'Go value') as number | undefined) ?? 0;
      this.tls.delete(id);
      return;
    }
    if (act !== 'new' && act !== 'edit') throw new GoError(`unknown action: ${act}`);
    const raw = goParse(dataText);
    if (!isJsonObject(raw)) throw new GoError(`json: cannot unmarshal ${goKind(raw)} into Go value of type model.Tls`);
    const id = typeof raw.id === 'number' ? raw.id : 0;
    const row: SuiTlsRow = {
      id: id === 0 ? this.nextIds.tls++ : id,
      name: typeof raw.name === 'string' ? raw.name : '',
      server: cloneJson(raw.server ?? {}),
      client: cloneJson(raw.client ?? {}),
    };
    if (row.id >= this.nextIds.tls) this.nextIds.tls = row.id + 1;
    this.tls.set(row.id, row);
    if (act === 'edit') {
      for (const inbound of this.inbounds.values()) {
        if (inbound.tls_id !== row.id) continue;
        this.relinkInboundMembers(inbound, hostname, inbound.tag);
        this.restartInbounds([inbound.id]);
      }
    }
  }

  private saveTagged(table: Map<number, TaggedRow>, act: string, dataText: string): void {
    if (act === 'del') {
      const tag = goScalar(goParse(dataText), 'string', 'Go value') as string | undefined ?? '';
      for (const [id, row] of table) if (row.tag === tag) table.delete(id);
      return;
    }
    if (act !== 'new' && act !== 'edit') throw new GoError(`unknown action: ${act}`);
    const raw = goParse(dataText);
    if (!isJsonObject(raw)) throw new GoError(`json: cannot unmarshal ${goKind(raw)} into Go value of type map[string]interface {}`);
    const { id, type, tag, ...options } = raw;
    const row: TaggedRow = {
      id: typeof id === 'number' && id > 0 ? id : this.nextIds.tagged++,
      type: typeof type === 'string' ? type : '',
      tag: typeof tag === 'string' ? tag : '',
      options: cloneJson(options),
    };
    for (const other of table.values()) {
      if (other.tag === row.tag && other.id !== row.id) throw new GoError('UNIQUE constraint failed: tag');
    }
    table.set(row.id, row);
  }

  private saveSettings(dataText: string): void {
    const raw = goParse(dataText);
    if (!isJsonObject(raw)) throw new GoError(`json: cannot unmarshal ${goKind(raw)} into Go value of type map[string]string`);
    const next = { ...this.settings };
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v !== 'string') throw new GoError(`json: cannot unmarshal ${goKind(v)} into Go value of type string`);
      let value = v;
      if (k === 'webPath' || k === 'subPath') {
        if (!value.startsWith('/')) value = `/${value}`;
        if (!value.endsWith('/')) value = `${value}/`;
      }
      next[k] = value;
    }
    this.settings = next;
  }

  // ---------------------------------------------------------------- direct (test hook) operations

  /** Protocol-keyed client config the official UI would generate for `name`. */
  static defaultConfig(name: string, uuid: string, password: string): Record<string, Record<string, unknown>> {
    const ss32 = Buffer.from(password.padEnd(32, '0').slice(0, 32)).toString('base64');
    const ss16 = Buffer.from(password.padEnd(16, '0').slice(0, 16)).toString('base64');
    return {
      mixed: { username: name, password },
      socks: { username: name, password },
      http: { username: name, password },
      shadowsocks: { name, password: ss32 },
      shadowsocks16: { name, password: ss16 },
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

  /**
   * Inserts clients directly (no HTTP, no change log per row): the fast path for benchmarks and
   * fixtures. Missing fields get the UI's defaults; links are generated for listed inbounds.
   */
  insertClients(inputs: ReadonlyArray<Partial<SuiClientRow> & { name: string }>, hostname: string): SuiClientRow[] {
    const now = this.nowSec();
    const rows: SuiClientRow[] = inputs.map((input) => {
      const password = randomBytes(8).toString('hex');
      return {
        ...emptyClient(),
        enable: true,
        config: SuiStore.defaultConfig(input.name, randomUUID(), password),
        inbounds: [],
        links: [],
        createdAt: this.features.v15 ? now : 0,
        ...cloneJson(input),
        id: 0,
      };
    });
    const withInbounds = rows.filter((r) => Array.isArray(r.inbounds) && r.inbounds.length > 0);
    if (withInbounds.length > 0) this.updateLinks(withInbounds, hostname);
    for (const row of rows) this.put(row);
    // Seeded as if the panel had been restarted with them: the core serves them at once.
    const touched: number[] = [];
    for (const row of withInbounds) unionInto(touched, storedIds(row.inbounds));
    this.restartInbounds(touched);
    if (rows.length > 0) this.lastUpdate = now;
    return rows;
  }

  /** Adds an inbound directly; returns it. */
  insertInbound(input: { type: string; tag: string; listen_port: number; tls_id?: number; options?: Record<string, unknown>; addrs?: unknown }, hostname: string): SuiInboundRow {
    const data = JSON.stringify({
      type: input.type,
      tag: input.tag,
      tls_id: input.tls_id ?? 0,
      listen: '::',
      listen_port: input.listen_port,
      addrs: input.addrs ?? [],
      ...(input.options ?? {}),
    });
    this.saveInbound('new', data, '', hostname);
    const row = [...this.inbounds.values()].find((i) => i.tag === input.tag);
    if (!row) throw new Error('inbound was not stored');
    this.lastUpdate = this.nowSec();
    return row;
  }

  /** Adds a TLS profile directly; returns its id. */
  insertTls(input: { name: string; server: Record<string, unknown>; client?: Record<string, unknown> }): number {
    const id = this.nextIds.tls++;
    this.tls.set(id, { id, name: input.name, server: cloneJson(input.server), client: cloneJson(input.client ?? {}) });
    return id;
  }

  /** Rows whose name is `name`, lowest id first. */
  byName(name: string): SuiClientRow[] {
    return [...this.clients.values()].filter((c) => c.name === name);
  }

  // ---------------------------------------------------------------- jobs

  /**
   * One stats tick (every 10 s on the real panel): applies the traffic counted since the last tick
   * plus the steady rates of online clients to every enabled client of that name, sets `onlineAt`
   * (1.5+) and recomputes `onlines`.
   */
  tick(): void {
    const now = this.nowSec();
    const traffic = new Map<string, { up: number; down: number }>();
    const add = (name: string, t: { up: number; down: number }): void => {
      const cur = traffic.get(name) ?? { up: 0, down: 0 };
      traffic.set(name, { up: cur.up + t.up, down: cur.down + t.down });
    };
    for (const [name, t] of this.pendingTraffic) add(name, t);
    for (const [name, t] of this.onlineRates) add(name, t);
    this.pendingTraffic.clear();
    const users = new Set<string>();
    const inboundTags = new Set<string>();
    // The core counts by user name and only serves enabled clients; the panel then adds the
    // counts to every row of that name (duplicates included, enabled or not).
    const served = new Set<string>();
    for (const c of this.clients.values()) if (c.enable) served.add(c.name);
    for (const c of this.clients.values()) {
      const t = traffic.get(c.name);
      if (!t || !served.has(c.name) || t.up + t.down <= 0) continue;
      c.up += t.up;
      c.down += t.down;
      if (this.features.v15) c.onlineAt = now;
      users.add(c.name);
      for (const id of Array.isArray(c.inbounds) ? c.inbounds : []) {
        const tag = this.inbounds.get(Number(id))?.tag;
        if (tag) inboundTags.add(tag);
      }
    }
    this.onlines = { inbound: [...inboundTags], user: [...users], outbound: users.size > 0 ? ['direct'] : [] };
  }

  /**
   * The 1-minute deplete job: delayed start and periodic reset (1.4+), then disables every enabled
   * client over its volume (strictly greater) or past its expiry. Returns the disabled names.
   */
  runDeplete(): string[] {
    const dt = this.nowSec();
    const restart = this.features.resetFields ? this.resetClients(dt) : [];
    const disabled: string[] = [];
    for (const c of this.clients.values()) {
      if (!c.enable) continue;
      if ((c.volume > 0 && c.up + c.down > c.volume) || (c.expiry > 0 && c.expiry < dt)) {
        c.enable = false;
        disabled.push(c.name);
        unionInto(restart, storedIds(c.inbounds));
        this.changes.push({ id: this.nextIds.change++, dateTime: dt, actor: 'DepleteJob', key: 'clients', action: 'disable', obj: c.name });
      }
    }
    if (disabled.length > 0) this.lastUpdate = dt;
    this.restartInbounds(restart);
    return disabled;
  }

  /** Delayed start and periodic reset; returns the inbounds of clients it re-enabled. */
  private resetClients(dt: number): number[] {
    let changed = false;
    const reenabled: number[] = [];
    for (const c of this.clients.values()) {
      const used = c.up + c.down > 0;
      if (c.enable && c.delayStart && used) {
        if (c.autoReset) c.nextReset = dt + c.resetDays * 86400;
        else c.expiry = dt + c.resetDays * 86400;
        c.delayStart = false;
        this.changes.push({ id: this.nextIds.change++, dateTime: dt, actor: 'ResetJob', key: 'clients', action: 'reset', obj: c.name });
        changed = true;
      } else if (!c.delayStart && c.autoReset && c.nextReset < dt) {
        c.nextReset = dt + c.resetDays * 86400;
        c.totalUp += c.up;
        c.totalDown += c.down;
        c.up = 0;
        c.down = 0;
        if (!c.enable) {
          c.enable = true;
          unionInto(reenabled, storedIds(c.inbounds));
        }
      }
    }
    if (changed) this.lastUpdate = dt;
    return reenabled;
  }

  /** `POST resetTraffic` (1.5+): moves up/down into the totals, zeroes them and enables everyone. */
  resetAllTraffic(): void {
    let affected = 0;
    for (const c of this.clients.values()) {
      if (c.up + c.down > 0 || !c.enable) {
        c.totalUp += c.up;
        c.totalDown += c.down;
        c.up = 0;
        c.down = 0;
        c.enable = true;
        affected++;
      }
    }
    if (affected > 0) {
      const dt = this.nowSec();
      this.changes.push({ id: this.nextIds.change++, dateTime: dt, actor: 'ResetTrafficJob', key: 'clients', action: 'reset', obj: 'all' });
      this.lastUpdate = dt;
    }
    // The action restarts the whole core afterwards.
    this.restartInbounds([...this.inbounds.keys()]);
  }

  /** The final subscription URI `load` reports (A.7; the port is always printed). */
  subUri(host: string): string {
    if (this.settings.subURI) return this.settings.subURI;
    const protocol = this.settings.subKeyFile && this.settings.subCertFile ? 'https' : 'http';
    const h = this.settings.subDomain || host;
    return `${protocol}://${h}:${this.settings.subPort}${this.settings.subPath}`;
  }
}
