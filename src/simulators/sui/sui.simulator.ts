/**
 * The S-UI simulator: an in-process HTTP double of an S-UI panel (PANELS.md Part A, D.1, D.2)
 * with its subscription server on a second port, plus test hooks (clock, traffic, deplete job,
 * direct state edits) and the `/__sim/` control plane.
 *
 * ```ts
 * const sim = await startSuiSimulator({ profile: '1.5', sessionMaxAgeMs: 60_000 });
 * const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
 * // adapter: baseUrl = sim.url, username/password = sim.username/sim.password, apiToken = sim.token
 * await sim.close();
 * ```
 */
import { z } from 'zod';
import {
  handleControlRequest,
  SimClock,
  startSimServer,
  type SimRequest,
  type SimResponse,
  type SimServerHandle,
} from '../shared/sim-http';
import type { SuiInboundRow } from './sui.links';
import { SuiPanelRoutes } from './sui.panel-routes';
import { suiFeatures, type SuiProfile } from './sui.profile';
import { SuiStore, type DuplicateNamePolicy, type SuiChangeRow, type SuiClientRow } from './sui.store';
import { SuiSubRoutes } from './sui.sub-routes';

/** Options of {@link startSuiSimulator}. */
export interface SuiSimulatorOptions {
  /** Panel port; 0/undefined = random free port. */
  port?: number;
  /** Listen address of both ports; default 127.0.0.1. */
  host?: string;
  /** Version profile to play. `1.1` only answers login/logout/status (for refusal tests). */
  profile: SuiProfile;
  /** Overrides the version string `status?r=sys` reports (default: the profile's last release). */
  version?: string;
  /** Web base path; default `/app/` (normalised to start and end with `/`). */
  basePath?: string;
  /** Subscription port; 0/undefined = random free port. */
  subPort?: number;
  /** Subscription path; default `/sub/`. */
  subPath?: string;
  /** Admin username; default `admin`. */
  username?: string;
  /** Admin password; default `admin`. */
  password?: string;
  /** Session lifetime in ms (simulated clock); default 0 = browser-session cookie that never expires. */
  sessionMaxAgeMs?: number;
  /** The `webDomain` setting: requests for any other host name get 403 with an empty body. */
  webDomain?: string;
  /** Pre-provisioned `/apiv2` tokens (never expire); default one random 32-char token. */
  tokens?: string[];
  /** Duplicate client names: `accept` (S-UI ≤ 1.5.1, default) or `reject` (after PR #1231). */
  duplicateNames?: DuplicateNamePolicy;
  /** Simulated clock; default a new {@link SimClock} at the real current time. */
  clock?: SimClock;
  /** Run the 10 s traffic tick and the 1 min deplete job on real (unref'd) timers; default false. */
  autoJobs?: boolean;
}

/** Input of {@link SuiSimulator.addInbound}. */
export interface SuiInboundInput {
  type: string;
  tag: string;
  listen_port: number;
  /** A TLS profile id from {@link SuiSimulator.addTls}; 0 = none. */
  tls_id?: number;
  /** Extra sing-box inbound options (transport, method, password, …). */
  options?: Record<string, unknown>;
  /** `addrs` overriding the link host/port. */
  addrs?: unknown;
}

/** A client to seed directly; every field but `name` is optional. */
export type SuiSeedClient = Partial<SuiClientRow> & { name: string };

/** What {@link SuiSimulator.state} returns (deep copies). */
export interface SuiState {
  profile: SuiProfile;
  version: string;
  /** All client rows with every field (whatever the profile shows over HTTP), lowest id first. */
  clients: SuiClientRow[];
  inbounds: SuiInboundRow[];
  /** The change log, oldest first. */
  changes: SuiChangeRow[];
  onlines: { inbound: string[]; user: string[]; outbound: string[] };
  /** Inbound tag → user names the proxy core serves there (as of that inbound's last restart). */
  core: Record<string, string[]>;
  sessions: number;
  tokens: number;
}

/** A running S-UI simulator. */
export interface SuiSimulator {
  /** Panel base URL including the base path, e.g. `http://127.0.0.1:40123/app/`. */
  url: string;
  /** Subscription base URL, e.g. `http://127.0.0.1:40124/sub/`; a client's URL is `subUrl + name`. */
  subUrl: string;
  /** The panel port's harness (request counts, faults, events). */
  server: SimServerHandle;
  /** The subscription port's harness. */
  subServer: SimServerHandle;
  clock: SimClock;
  profile: SuiProfile;
  /** The version string the panel reports. */
  version: string;
  username: string;
  password: string;
  /** The first pre-provisioned `/apiv2` token. */
  token: string;
  /** The internal store (advanced tests only; prefer the hooks). */
  store: SuiStore;
  /** Deep copy of clients, inbounds, change log and counters. */
  state(): SuiState;
  /** Adds an inbound (as `save inbounds new` would); returns it. */
  addInbound(input: SuiInboundInput): SuiInboundRow;
  /** Adds a TLS profile; returns its id for `addInbound({ tls_id })`. */
  addTls(input: { name: string; server: Record<string, unknown>; client?: Record<string, unknown> }): number;
  /**
   * Inserts clients directly (no HTTP; fast for thousands). A number `n` creates `seed-000001`…
   * on `inboundIds`. Returns the stored rows.
   */
  seedClients(clients: number | readonly SuiSeedClient[], opts?: { inboundIds?: number[]; prefix?: string }): SuiClientRow[];
  /** The full row of the first client named `name` (deep copy), or undefined. */
  getClientDirect(name: string): SuiClientRow | undefined;
  /** Changes fields of every client named `name` directly (e.g. desc, group, external links). Returns rows changed. */
  patchClient(name: string, patch: Partial<Omit<SuiClientRow, 'id'>>): number;
  /** Sets the counters of every client named `name`. Returns rows changed. */
  setTraffic(name: string, up: number, down: number): number;
  /** Queues traffic the core counted for `name`; applied by the next {@link tick}. */
  addTraffic(name: string, up: number, down: number): void;
  /** Marks `name` online with a steady per-tick traffic (null = offline). */
  setOnline(name: string, perTick: { up: number; down: number } | null): void;
  /**
   * One 10 s stats tick: applies queued and steady traffic of names some enabled client carries
   * (to every row of that name), recomputes onlines.
   */
  tick(): void;
  /**
   * The user names the proxy core serves on the inbound tagged `tag` (null: no such inbound).
   * The panel rebuilds this list only when it restarts the inbound, so it can lag behind the table.
   */
  coreUsers(tag: string): string[] | null;
  /**
   * Makes the next `times` client saves fail inside the client service with this Go error text
   * (e.g. `database is locked`): `save: <text>`, or a false success on 1.3.0–1.3.4.
   */
  failClientSaves(message: string, times?: number): void;
  /** The 1 min deplete job (delayed start/periodic reset on 1.4+, then quota/expiry disable). Returns disabled names. */
  runDepleteJob(): string[];
  /** Invalidates every session cookie (the next `/api` call gets `Invalid login` / 307). */
  expireSessions(): void;
  /** Deletes every client named `name` behind the API's back. Returns rows deleted. */
  deleteClientDirect(name: string): number;
  /** Closes both ports and the job timers. */
  close(): Promise<void>;
}

function normalisePath(p: string): string {
  let out = p.startsWith('/') ? p : `/${p}`;
  if (!out.endsWith('/')) out += '/';
  return out;
}

const SIM_HOST_FOR_LINKS = '127.0.0.1';

function clone<T>(value: T): T {
  return structuredClone(value);
}

const trafficSchema = z.object({ name: z.string(), up: z.number().min(0), down: z.number().min(0), mode: z.enum(['set', 'add']).optional() });
const onlineSchema = z.object({ name: z.string(), up: z.number().min(0).optional(), down: z.number().min(0).optional(), online: z.boolean().optional() });
const nameSchema = z.object({ name: z.string() });
const patchSchema = z.object({ name: z.string(), patch: z.record(z.string(), z.unknown()) });
const seedSchema = z.object({
  count: z.number().int().min(0).optional(),
  clients: z.array(z.object({ name: z.string() }).passthrough()).optional(),
  inboundIds: z.array(z.number().int()).optional(),
  prefix: z.string().optional(),
});
const inboundSchema = z.object({
  type: z.string(),
  tag: z.string(),
  listen_port: z.number().int(),
  tls_id: z.number().int().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  addrs: z.unknown().optional(),
});

function controlJson(status: number, value: unknown): SimResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

/** Starts an S-UI simulator (panel port + subscription port). */
export async function startSuiSimulator(opts: SuiSimulatorOptions): Promise<SuiSimulator> {
  const clock = opts.clock ?? new SimClock();
  const features = suiFeatures(opts.profile, opts.version);
  const basePath = normalisePath(opts.basePath ?? '/app/');
  const subPath = normalisePath(opts.subPath ?? '/sub/');
  const username = opts.username ?? 'admin';
  const password = opts.password ?? 'admin';
  const tokens = opts.tokens && opts.tokens.length > 0 ? [...opts.tokens] : [SuiStore.randomToken()];

  // The sub port is only known after listening; the store reads it lazily via settings.
  const store = new SuiStore({
    features,
    now: () => clock.now(),
    duplicateNames: opts.duplicateNames ?? 'accept',
    username,
    password,
    tokens: features.modernApi ? tokens : [],
    webPath: basePath,
    subPort: opts.subPort ?? 2096,
    subPath,
  });
  if (opts.webDomain) store.settings.webDomain = opts.webDomain;
  const panel = new SuiPanelRoutes({ store, clock, basePath, sessionMaxAgeMs: opts.sessionMaxAgeMs, webDomain: opts.webDomain });
  const subs = new SuiSubRoutes(store, subPath);

  const hooks = {} as SuiSimulator;
  const extra = async (req: SimRequest): Promise<SimResponse | null> => controlRoute(hooks, req);

  const subServer = await startSimServer({ port: opts.subPort, host: opts.host, handle: (req) => subs.handle(req) });
  let server: SimServerHandle;
  try {
    server = await startSimServer({
      port: opts.port,
      host: opts.host,
      handle: async (req, srv) => (await handleControlRequest(req, srv, clock, extra)) ?? panel.handle(req),
    });
  } catch (err) {
    await subServer.close();
    throw err;
  }
  store.settings.subPort = String(subServer.port);
  if (opts.port) store.settings.webPort = String(server.port);

  const timers: NodeJS.Timeout[] = [];
  if (opts.autoJobs) {
    const t1 = setInterval(() => store.tick(), 10_000);
    const t2 = setInterval(() => store.runDeplete(), 60_000);
    t1.unref();
    t2.unref();
    timers.push(t1, t2);
  }

  const forName = (name: string, fn: (row: SuiClientRow) => void): number => {
    const rows = store.byName(name);
    for (const row of rows) fn(row);
    if (rows.length > 0) store.lastUpdate = store.nowSec();
    return rows.length;
  };

  Object.assign(hooks, {
    url: `${server.url}${basePath}`,
    subUrl: `${subServer.url}${subPath}`,
    server,
    subServer,
    clock,
    profile: opts.profile,
    version: features.version,
    username,
    password,
    token: tokens[0],
    store,
    state: (): SuiState => ({
      profile: opts.profile,
      version: features.version,
      clients: [...store.clients.values()].map(clone),
      inbounds: [...store.inbounds.values()].map(clone),
      changes: store.changes.map(clone),
      onlines: clone(store.onlines),
      core: Object.fromEntries(
        [...store.core].map(([id, names]) => [store.inbounds.get(id)?.tag ?? String(id), [...names]]),
      ),
      sessions: panel.sessionCount(),
      tokens: store.tokens.length,
    }),
    addInbound: (input: SuiInboundInput) => clone(store.insertInbound(input, SIM_HOST_FOR_LINKS)),
    addTls: (input: { name: string; server: Record<string, unknown>; client?: Record<string, unknown> }) => store.insertTls(input),
    seedClients: (clients: number | readonly SuiSeedClient[], seedOpts?: { inboundIds?: number[]; prefix?: string }) => {
      const inbounds = seedOpts?.inboundIds ?? [];
      const list: SuiSeedClient[] =
        typeof clients === 'number'
          ? Array.from({ length: clients }, (_, i) => ({ name: `${seedOpts?.prefix ?? 'seed-'}${String(i + 1).padStart(6, '0')}` }))
          : [...clients];
      return store
        .insertClients(list.map((c) => ({ inbounds, ...c })), SIM_HOST_FOR_LINKS)
        .map(clone);
    },
    getClientDirect: (name: string) => {
      const row = store.byName(name)[0];
      return row ? clone(row) : undefined;
    },
    patchClient: (name: string, patch: Partial<Omit<SuiClientRow, 'id'>>) =>
      forName(name, (row) => {
        const { id: _ignored, ...rest } = patch as Partial<SuiClientRow>;
        Object.assign(row, clone(rest));
      }),
    setTraffic: (name: string, up: number, down: number) =>
      forName(name, (row) => {
        row.up = up;
        row.down = down;
      }),
    addTraffic: (name: string, up: number, down: number) => {
      const cur = store.pendingTraffic.get(name) ?? { up: 0, down: 0 };
      store.pendingTraffic.set(name, { up: cur.up + up, down: cur.down + down });
    },
    setOnline: (name: string, perTick: { up: number; down: number } | null) => {
      if (perTick) store.onlineRates.set(name, { ...perTick });
      else store.onlineRates.delete(name);
    },
    tick: () => store.tick(),
    coreUsers: (tag: string) => store.coreUsers(tag),
    failClientSaves: (message: string, times = 1) => {
      for (let i = 0; i < times; i++) store.clientSaveFaults.push(message);
    },
    runDepleteJob: () => store.runDeplete(),
    expireSessions: () => panel.expireSessions(),
    deleteClientDirect: (name: string) => {
      const rows = store.byName(name);
      for (const row of rows) store.clients.delete(row.id);
      if (rows.length > 0) store.lastUpdate = store.nowSec();
      return rows.length;
    },
    close: async () => {
      for (const t of timers) clearInterval(t);
      await Promise.all([server.close(), subServer.close()]);
    },
  } satisfies SuiSimulator);
  return hooks;
}

function parseBody(req: SimRequest): unknown {
  const t = req.rawBody.toString('utf8').trim();
  return t === '' ? {} : (JSON.parse(t) as unknown);
}

/** The simulator's own `/__sim/` routes (besides the shared fault/clock/counter routes). */
function controlRoute(sim: SuiSimulator, req: SimRequest): SimResponse | null {
  const bad = (error: string): SimResponse => controlJson(400, { ok: false, error });
  const route = `${req.method} ${req.path}`;
  switch (route) {
    case 'GET /__sim/state':
      return controlJson(200, { ok: true, state: sim.state() });
    case 'POST /__sim/tick':
      sim.tick();
      return controlJson(200, { ok: true });
    case 'POST /__sim/deplete':
      return controlJson(200, { ok: true, disabled: sim.runDepleteJob() });
    case 'POST /__sim/expire-sessions':
      sim.expireSessions();
      return controlJson(200, { ok: true });
    case 'POST /__sim/traffic': {
      const p = trafficSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { name, up, down, mode?: "set"|"add" }');
      if (p.data.mode === 'add') sim.addTraffic(p.data.name, p.data.up, p.data.down);
      else sim.setTraffic(p.data.name, p.data.up, p.data.down);
      return controlJson(200, { ok: true });
    }
    case 'POST /__sim/online': {
      const p = onlineSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { name, up?, down?, online? }');
      sim.setOnline(p.data.name, p.data.online === false ? null : { up: p.data.up ?? 0, down: p.data.down ?? 0 });
      return controlJson(200, { ok: true });
    }
    case 'POST /__sim/seed': {
      const p = seedSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { count?, clients?, inboundIds?, prefix? }');
      const input = p.data.clients ? (p.data.clients as SuiSeedClient[]) : (p.data.count ?? 0);
      const rows = sim.seedClients(input, { inboundIds: p.data.inboundIds, prefix: p.data.prefix });
      return controlJson(200, { ok: true, created: rows.length });
    }
    case 'POST /__sim/inbound': {
      const p = inboundSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { type, tag, listen_port, tls_id?, options?, addrs? }');
      return controlJson(200, { ok: true, inbound: sim.addInbound(p.data) });
    }
    case 'POST /__sim/delete-client': {
      const p = nameSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { name }');
      return controlJson(200, { ok: true, deleted: sim.deleteClientDirect(p.data.name) });
    }
    case 'POST /__sim/patch-client': {
      const p = patchSchema.safeParse(parseBody(req));
      if (!p.success) return bad('expected { name, patch }');
      return controlJson(200, { ok: true, changed: sim.patchClient(p.data.name, p.data.patch as Partial<SuiClientRow>) });
    }
    default:
      return null;
  }
}
