/**
 * The 3x-ui 3.1+ client record (`clients/*` routes, `xui.client-routes.ts`) and our view of it:
 * counters, inbound protocols (for Shadowsocks-2022 keys), and the full-replace body of
 * `clients/update/:email` re-typed for the panel's `model.Client`.
 */
import type { ClientSpec } from './panel.types';
import { expiryMs, passwordFor, subIdOf, type RawClient, type XuiClientView, type XuiTraffic } from './xui.model';

/**
 * `model.Client` fields with the JSON type the panel binds them to (3.1–3.6). The record JSON
 * names a few differently (`uuid` → `id`) or types them differently (3.5+ `allowedIPs` is CSV text
 * in the record but a list in `model.Client`; echoing the text makes the panel refuse the whole
 * update with a binding error).
 */
const CLIENT_STRINGS = ['password', 'flow', 'security', 'auth', 'privateKey', 'publicKey', 'preSharedKey', 'secret', 'adTag', 'email', 'subId', 'group', 'comment'];
const CLIENT_NUMBERS = ['limitIp', 'totalGB', 'expiryTime', 'tgId', 'reset', 'keepAlive'];
// Record keys that are not `model.Client` fields, are derived, or are mapped above.
const NOT_CLIENT_FIELDS = new Set(['id', 'uuid', 'createdAt', 'updatedAt', 'inboundIds', 'traffic', 'externalLinks', 'usedTraffic', 'reverse', 'allowedIPs', 'enable']);

/** Our counters of a panel traffic row (absent: none). */
export function trafficOf(t: { up: number; down: number; enable: boolean; total: number; expiryTime: number; inboundId?: number } | null | undefined): XuiTraffic | undefined {
  return t ? { up: t.up, down: t.down, enable: t.enable, total: t.total, expiryTime: t.expiryTime, inboundId: t.inboundId } : undefined;
}

/** Protocol and Shadowsocks-2022 key size of an inbound. */
export interface InboundMeta {
  protocol: string;
  keyBytes: number;
}

/** The first Shadowsocks-2022 key size among the inbounds, 0 when none needs one. */
export function keyBytesOf(ids: number[], meta: Map<number, InboundMeta>): number {
  for (const id of ids) {
    const k = meta.get(id)?.keyBytes ?? 0;
    if (k > 0) return k;
  }
  return 0;
}

/** The view of a client record (with its inbound ids and counters). */
export function viewOf(record: RawClient, inboundIds: number[], traffic: XuiTraffic | undefined, meta: Map<number, InboundMeta>): XuiClientView {
  const email = typeof record.email === 'string' ? record.email : '';
  return {
    email,
    record,
    traffic,
    derivedPassword: keyBytesOf(inboundIds, meta) > 0,
    entries: inboundIds.map((inboundId) => ({ inboundId, protocol: meta.get(inboundId)?.protocol ?? '', client: record, keyBytes: meta.get(inboundId)?.keyBytes ?? 0 })),
  };
}

/** 3.5+ records carry `allowedIPs` as comma-separated text; `model.Client` wants a list. */
function allowedIpsList(v: unknown): string[] | undefined {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [];
  const out = items.filter((x): x is string => typeof x === 'string').map((x) => x.trim()).filter((x) => x !== '');
  return out.length > 0 ? out : undefined;
}

/**
 * The full-replace body: the record as read, re-typed for `model.Client`, with the spec's managed
 * fields applied. `strict` drops record keys this adapter does not know (used when the panel
 * refused a body with a binding error, e.g. a newer release typing an unknown field differently).
 */
export function updateBody(record: RawClient, spec: ClientSpec | undefined, opts: { enable?: boolean; keyBytes?: number; strict?: boolean } = {}): RawClient {
  const body: RawClient = {};
  if (!opts.strict) {
    for (const [k, v] of Object.entries(record)) if (!NOT_CLIENT_FIELDS.has(k) && !CLIENT_STRINGS.includes(k) && !CLIENT_NUMBERS.includes(k)) body[k] = v;
  }
  // The record's `uuid` is the client's protocol UUID, which `model.Client` calls `id`.
  body.id = typeof record.uuid === 'string' ? record.uuid : '';
  for (const k of CLIENT_STRINGS) if (typeof record[k] === 'string') body[k] = record[k];
  for (const k of CLIENT_NUMBERS) if (typeof record[k] === 'number' && Number.isFinite(record[k])) body[k] = record[k];
  body.enable = record.enable === true;
  if (record.reverse !== null && typeof record.reverse === 'object' && !Array.isArray(record.reverse)) body.reverse = record.reverse;
  const allowed = allowedIpsList(record.allowedIPs);
  if (allowed) body.allowedIPs = allowed;
  if (spec) {
    body.id = spec.uuid;
    body.password = passwordFor(spec, opts.keyBytes ?? 0);
    body.email = spec.name;
    body.enable = spec.enabled;
    body.totalGB = spec.trafficLimitBytes;
    body.expiryTime = expiryMs(spec);
    body.limitIp = spec.deviceLimit;
    body.subId = subIdOf(spec);
  }
  if (opts.enable !== undefined) body.enable = opts.enable;
  return body;
}
