/**
 * The one adapter interface every panel (S-UI, 3x-ui) implements.
 *
 * Terminology:
 * - panel: one S-UI or 3x-ui installation we drive through its HTTP API.
 * - client: one user on the panel. We identify it by its deterministic `name`
 *   (S-UI client name, 3x-ui client email), derived from our subscription id.
 * - spec: the absolute state we want the panel to hold for one client.
 *
 * Units on this interface: traffic in bytes (JS numbers: exact up to 9 PB), times as `Date`,
 * `0` traffic limit or device limit = unlimited, `null` expiry = never.
 * Each adapter converts to its panel's units (S-UI: unix seconds; 3x-ui: unix milliseconds).
 */

export type PanelKind = 'SUI' | 'XUI';

/** How to reach and authenticate to one panel. Secrets stay in memory only. */
export interface PanelConnection {
  /** Our server id; used in errors, metrics and logs. */
  serverId: string;
  kind: PanelKind;
  /** Panel URL including its web base path, e.g. `https://host:2095/app/`. */
  baseUrl: string;
  /** Admin username for the session (cookie) API. */
  username?: string;
  /** Admin password for the session (cookie) API. */
  password?: string;
  /** API token (S-UI `Token` header for /apiv2; 3x-ui Bearer token, v3.0+). Preferred when set. */
  apiToken?: string;
}

/** What `detect()` learned about the panel. */
export interface PanelInfo {
  kind: PanelKind;
  /** The version string the panel reports (e.g. `1.5.1`, `3.1.0`). */
  version: string;
  /** The version profile the adapter uses: S-UI `1.2`..`1.5`; 3x-ui `G2`..`G6`. */
  profile: string;
  capabilities: {
    /** Token/Bearer auth is available. */
    apiToken: boolean;
    /** 3x-ui v3.0+: login needs a CSRF token. */
    csrf: boolean;
    /** 3x-ui v3.1+: the `/panel/api/clients/*` routes. */
    clientRoutes: boolean;
    /** Per-client device (IP) limit is enforced by the panel. */
    deviceLimit: boolean;
  };
}

export interface PanelHealth {
  ok: boolean;
  /** Round-trip time of the probe in milliseconds. */
  latencyMs: number;
  version?: string;
  /** Safe message (no credentials, no raw envelopes) when not ok. */
  error?: string;
}

export interface PanelInbound {
  /** The panel's id of the inbound (3x-ui numeric id, S-UI numeric id), as a string. */
  remoteId: string;
  /** The inbound tag (S-UI identity in some calls; 3x-ui `inbound-<port>`). */
  tag: string;
  /** vless | vmess | trojan | shadowsocks | hysteria2 | tuic | ... */
  protocol: string;
  port: number;
  remark: string;
  enabled: boolean;
}

/** The absolute state the panel must hold for one client. */
export interface ClientSpec {
  /** Deterministic identity on the panel (S-UI name, 3x-ui email). */
  name: string;
  /** UUID for vless/vmess (and tuic). Generated once by us, kept forever. */
  uuid: string;
  /** Password for trojan/shadowsocks/hysteria2. Generated once by us, kept forever. */
  password: string;
  enabled: boolean;
  /** Traffic quota in bytes; 0 = unlimited. */
  trafficLimitBytes: number;
  /** null = never expires. */
  expiresAt: Date | null;
  /** Max simultaneous devices/IPs; 0 = unlimited. Ignored where the panel cannot enforce it. */
  deviceLimit: number;
  /** Panel inbound ids (PanelInbound.remoteId) the client must be on, and only those. */
  inboundIds: string[];
  /** 3x-ui subscription id of the client; defaults to `name` when not given. */
  subId?: string;
}

/** A client as the panel holds it. */
export interface PanelClient {
  name: string;
  uuid: string | null;
  password: string | null;
  enabled: boolean;
  trafficLimitBytes: number;
  expiresAt: Date | null;
  deviceLimit: number;
  inboundIds: string[];
  upBytes: number;
  downBytes: number;
}

/** One row of a bulk usage pull. */
export interface ClientUsage {
  name: string;
  /** Panel counters (cumulative since the last reset on the panel). */
  upBytes: number;
  downBytes: number;
  enabled: boolean;
  trafficLimitBytes: number;
  expiresAt: Date | null;
}

export interface EnsureResult {
  action: 'created' | 'updated' | 'unchanged';
  client: PanelClient;
}

export interface PanelAdapter {
  readonly kind: PanelKind;
  readonly serverId: string;
  /** Detects version and capabilities (cached after the first call); refuses unsupported versions with PANEL_VERSION_UNSUPPORTED. */
  detect(): Promise<PanelInfo>;
  /** Cheap probe: reachable, logged in, version. Never throws. */
  health(): Promise<PanelHealth>;
  listInbounds(): Promise<PanelInbound[]>;
  /**
   * Makes the panel hold exactly `spec` for the client named `spec.name`: creates it if missing,
   * updates it if different (keeping fields we do not manage), never creates a second one.
   */
  ensureClient(spec: ClientSpec): Promise<EnsureResult>;
  /**
   * Creates the client of `spec` and returns its share links, for a caller that knows no client of
   * that name was ever asked for on this panel (provisioning records its intent before the first
   * create): no look-up first, so two panel requests (create, links) whatever the panel holds.
   * When the create's answer is lost or refused, the client is looked up by name before anything
   * else (never created blindly twice); found, it is brought to `spec`.
   */
  createNewClient(spec: ClientSpec): Promise<string[]>;
  /** null when the panel has no client of that name. */
  getClient(name: string): Promise<PanelClient | null>;
  setEnabled(name: string, enabled: boolean): Promise<void>;
  resetTraffic(name: string): Promise<void>;
  /** Deleting a client that is already gone is success. */
  deleteClient(name: string): Promise<void>;
  /** Usage of ALL clients of the server, in one or two panel requests whatever their number. */
  listUsage(): Promise<ClientUsage[]>;
  /** All clients with their full state (for reconciliation), in a bounded number of requests. */
  listClients(): Promise<PanelClient[]>;
  /** The share links (vless://, trojan://, ...) of one client as the panel would serve them. */
  getLinks(name: string): Promise<string[]>;
  /** Releases connections. */
  close(): Promise<void>;
}
