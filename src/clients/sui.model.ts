/**
 * S-UI data model (PANELS.md Part A): versions and profiles, the client row we write (protocol
 * configs derived from our credentials, expiry in unix seconds), how a row compares with what we
 * want and how it reads as a {@link PanelClient}. Pure functions; the adapter and API use them.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import { PanelError } from './panel-error';
import type { PanelResponse } from './panel-http';
import type { ClientSpec, PanelClient } from './panel.types';
import type { SuiClientFull } from './sui.schemas';

/** The oldest S-UI version with the API this adapter speaks (`save` object/action/data, ids in `inbounds`). */
export const SUI_MIN_VERSION = '1.2.0';

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

/** A plain object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys, for order-independent comparison (1.5 re-sorts config keys). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Our expiry as S-UI unix seconds (0 = never). */
export function toExpiry(expiresAt: Date | null): number {
  return expiresAt === null ? 0 : Math.floor(expiresAt.getTime() / 1000);
}

/** S-UI unix seconds as our expiry (0 = never → null). */
export function fromExpiry(expiry: number): Date | null {
  return expiry > 0 ? new Date(expiry * 1000) : null;
}

/** Equal as sets of inbound ids. */
export function sameIds(a: readonly number[], b: readonly number[]): boolean {
  const sa = [...new Set(a)].sort((x, y) => x - y);
  const sb = [...new Set(b)].sort((x, y) => x - y);
  return sa.length === sb.length && sa.every((v, i) => v === sb[i]);
}

/** A non-empty string, or null. */
export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Validates the spec and returns its inbound ids as the panel's numbers. */
export function suiInboundIds(spec: ClientSpec): number[] {
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

export function newSuiClient(spec: ClientSpec, inboundIds: number[]): SuiClientFull {
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

/** The full row with our managed fields set from the spec; everything else kept. */
export function applySpec(current: SuiClientFull, spec: ClientSpec, inboundIds: number[]): SuiClientFull {
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

export function sameManaged(a: SuiClientFull, b: SuiClientFull): boolean {
  return (
    a.enable === b.enable &&
    a.volume === b.volume &&
    a.expiry === b.expiry &&
    sameIds(a.inbounds ?? [], b.inbounds ?? []) &&
    canonical(a.config ?? null) === canonical(b.config ?? null)
  );
}

export function toPanelClient(row: SuiClientFull): PanelClient {
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

/**
 * The panel accepts any name, but the name is the subscription path segment (`/sub/<name>`, one
 * segment), the proxy core's user name, and is pasted unescaped between quotes into the JSON of
 * its own change-log rows (deplete/reset jobs): a slash, quote, backslash, white space or control
 * character breaks one of those.
 */
export function isSafeSuiName(name: string): boolean {
  for (const ch of name) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || /\s/.test(ch) || ch === '"' || ch === '\\' || ch === '/') return false;
  }
  return true;
}

/** A short, safe description of a failure for {@link PanelHealth.error}. */
export function safeErrorText(err: unknown): string {
  if (err instanceof PanelError) return err.panelMessage ? `${err.code}: ${err.panelMessage}` : `${err.code}: ${err.message}`;
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  return 'unexpected error';
}

/** `"success":false` as it can appear in a JSON text (inside a JSON string the quotes would be escaped). */
const FAILURE = /"success"\s*:\s*false/;

/** The `msg` of a JSON envelope, without throwing on other bodies. */
export function peekMsg(res: PanelResponse): string | undefined {
  // Only a failure has a message to read: a success (often every client's summary) is not parsed twice.
  if (!res.text.startsWith('{') || !FAILURE.test(res.text)) return undefined;
  try {
    const v = JSON.parse(res.text) as unknown;
    return isObject(v) && typeof v.msg === 'string' && v.success === false ? v.msg : undefined;
  } catch {
    return undefined;
  }
}

/** A session API answer that means "not logged in": `Invalid login` JSON, or a redirect to /login. */
export function needsLogin(res: PanelResponse): boolean {
  if (res.status >= 300 && res.status < 400) return true;
  return res.status === 200 && peekMsg(res) === 'Invalid login';
}

/** Splits row ids into lists whose comma-joined text stays within `maxChars` (one request each). */
export function chunkIds(ids: readonly number[], maxChars: number): number[][] {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let length = 0;
  for (const id of ids) {
    const add = String(id).length + 1;
    if (chunk.length > 0 && length + add > maxChars) {
      chunks.push(chunk);
      chunk = [];
      length = 0;
    }
    chunk.push(id);
    length += add;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
