/**
 * Share links of the simulated 3x-ui (PANELS.md B.10; the endpoint is in xui.subscription.ts), following
 * `sub/subService.go` of the 2.9/3.0 line: vmess (base64 JSON, sorted keys), vless, trojan and
 * shadowsocks URLs with Go's `url.Values` encoding (sorted keys, `+` for spaces), the `-ieo`
 * remark model and the `subShowInfo` suffixes (remaining volume 📊, time ⏳, `⛔️N/A` when
 * depleted).
 *
 * Reality links pick a random `serverNames`/`shortIds` entry and a random `spx`, like the panel.
 */
import { randomBytes } from 'node:crypto';
import { goMarshalIndentMap } from './xui.go-json';
import type { XuiFeatures } from './xui.profile';
import { str, type RawClient, type XuiInbound, type XuiTrafficRow } from './xui.state';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function hexByte(b: number): string {
  return `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Go `url.QueryEscape`. */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += hexByte(b);
  }
  return out;
}

/** Go's fragment escaping (`url.URL.String()`). */
export function goFragmentEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~$&+,/:;=?@!()*]/.test(c)) out += c;
    else out += hexByte(b);
  }
  return out;
}

/** Go's userinfo escaping; a `/` makes Go parse the rest as a path, which it re-emits verbatim. */
function goUserinfo(s: string): string {
  if (s.includes('/')) return s;
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~$&+,;=]/.test(c)) out += c;
    else out += hexByte(b);
  }
  return out;
}

/** `buildLinkWithParams`: query sorted by key, fragment escaped. */
function withParams(base: string, params: Map<string, string>, remark: string): string {
  const keys = [...params.keys()].sort();
  const q = keys.map((k) => `${goQueryEscape(k)}=${goQueryEscape(params.get(k) ?? '')}`).join('&');
  return `${base}${q === '' ? '' : `?${q}`}${remark === '' ? '' : `#${goFragmentEscape(remark)}`}`;
}

/** Go `%.2f` + unit, like `common.FormatTraffic`. */
export function formatTraffic(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < units.length - 1) {
    size /= 1024;
    i++;
  }
  return `${size.toFixed(2)}${units[i]}`;
}

/** Link options: remark model and whether usage info is appended. */
export interface LinkOptions {
  remarkModel: string;
  showInfo: boolean;
  /** Simulated now (ms). */
  now: number;
  /** The traffic row of the client on this inbound (owner rows only, as the sub service preloads). */
  stats?: XuiTrafficRow;
  /** Release switches of the link format (`sub*` features). */
  features: Pick<XuiFeatures, 'subListenAddress' | 'subAllowInsecure' | 'subVlessEncryption' | 'subHeaderHostWins'>;
}

function remarkOf(inbound: XuiInbound, email: string, extra: string, opts: LinkOptions): string {
  const sep = opts.remarkModel.charAt(0) || '-';
  const parts: string[] = [];
  for (const ch of opts.remarkModel.slice(1)) {
    const v = ch === 'i' ? inbound.remark : ch === 'e' ? email : ch === 'o' ? extra : '';
    if (v !== '') parts.push(v);
  }
  if (opts.showInfo && opts.stats) {
    const s = opts.stats;
    if (!s.enable) return `⛔️N/A${sep}${parts.join(sep)}`;
    const vol = s.total - (s.up + s.down);
    if (vol > 0) parts.push(`${formatTraffic(vol)}📊`);
    const exp = Math.trunc(s.expiryTime / 1000);
    const fmt = (secs: number): string => {
      const days = Math.trunc(secs / 86400);
      const hours = Math.trunc((secs % 86400) / 3600);
      const minutes = Math.trunc((secs % 3600) / 60);
      if (days > 0) return hours > 0 ? `${days}D,${hours}H⏳` : `${days}D⏳`;
      if (hours > 0) return `${hours}H⏳`;
      return `${minutes}M⏳`;
    };
    if (exp > 0) parts.push(fmt(exp - Math.trunc(opts.now / 1000)));
    else if (exp < 0) parts.push(fmt(-exp));
  }
  return parts.join(sep);
}

function hostOfHeaders(headers: Obj | undefined): string {
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() !== 'host') continue;
    if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : '';
    return typeof v === 'string' ? v : '';
  }
  return '';
}

/** The `host` of a transport: its own field, else a `Host` header (before 2.3.6 a non-empty header wins). */
function hostOf(settings: Obj | undefined, headerWins = false): string {
  if (!settings) return '';
  const own = typeof settings.host === 'string' ? settings.host : '';
  const fromHeaders = hostOfHeaders(obj(settings.headers));
  if (headerWins) return fromHeaders !== '' ? fromHeaders : own;
  return own !== '' ? own : fromHeaders;
}

/** `applyShareNetworkParams` (and the vmess object variant when `vmess`). */
function networkParams(stream: Obj, network: string, set: (k: string, v: string) => void, vmess: boolean, headerWins: boolean): void {
  switch (network) {
    case 'tcp': {
      const h = obj(obj(obj(stream.tcpSettings)?.header));
      const type = typeof h?.type === 'string' ? h.type : '';
      if (vmess) set('type', type);
      if (type === 'http') {
        const request = obj(h?.request);
        const paths = Array.isArray(request?.path) ? request.path : [];
        set('path', typeof paths[0] === 'string' ? paths[0] : '');
        set('host', hostOf({ headers: request?.headers }));
        if (!vmess) set('headerType', 'http');
      }
      return;
    }
    case 'ws':
    case 'httpupgrade':
    case 'xhttp': {
      const s = obj(stream[`${network}Settings`]) ?? {};
      set('path', typeof s.path === 'string' ? s.path : '');
      set('host', hostOf(s, headerWins && network !== 'xhttp'));
      if (network === 'xhttp') {
        set('mode', typeof s.mode === 'string' ? s.mode : '');
        if (typeof s.xPaddingBytes === 'string' && s.xPaddingBytes !== '') set('x_padding_bytes', s.xPaddingBytes);
      }
      return;
    }
    case 'grpc': {
      const g = obj(stream.grpcSettings) ?? {};
      set(vmess ? 'path' : 'serviceName', typeof g.serviceName === 'string' ? g.serviceName : '');
      set('authority', typeof g.authority === 'string' ? g.authority : '');
      if (g.multiMode === true) set(vmess ? 'type' : 'mode', 'multi');
      return;
    }
    default:
      return;
  }
}

function tlsParams(stream: Obj, set: (k: string, v: string | boolean) => void, allowInsecure: boolean, vmess: boolean): void {
  const tls = obj(stream.tlsSettings);
  const alpn = Array.isArray(tls?.alpn) ? tls.alpn.filter((a): a is string => typeof a === 'string') : [];
  if (alpn.length > 0) set('alpn', alpn.join(','));
  if (tls && 'serverName' in tls) set('sni', typeof tls.serverName === 'string' ? tls.serverName : '');
  const inner = obj(tls?.settings);
  if (inner && 'fingerprint' in inner) set('fp', typeof inner.fingerprint === 'string' ? inner.fingerprint : '');
  // Releases before 2.8.10 pass the client-side "allow insecure" switch on.
  if (allowInsecure && inner && 'allowInsecure' in inner) {
    if (vmess) set('allowInsecure', inner.allowInsecure === true);
    else if (inner.allowInsecure === true) set('allowInsecure', '1');
  }
}

function pickRandom(list: unknown): string {
  const arr = Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  if (arr.length === 0) return '';
  return arr[randomBytes(1)[0] % arr.length];
}

function realityParams(stream: Obj, set: (k: string, v: string) => void): void {
  set('security', 'reality');
  const r = obj(stream.realitySettings);
  if (!r) return;
  const inner = obj(r.settings) ?? {};
  if ('serverNames' in r) set('sni', pickRandom(r.serverNames));
  if ('publicKey' in inner) set('pbk', typeof inner.publicKey === 'string' ? inner.publicKey : '');
  if ('shortIds' in r) set('sid', pickRandom(r.shortIds));
  if (typeof inner.fingerprint === 'string' && inner.fingerprint !== '') set('fp', inner.fingerprint);
  if (typeof inner.mldsa65Verify === 'string' && inner.mldsa65Verify !== '') set('pqv', inner.mldsa65Verify);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let spx = '/';
  for (const b of randomBytes(15)) spx += alphabet[b % alphabet.length];
  set('spx', spx);
}

/** The share link(s) of one client on one inbound, as the panel's sub service builds them. */
export function shareLinks(inbound: XuiInbound, client: RawClient, requestHost: string, opts: LinkOptions): string[] {
  const email = str(client, 'email');
  const f = opts.features;
  const listen = inbound.listen;
  const anyAddress = listen === '' || listen === '0.0.0.0' || listen === '::' || listen === '::0';
  const address = anyAddress || !f.subListenAddress ? requestHost : listen;
  const stream = inbound.streamSettings ?? {};
  const network = typeof stream.network === 'string' ? stream.network : '';
  const security = typeof stream.security === 'string' ? stream.security : '';
  const remark = remarkOf(inbound, email, '', opts);
  const params = new Map<string, string>();
  const set = (k: string, v: string | boolean): void => {
    params.set(k, String(v));
  };

  switch (inbound.protocol) {
    case 'vmess': {
      const o: Obj = { v: '2', add: address, port: inbound.port, type: 'none' };
      o.net = network;
      networkParams(stream, network, (k, v) => (o[k] = v), true, f.subHeaderHostWins);
      o.tls = security;
      if (security === 'tls') tlsParams(stream, (k, v) => (o[k] = v), f.subAllowInsecure, true);
      o.id = str(client, 'id');
      o.scy = str(client, 'security');
      o.ps = remark;
      return [`vmess://${Buffer.from(goMarshalIndentMap(o)).toString('base64')}`];
    }
    case 'vless':
    case 'trojan': {
      set('type', network);
      const enc = inbound.settings.encryption;
      if (inbound.protocol === 'vless' && typeof enc === 'string' && (f.subVlessEncryption === 'always' || (f.subVlessEncryption === 'non-empty' && enc !== ''))) {
        set('encryption', enc);
      }
      networkParams(stream, network, set, false, f.subHeaderHostWins);
      const flow = str(client, 'flow');
      if (security === 'tls') {
        set('security', 'tls');
        tlsParams(stream, set, f.subAllowInsecure, false);
        if (inbound.protocol === 'vless' && network === 'tcp' && flow !== '') set('flow', flow);
      } else if (security === 'reality') {
        realityParams(stream, set);
        if (network === 'tcp' && flow !== '') set('flow', flow);
      } else set('security', 'none');
      const secret = inbound.protocol === 'vless' ? str(client, 'id') : str(client, 'password');
      return [withParams(`${inbound.protocol}://${goUserinfo(secret)}@${address}:${inbound.port}`, params, remark)];
    }
    case 'shadowsocks': {
      const method = typeof inbound.settings.method === 'string' ? inbound.settings.method : '';
      const serverPassword = typeof inbound.settings.password === 'string' ? inbound.settings.password : '';
      set('type', network);
      networkParams(stream, network, set, false, f.subHeaderHostWins);
      if (security === 'tls') {
        set('security', 'tls');
        tlsParams(stream, set, f.subAllowInsecure, false);
      }
      const enc = method.startsWith('2') ? `${method}:${serverPassword}:${str(client, 'password')}` : `${method}:${str(client, 'password')}`;
      const user = Buffer.from(enc).toString('base64');
      return [withParams(`ss://${goUserinfo(user)}@${address}:${inbound.port}`, params, remark)];
    }
    default:
      return [];
  }
}
