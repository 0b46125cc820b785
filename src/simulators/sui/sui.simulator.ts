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
import {
  handleControlRequest,
  SimClock,
  startSimServer,
  type SimRequest,
  type SimResponse,
  type SimServerHandle,
} from '../shared/sim-http';
import { controlRoute } from './sui.control-routes';
import { SuiPanelRoutes } from './sui.panel-routes';
import { suiFeatures } from './sui.profile';
import type { SuiInboundInput, SuiSeedClient, SuiSimulator, SuiSimulatorOptions, SuiState } from './sui.simulator-api';
import { SuiStore, type SuiClientRow } from './sui.store';
import { SuiSubRoutes } from './sui.sub-routes';

export type { SuiInboundInput, SuiSeedClient, SuiSimulator, SuiSimulatorOptions, SuiState } from './sui.simulator-api';

function normalisePath(p: string): string {
  let out = p.startsWith('/') ? p : `/${p}`;
  if (!out.endsWith('/')) out += '/';
  return out;
}

const SIM_HOST_FOR_LINKS = '127.0.0.1';

function clone<T>(value: T): T {
  return structuredClone(value);
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
