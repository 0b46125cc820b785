/**
 * What an S-UI simulator is given and what it hands back: its options, the test hooks on the
 * running simulator and the state dump (see sui.simulator.ts).
 */
import type { SimClock, SimServerHandle } from '../shared/sim-http';
import type { SuiInboundRow } from './sui.links';
import type { SuiProfile } from './sui.profile';
import type { DuplicateNamePolicy, SuiChangeRow, SuiClientRow, SuiStore } from './sui.store';

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
