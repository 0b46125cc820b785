/**
 * The rows of the simulated 3x-ui database (inbounds, `settings.clients[]` entries, traffic rows)
 * and the small value helpers every route reads them with.
 */
import { randomBytes } from 'node:crypto';

/** One `settings.clients[]` entry exactly as stored (unknown keys kept, like Go's `map[string]any`). */
export type RawClient = Record<string, unknown>;

/** One inbound row; JSON columns are kept parsed and re-serialised per version on the wire. */
export interface XuiInbound {
  id: number;
  userId: number;
  up: number;
  down: number;
  total: number;
  allTime: number;
  remark: string;
  enable: boolean;
  expiryTime: number;
  trafficReset: string;
  lastTrafficResetTime: number;
  listen: string;
  port: number;
  protocol: string;
  settings: Record<string, unknown>;
  streamSettings: Record<string, unknown> | null;
  sniffing: Record<string, unknown> | null;
  tag: string;
}

/** One `client_traffics` row (unique by email). */
export interface XuiTrafficRow {
  id: number;
  inboundId: number;
  enable: boolean;
  email: string;
  up: number;
  down: number;
  allTime: number;
  expiryTime: number;
  total: number;
  reset: number;
  lastOnline: number;
}

/** Where a client entry sits. */
export interface ClientLocation {
  inbound: XuiInbound;
  client: RawClient;
  index: number;
}

/** Bytes added per tick for an online client. */
export interface TrafficRate {
  up: number;
  down: number;
}

/** The settings field holding the client key used in URLs, per protocol (PANELS.md B.6.2). */
export function clientKeyField(protocol: string): 'id' | 'password' | 'email' | 'auth' {
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

/** A string field of a raw client ('' when absent or not a string). */
export function str(c: RawClient, key: string): string {
  const v = c[key];
  return typeof v === 'string' ? v : '';
}

/** A numeric field of a raw client (0 when absent or not a number). */
export function num(c: RawClient, key: string): number {
  const v = c[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** A random 16-char `[a-z0-9]` subscription id like the panel UI makes. */
export function randomSubId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(16);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Default `settings` of a new inbound per protocol. */
export function defaultInboundSettings(protocol: string): Record<string, unknown> {
  switch (protocol) {
    case 'vless':
      return { clients: [], decryption: 'none', fallbacks: [] };
    case 'trojan':
      return { clients: [], fallbacks: [] };
    case 'shadowsocks':
      return {
        method: '2022-blake3-aes-256-gcm',
        password: randomBytes(32).toString('base64'),
        network: 'tcp,udp',
        clients: [],
      };
    default:
      return { clients: [] };
  }
}

