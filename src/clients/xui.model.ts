/**
 * The adapter's view of one 3x-ui client and the conversions between it, our `ClientSpec` and
 * the panel's client JSON.
 *
 * Identity: the client email (= `spec.name`), matched case-insensitively because the panel's
 * duplicate check is. Units: `totalGB` is bytes, `expiryTime` unix ms (0 = never; negative =
 * "N days after first use", which we never write and read as "no fixed expiry").
 *
 * Full replace: `updateClient` (classic) and `clients/update` (3.1+) overwrite the whole client,
 * so every update body starts from the client as the panel holds it and changes only the fields
 * we manage (key/secret, email, enable, totalGB, expiryTime, limitIp, subId). Everything else
 * (`tgId`, `comment`, `reset`, `flow`, `security`, timestamps, unknown keys) is sent back as read.
 *
 * Shadowsocks-2022 (`2022-blake3-*` methods) needs each user key to be standard base64 of exactly
 * 16 or 32 bytes. Any other password breaks Xray on a 2.x/3.0 panel (it fails to load the user)
 * and makes a 3.1+ panel replace it with a random key on every write. Such inbounds therefore get
 * a key derived deterministically from `spec.password` (the password itself when it already is a
 * valid key), and the panel's copy of it is not reported as the client's password.
 */
import { createHash } from 'node:crypto';
import type { ClientSpec, ClientUsage, PanelClient } from './panel.types';

/** A client object as the panel stores it (unknown keys kept). */
export type RawClient = Record<string, unknown>;

/** One copy of a client on one inbound. */
export interface XuiEntry {
  inboundId: number;
  protocol: string;
  client: RawClient;
  /** Shadowsocks-2022 key size of the inbound in bytes (16/32), 0 for anything else. */
  keyBytes?: number;
}

/** The counters/limits row of a client. */
export interface XuiTraffic {
  up: number;
  down: number;
  enable: boolean;
  total: number;
  expiryTime: number;
  inboundId?: number;
}

/** Everything the panel holds about one client. */
export interface XuiClientView {
  email: string;
  /** Classic: the `settings.clients[]` entries; 3.1+: one per attached inbound, from the record. */
  entries: XuiEntry[];
  /** 3.1+: the client record as read (the base of a full-replace update). */
  record?: RawClient;
  /** 3.1+: the record's password is a derived Shadowsocks-2022 key (an attached inbound needs one). */
  derivedPassword?: boolean;
  traffic?: XuiTraffic;
}

/** A string field of a raw client. */
export function str(c: RawClient, key: string): string {
  const v = c[key];
  return typeof v === 'string' ? v : '';
}

/** A numeric field of a raw client. */
export function num(c: RawClient, key: string): number {
  const v = c[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** The settings field carrying the client key used in URLs (and the secret we manage). */
export function keyField(protocol: string): 'id' | 'password' | 'email' | 'auth' {
  switch (protocol) {
    case 'trojan':
      return 'password';
    case 'shadowsocks':
      return 'email';
    case 'hysteria':
    case 'hysteria2':
      return 'auth';
    default:
      return 'id';
  }
}

/** The secret field we write per protocol (shadowsocks is keyed by email but has a password). */
function secretField(protocol: string): 'id' | 'password' | 'auth' {
  switch (protocol) {
    case 'trojan':
    case 'shadowsocks':
      return 'password';
    case 'hysteria':
    case 'hysteria2':
      return 'auth';
    default:
      return 'id';
  }
}

/** Key size in bytes a Shadowsocks-2022 inbound needs for its users, 0 when not Shadowsocks-2022. */
export function ss2022KeyBytes(protocol: string, settings: Record<string, unknown> | null | undefined): number {
  if (protocol !== 'shadowsocks') return 0;
  const method = typeof settings?.method === 'string' ? settings.method : '';
  if (method === '2022-blake3-aes-128-gcm') return 16;
  if (method === '2022-blake3-aes-256-gcm' || method === '2022-blake3-chacha20-poly1305') return 32;
  return 0;
}

/** A valid Shadowsocks-2022 user key for `password`: the password when it already is one, else derived from it. */
export function ss2022Key(password: string, bytes: number): string {
  const decoded = Buffer.from(password, 'base64');
  if (decoded.length === bytes && decoded.toString('base64') === password) return password;
  return createHash('sha256').update(`3x-ui shadowsocks-2022 user key\u0000${password}`).digest().subarray(0, bytes).toString('base64');
}

/** The secret value of a spec for a protocol (`keyBytes` > 0: a Shadowsocks-2022 inbound). */
function secretOf(spec: ClientSpec, protocol: string, keyBytes = 0): string {
  if (secretField(protocol) === 'id') return spec.uuid;
  return keyBytes > 0 ? ss2022Key(spec.password, keyBytes) : spec.password;
}

/** The password the panel should store for a spec whose inbounds need `keyBytes` (3.1+ record). */
export function passwordFor(spec: ClientSpec, keyBytes: number): string {
  return keyBytes > 0 ? ss2022Key(spec.password, keyBytes) : spec.password;
}

/** The subscription id we give a client. */
export function subIdOf(spec: ClientSpec): string {
  return spec.subId ?? spec.name;
}

/** Expiry in panel units (ms, 0 = never). */
export function expiryMs(spec: ClientSpec): number {
  return spec.expiresAt ? spec.expiresAt.getTime() : 0;
}

/**
 * The client body for one inbound: the stored client (or sensible defaults for a new one) with
 * our managed fields applied.
 */
export function buildEntry(base: RawClient | undefined, spec: ClientSpec, protocol: string, defaultFlow = '', keyBytes = 0): RawClient {
  const entry: RawClient = base
    ? { ...base }
    : { flow: protocol === 'vless' ? defaultFlow : '', tgId: 0, comment: '', reset: 0 };
  if (!base && protocol === 'vmess') entry.security = 'auto';
  entry[secretField(protocol)] = secretOf(spec, protocol, keyBytes);
  // Keep the stored spelling of an email that only differs in case: before 3.0 the panel's
  // duplicate check counts the client's own old email and would refuse the rename.
  if (!base || str(base, 'email').toLowerCase() !== spec.name.toLowerCase()) entry.email = spec.name;
  entry.enable = spec.enabled;
  entry.totalGB = spec.trafficLimitBytes;
  entry.expiryTime = expiryMs(spec);
  entry.limitIp = spec.deviceLimit;
  entry.subId = subIdOf(spec);
  return entry;
}

/**
 * Whether the panel itself disabled the client for an exhausted quota or a past expiry
 * (`>=` quota, ms expiry). Re-enabling it with unchanged limits would be undone by the next
 * traffic tick, so such a client counts as matching an enabled spec.
 */
export function depletedByPanel(traffic: XuiTraffic | undefined, now: number): boolean {
  if (!traffic || traffic.enable) return false;
  return (traffic.total > 0 && traffic.up + traffic.down >= traffic.total) || (traffic.expiryTime > 0 && traffic.expiryTime <= now);
}

function enableMatches(stored: boolean, spec: ClientSpec, traffic: XuiTraffic | undefined, now: number): boolean {
  if (stored === spec.enabled) return true;
  return spec.enabled && !stored && depletedByPanel(traffic, now);
}

/** Whether one classic entry differs from the spec in a field we manage. */
export function entryDiffers(entry: XuiEntry, spec: ClientSpec, traffic: XuiTraffic | undefined, now: number): boolean {
  const c = entry.client;
  return (
    str(c, secretField(entry.protocol)) !== secretOf(spec, entry.protocol, entry.keyBytes) ||
    str(c, 'email').toLowerCase() !== spec.name.toLowerCase() ||
    !enableMatches(c.enable === true, spec, traffic, now) ||
    num(c, 'totalGB') !== spec.trafficLimitBytes ||
    num(c, 'expiryTime') !== expiryMs(spec) ||
    num(c, 'limitIp') !== spec.deviceLimit ||
    str(c, 'subId') !== subIdOf(spec)
  );
}

/** Whether a 3.1+ record differs from the spec in a field we manage (`keyBytes`: see {@link passwordFor}). */
export function recordDiffers(record: RawClient, spec: ClientSpec, traffic: XuiTraffic | undefined, now: number, keyBytes = 0): boolean {
  return (
    str(record, 'uuid') !== spec.uuid ||
    str(record, 'password') !== passwordFor(spec, keyBytes) ||
    str(record, 'email') !== spec.name ||
    !enableMatches(record.enable === true, spec, traffic, now) ||
    num(record, 'totalGB') !== spec.trafficLimitBytes ||
    num(record, 'expiryTime') !== expiryMs(spec) ||
    num(record, 'limitIp') !== spec.deviceLimit ||
    str(record, 'subId') !== subIdOf(spec)
  );
}

function expiryDate(ms: number): Date | null {
  return ms > 0 ? new Date(ms) : null;
}

/** The intent flag as stored (record on 3.1+, else the first entry). */
function storedEnable(view: XuiClientView): boolean {
  if (view.record) return view.record.enable === true;
  return view.entries.length > 0 && view.entries.every((e) => e.client.enable === true);
}

/** The limits source: record on 3.1+, else the first entry. */
function limitsSource(view: XuiClientView): RawClient {
  return view.record ?? view.entries[0]?.client ?? {};
}

/** Our view of a panel client. `enabled` is effective: stored flag and the traffic row's flag. */
export function toPanelClient(view: XuiClientView): PanelClient {
  const src = limitsSource(view);
  let uuid: string | null = null;
  let password: string | null = null;
  if (view.record) {
    uuid = str(view.record, 'uuid') || null;
    password = view.derivedPassword ? null : str(view.record, 'password') || null;
  } else {
    for (const e of view.entries) {
      const f = secretField(e.protocol);
      const v = str(e.client, f);
      // A derived Shadowsocks-2022 key is not the client's password.
      if (v === '' || (e.keyBytes ?? 0) > 0) continue;
      if (f === 'id') uuid ??= v;
      else password ??= v;
    }
  }
  const rowEnabled = view.traffic ? view.traffic.enable : true;
  return {
    name: view.email,
    uuid,
    password,
    enabled: storedEnable(view) && rowEnabled,
    trafficLimitBytes: num(src, 'totalGB'),
    expiresAt: expiryDate(num(src, 'expiryTime')),
    deviceLimit: num(src, 'limitIp'),
    inboundIds: [...new Set(view.entries.map((e) => String(e.inboundId)))],
    upBytes: view.traffic?.up ?? 0,
    downBytes: view.traffic?.down ?? 0,
  };
}

/** One usage row from a view. */
export function toUsage(view: XuiClientView): ClientUsage {
  const c = toPanelClient(view);
  return {
    name: c.name,
    upBytes: c.upBytes,
    downBytes: c.downBytes,
    enabled: c.enabled,
    trafficLimitBytes: view.traffic && view.traffic.total > 0 ? view.traffic.total : c.trafficLimitBytes,
    expiresAt: view.traffic && view.traffic.expiryTime > 0 ? new Date(view.traffic.expiryTime) : c.expiresAt,
  };
}

/**
 * How many copies of the client beyond one its inbounds hold (0 normally). 3x-ui 3.0.x and
 * 3.2.8–3.4.x append a second copy when the same client is added twice to one inbound (PANELS.md
 * Part E), and `UpdateInboundClient` then updates only the first copy, so the copies never converge.
 */
export function extraCopies(view: XuiClientView): number {
  const seen = new Set<number>();
  let extra = 0;
  for (const e of view.entries) {
    if (seen.has(e.inboundId)) extra += 1;
    else seen.add(e.inboundId);
  }
  return extra;
}
