/**
 * 3x-ui 3.1+ client records (PANELS.md B.8): the `model.Client` struct of each release, the
 * identity checks, the per-protocol inbound entry, and the ClientRecord JSON that the simulator
 * derives from the inbound `settings.clients[]` entries carrying an email.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GoError, sprintln, zeroOf, type GoFieldKind, type GoStruct } from './xui.go-json';
import type { XuiFeatures } from './xui.profile';
import { num, str, type ClientLocation, type RawClient, type XuiInbound, type XuiState } from './xui.state';


/** `model.Client` as G6 binds it (fields per release); the stored entry keeps these keys in this order. */
export function clientStruct(f: XuiFeatures): GoStruct {
  const fields: Record<string, GoFieldKind> = {
    id: 'string',
    security: 'string',
    password: 'string',
    flow: 'string',
    reverse: 'object',
    auth: 'string',
  };
  if (f.wireguardClientFields) {
    Object.assign(fields, {
      privateKey: 'string',
      publicKey: 'string',
      allowedIPs: 'stringList',
      preSharedKey: 'string',
      keepAlive: 'int',
      secret: 'string',
      adTag: 'string',
    });
  }
  Object.assign(fields, { email: 'string', limitIp: 'int', totalGB: 'int64', expiryTime: 'int64', enable: 'bool', tgId: 'int64', subId: 'string' });
  if (f.clientGroup) fields.group = 'string';
  Object.assign(fields, { comment: 'string', reset: 'int', created_at: 'int64', updated_at: 'int64' });
  return { name: 'Client', fields };
}

// `omitempty` fields of model.Client that only carry a value for some protocols.
const OMIT_EMPTY = new Set(['reverse', 'privateKey', 'publicKey', 'allowedIPs', 'preSharedKey', 'keepAlive', 'secret', 'adTag', 'group']);

export const INBOUND_IDS: GoStruct = { name: 'attachDetachBody', fields: { inboundIds: 'intList' } };

/** A bound client with every field present (Go zero values for the omitted ones, `omitempty` ones dropped). */
export function fullClient(struct: GoStruct, bound: Record<string, unknown>): RawClient {
  const out: RawClient = {};
  for (const [k, kind] of Object.entries(struct.fields)) {
    const v = k in bound ? bound[k] : zeroOf(kind);
    if (OMIT_EMPTY.has(k) && (v === null || v === '' || v === 0 || (Array.isArray(v) && v.length === 0))) continue;
    out[k] = v;
  }
  if (out.created_at === 0) delete out.created_at;
  if (out.updated_at === 0) delete out.updated_at;
  return out;
}

/** Older UIs send `tgId: ""`; the G6 model tolerates it. */
export function tolerant(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && (value as RawClient).tgId === '') {
    const copy = { ...(value as RawClient) };
    delete copy.tgId;
    return copy;
  }
  return value;
}

export function forbidden(s: string): boolean {
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '/' || ch === '\\' || ch === ' ' || code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export function validateIdentity(client: RawClient): void {
  const email = str(client, 'email');
  if (email.trim() === '') throw new GoError(sprintln('client email is required'));
  if (forbidden(email)) throw new GoError(sprintln('client email contains an invalid character:', email));
  const subId = str(client, 'subId');
  if (forbidden(subId)) throw new GoError(sprintln('client subId contains an invalid character:', subId));
}

/** `fillProtocolDefaults` + `clientWithInboundFlow`: the copy of a client one inbound stores. */
export function forInbound(client: RawClient, inbound: XuiInbound): RawClient {
  const c: RawClient = { ...client };
  switch (inbound.protocol) {
    case 'vless':
    case 'vmess':
      if (str(c, 'id') === '') c.id = randomUUID();
      break;
    case 'trojan':
      if (str(c, 'password') === '') c.password = randomBytes(16).toString('hex');
      break;
    case 'shadowsocks': {
      // A 2022-blake3 inbound needs a base64 key of its exact size; anything else is replaced.
      const method = typeof inbound.settings.method === 'string' ? inbound.settings.method : '';
      const size = method === '2022-blake3-aes-128-gcm' ? 16 : method.startsWith('2022-blake3-') ? 32 : 0;
      const pw = str(c, 'password');
      const decoded = Buffer.from(pw, 'base64');
      const valid = size === 0 ? pw !== '' : decoded.length === size && decoded.toString('base64') === pw;
      if (!valid) c.password = size > 0 ? randomBytes(size).toString('base64') : randomBytes(16).toString('hex');
      break;
    }
    case 'hysteria':
    case 'hysteria2':
      if (str(c, 'auth') === '') c.auth = randomBytes(16).toString('hex');
      break;
  }
  const stream = inbound.streamSettings ?? {};
  const flowCapable = inbound.protocol === 'vless' && stream.network === 'tcp' && (stream.security === 'tls' || stream.security === 'reality');
  if (!flowCapable) c.flow = '';
  return c;
}

/** The exact-email (SQL `=`) entries of a client, in inbound order. */
export function entriesOf(state: XuiState, email: string): ClientLocation[] {
  return state.findEntries(email, true);
}

/** ClientRecord JSON derived from a client's entries, with the fields of the release. */
export function recordJson(state: XuiState, email: string, locs: ClientLocation[]): Record<string, unknown> {
  const first = locs[0].client;
  const f = state.features;
  const pick = (key: string): string => locs.map((l) => str(l.client, key)).find((v) => v !== '') ?? '';
  const meta = state.recordMetaOf(email);
  const reverse = locs.map((l) => l.client.reverse).find((v) => v !== null && typeof v === 'object') ?? null;
  const out: Record<string, unknown> = {
    id: meta.id,
    email: str(first, 'email'),
    subId: str(first, 'subId'),
    uuid: pick('id'),
    password: pick('password'),
    auth: pick('auth'),
    flow: pick('flow'),
    security: str(first, 'security'),
    reverse,
  };
  if (f.wireguardClientFields) {
    // The record stores the allowed IPs as comma-separated text and emits them that way.
    const allowed = locs.map((l) => l.client.allowedIPs).find((v) => Array.isArray(v) && v.length > 0);
    Object.assign(out, {
      privateKey: pick('privateKey'),
      publicKey: pick('publicKey'),
      allowedIPs: Array.isArray(allowed) ? allowed.join(',') : '',
      preSharedKey: pick('preSharedKey'),
      keepAlive: num(first, 'keepAlive'),
      secret: pick('secret'),
      adTag: pick('adTag'),
    });
  }
  Object.assign(out, {
    limitIp: num(first, 'limitIp'),
    totalGB: num(first, 'totalGB'),
    expiryTime: num(first, 'expiryTime'),
    enable: first.enable === true,
    tgId: num(first, 'tgId'),
  });
  if (f.clientGroup) out.group = str(first, 'group');
  Object.assign(out, {
    comment: str(first, 'comment'),
    reset: num(first, 'reset'),
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
  });
  return out;
}

/** All clients grouped by exact email, in first-seen order. */
export function allClients(state: XuiState): Map<string, ClientLocation[]> {
  const out = new Map<string, ClientLocation[]>();
  for (const inbound of state.inboundList()) {
    state.clientsOf(inbound).forEach((client, index) => {
      const email = str(client, 'email');
      if (email === '') return;
      const list = out.get(email) ?? [];
      list.push({ inbound, client, index });
      out.set(email, list);
    });
  }
  return out;
}
