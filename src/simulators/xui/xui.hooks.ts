/**
 * Test hooks of the 3x-ui simulator (PANELS.md D.4): direct state changes that bypass the API
 * (seeding, counters, online marks, ticks, session expiry) and their `/__sim/*` control routes.
 */
import type { SimRequest, SimResponse } from '../shared/sim-http';
import type { XuiAuth } from './xui.auth';
import type { XuiProfile } from './xui.profile';
import {
  defaultInboundSettings,
  num,
  str,
  type RawClient,
  type TrafficRate,
  type XuiInbound,
  type XuiState,
  type XuiTrafficRow,
} from './xui.state';
import { jsonResponse } from './xui.wire';

/** Input of {@link XuiSimulator.addInbound}. */
export interface XuiInboundInput {
  protocol: 'vless' | 'vmess' | 'trojan' | 'shadowsocks' | string;
  port: number;
  remark?: string;
  listen?: string;
  enable?: boolean;
  total?: number;
  expiryTime?: number;
  /** Default per protocol (`defaultInboundSettings`); `clients` inside are added as given. */
  settings?: Record<string, unknown>;
  /** Default `{network:'tcp',security:'none',tcpSettings:{header:{type:'none'}}}`. */
  streamSettings?: Record<string, unknown> | null;
  sniffing?: Record<string, unknown> | null;
}

/** A client for {@link XuiSimulator.seedClients}: settings fields plus optional starting counters. */
export type XuiSeedClient = RawClient & { email: string; up?: number; down?: number };

/** What {@link XuiSimulator.state} returns (deep copies). */
export interface XuiStateDump {
  inbounds: Array<Omit<XuiInbound, 'userId'>>;
  /** Every `settings.clients[]` entry with the id of its inbound. */
  clients: Array<RawClient & { inboundId: number }>;
  /** `client_traffics` rows. */
  clientStats: XuiTrafficRow[];
}

/** The hooks every simulator has. */
export interface XuiHooks {
  /** Deep copy of the database. */
  state(): XuiStateDump;
  /** Adds an inbound directly (no auth); returns its id. */
  addInbound(input: XuiInboundInput): number;
  /** Bulk-creates clients on an inbound in-process (benchmarks); a number makes `seed-00001…` clients. Returns the emails. */
  seedClients(inboundId: number, clients: number | XuiSeedClient[], prefix?: string): string[];
  /** Sets fields of every settings entry of a client (e.g. `tgId`, `comment`, `flow` set by an admin). */
  patchClient(email: string, patch: RawClient): void;
  /** Sets the absolute counters of a client's traffic row. */
  setTraffic(email: string, up: number, down: number): void;
  /** Marks a client online with the bytes each tick adds (null = offline). */
  setOnline(email: string, rate: TrafficRate | null): void;
  /** One traffic-job run: counters of online clients grow, then auto-renew and depletion apply. */
  tick(): { disabled: string[] };
  /** Panel-side traffic reset of one client: `up=down=0`, row re-enabled. */
  resetCounters(email: string): void;
  /** Invalidates every session (as if all cookies reached their Max-Age). */
  expireSessions(): void;
  /** Changes the admin credentials (3.0.2+: invalidates every session). */
  setCredentials(username: string, password: string): void;
  /** Removes a client from every inbound and drops its traffic row, bypassing the API. */
  deleteClientDirect(email: string): void;
}

/** Builds the hooks over one simulator's state and auth. */
export function createHooks(state: XuiState, auth: XuiAuth): XuiHooks {
  const entryEmailIndex = (): Set<string> => {
    const s = new Set<string>();
    for (const ib of state.inbounds.values()) for (const c of state.clientsOf(ib)) s.add(str(c, 'email').toLowerCase());
    return s;
  };

  const hooks: XuiHooks = {
    state(): XuiStateDump {
      const inbounds = state.inboundList().map(({ userId: _u, ...rest }) => structuredClone(rest));
      const clients = state.inboundList().flatMap((ib) => state.clientsOf(ib).map((c) => ({ ...structuredClone(c), inboundId: ib.id })));
      return { inbounds, clients, clientStats: [...state.traffic.values()].map((r) => ({ ...r })).sort((a, b) => a.id - b.id) };
    },
    addInbound(input: XuiInboundInput): number {
      const settings = structuredClone(input.settings ?? defaultInboundSettings(input.protocol));
      const clients = Array.isArray(settings.clients) ? (settings.clients as RawClient[]) : [];
      settings.clients = clients.map((c) => state.newClient(input.protocol, c));
      const stream =
        input.streamSettings === undefined ? { network: 'tcp', security: 'none', tcpSettings: { header: { type: 'none' } } } : input.streamSettings;
      const inbound: XuiInbound = {
        id: state.allocInboundId(),
        userId: 1,
        up: 0,
        down: 0,
        total: input.total ?? 0,
        allTime: 0,
        remark: input.remark ?? `${input.protocol}-${input.port}`,
        enable: input.enable ?? true,
        expiryTime: input.expiryTime ?? 0,
        trafficReset: 'never',
        lastTrafficResetTime: 0,
        listen: input.listen ?? '',
        port: input.port,
        protocol: input.protocol,
        settings,
        streamSettings: stream === null ? null : structuredClone(stream),
        sniffing: input.sniffing === undefined ? { enabled: true, destOverride: ['http', 'tls', 'quic'] } : input.sniffing,
        tag: `inbound-${input.port}`,
      };
      state.inbounds.set(inbound.id, inbound);
      for (const c of state.clientsOf(inbound)) state.addTrafficRow(inbound.id, c);
      return inbound.id;
    },
    seedClients(inboundId: number, clients: number | XuiSeedClient[], prefix = 'seed-'): string[] {
      const inbound = state.inbounds.get(inboundId);
      if (!inbound) throw new Error(`no inbound ${inboundId}`);
      const list: XuiSeedClient[] =
        typeof clients === 'number'
          ? Array.from({ length: clients }, (_, i) => ({ email: `${prefix}${String(i + 1).padStart(5, '0')}` }))
          : clients;
      const taken = entryEmailIndex();
      const target = state.clientsOf(inbound);
      const emails: string[] = [];
      for (const { up, down, ...fields } of list) {
        if (taken.has(fields.email.toLowerCase())) throw new Error(`duplicate email ${fields.email}`);
        taken.add(fields.email.toLowerCase());
        const entry = state.newClient(inbound.protocol, fields);
        target.push(entry);
        state.addTrafficRow(inbound.id, entry);
        const row = state.traffic.get(fields.email);
        if (row) {
          row.up = up ?? 0;
          row.down = down ?? 0;
          row.allTime = row.up + row.down;
        }
        emails.push(fields.email);
      }
      return emails;
    },
    patchClient(email: string, patch: RawClient): void {
      const locs = state.findEntries(email);
      if (locs.length === 0) throw new Error(`no client ${email}`);
      for (const l of locs) Object.assign(l.client, structuredClone(patch));
      const row = state.traffic.get(str(locs[0].client, 'email'));
      if (row) {
        if ('enable' in patch) row.enable = patch.enable === true;
        if ('totalGB' in patch) row.total = num(patch, 'totalGB');
        if ('expiryTime' in patch) row.expiryTime = num(patch, 'expiryTime');
      }
    },
    setTraffic(email: string, up: number, down: number): void {
      const row = state.traffic.get(email);
      if (!row) throw new Error(`no traffic row for ${email}`);
      row.up = up;
      row.down = down;
      row.allTime = Math.max(row.allTime, up + down);
    },
    setOnline(email: string, rate: TrafficRate | null): void {
      if (rate === null) state.online.delete(email);
      else state.online.set(email, rate);
    },
    tick: () => state.tick(),
    resetCounters(email: string): void {
      const row = state.traffic.get(email);
      if (!row) throw new Error(`no traffic row for ${email}`);
      row.up = 0;
      row.down = 0;
      row.enable = true;
    },
    expireSessions: () => auth.expireAll(),
    setCredentials: (u: string, p: string) => auth.setCredentials(u, p),
    deleteClientDirect(email: string): void {
      for (const loc of state.findEntries(email)) {
        const clients = state.clientsOf(loc.inbound);
        clients.splice(clients.indexOf(loc.client), 1);
      }
      state.deleteTrafficCaseInsensitive(email);
      state.online.delete(email);
    },
  };

  return hooks;
}

/**
 * The simulator's own `/__sim/*` routes (besides the shared ones): `GET state`, `POST tick`,
 * `inbounds`, `seed`, `traffic`, `online`, `reset-traffic`, `patch-client`, `delete-client`,
 * `expire-sessions`. JSON bodies mirror the hook arguments.
 */
export function controlRoutes(hooks: XuiHooks, version: string, profile: XuiProfile): (req: SimRequest) => Promise<SimResponse | null> {
  return async (req: SimRequest): Promise<SimResponse | null> => {
    const body = (): Record<string, unknown> => {
      const text = req.rawBody.toString('utf8').trim();
      return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    };
    const ok = (extra: Record<string, unknown> = {}): SimResponse => jsonResponse(200, { ok: true, ...extra });
    try {
      switch (`${req.method} ${req.path}`) {
        case 'GET /__sim/state':
          return ok({ state: hooks.state(), version, profile });
        case 'POST /__sim/tick':
          return ok(hooks.tick());
        case 'POST /__sim/inbounds':
          return ok({ id: hooks.addInbound(body() as unknown as XuiInboundInput) });
        case 'POST /__sim/seed': {
          const b = body();
          return ok({ emails: hooks.seedClients(Number(b.inboundId), (b.clients ?? b.count) as number | XuiSeedClient[]) });
        }
        case 'POST /__sim/traffic': {
          const b = body();
          hooks.setTraffic(String(b.email), Number(b.up), Number(b.down));
          return ok();
        }
        case 'POST /__sim/online': {
          const b = body();
          hooks.setOnline(String(b.email), b.up === undefined ? null : { up: Number(b.up), down: Number(b.down ?? 0) });
          return ok();
        }
        case 'POST /__sim/reset-traffic':
          hooks.resetCounters(String(body().email));
          return ok();
        case 'POST /__sim/patch-client': {
          const b = body();
          hooks.patchClient(String(b.email), (b.patch ?? {}) as RawClient);
          return ok();
        }
        case 'POST /__sim/delete-client':
          hooks.deleteClientDirect(String(body().email));
          return ok();
        case 'POST /__sim/expire-sessions':
          hooks.expireSessions();
          return ok();
        default:
          return null;
      }
    } catch (err) {
      return jsonResponse(400, { ok: false, error: err instanceof Error ? err.message : 'bad request' });
    }
  };
}
