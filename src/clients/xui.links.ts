/**
 * Share links of a 3x-ui client built from its inbound's `settings`/`streamSettings`, the way
 * the subscription service of 2.x–3.0.0 does (vless/vmess/trojan/shadowsocks; tcp, ws, grpc,
 * httpupgrade, xhttp; none/tls/reality): Go `url.Values` encoding (sorted keys), vmess as
 * base64 of sorted-key indented JSON, remark `<inbound remark>-<email>` (the default `-ieo`
 * model without the usage suffixes the subscription adds). Panels from 3.0.1 build the links
 * themselves and the adapter asks them instead (see `XuiAdapter.getLinks`).
 *
 * Release differences followed ({@link linkStyleOf}): the inbound's listen address is used from
 * 2.8.6 (before: always the panel host); `allowInsecure` is emitted before 2.8.10; vless carries
 * `encryption` from 2.6.8 when non-empty and from 2.8.3 whenever set; before 2.3.6 a `Host`
 * header overrides the ws/httpupgrade `host`.
 *
 * Differences from the panel, on purpose: reality links take the first `serverNames`/`shortIds`
 * entry instead of a random one and omit the random `spx`, so links are stable; the host is the
 * panel's host name unless the inbound listens on a specific address; external proxies, fallback
 * masters and hysteria are not expanded.
 */
import type { XuiInboundDto } from './xui.schemas';
import { str, type RawClient } from './xui.model';

type Obj = Record<string, unknown>;

/** Release-dependent details of the subscription service's links. */
export interface LinkStyle {
  /** 2.8.6+: a specific listen address is the link's host. */
  listenAddress: boolean;
  /** Before 2.8.10: `allowInsecure` from the TLS settings (`1` in URLs, a bool in vmess). */
  allowInsecure: boolean;
  /** vless `encryption` param: absent before 2.6.8, only when non-empty up to 2.8.2, whenever set from 2.8.3. */
  vlessEncryption: 'never' | 'non-empty' | 'always';
  /** Before 2.3.6: a `Host` header wins over the ws/httpupgrade `host` field. */
  headerHostWins: boolean;
}

/** The newest style (2.8.10 – 3.0.0). */
export const MODERN_LINK_STYLE: LinkStyle = { listenAddress: true, allowInsecure: false, vlessEncryption: 'always', headerHostWins: false };

/** The link style of a numeric panel version (unknown versions get the newest). */
export function linkStyleOf(version: string | undefined, compare: (a: string, b: string) => number): LinkStyle {
  if (version === undefined) return MODERN_LINK_STYLE;
  return {
    listenAddress: compare(version, '2.8.6') >= 0,
    allowInsecure: compare(version, '2.8.10') < 0,
    vlessEncryption: compare(version, '2.6.8') < 0 ? 'never' : compare(version, '2.8.3') < 0 ? 'non-empty' : 'always',
    headerHostWins: compare(version, '2.3.6') < 0,
  };
}

function asObj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function pct(b: number): string {
  return `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
}

function escapeWith(s: string, keep: RegExp, space?: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (space !== undefined && c === ' ') out += space;
    else if (keep.test(c)) out += c;
    else out += pct(b);
  }
  return out;
}

const queryEscape = (s: string): string => escapeWith(s, /[A-Za-z0-9\-_.~]/, '+');
const fragmentEscape = (s: string): string => escapeWith(s, /[A-Za-z0-9\-_.~$&+,/:;=?@!()*]/);
// Go re-emits a userinfo containing '/' verbatim (it parses it as a path); otherwise escapes it.
const userinfoEscape = (s: string): string => (s.includes('/') ? s : escapeWith(s, /[A-Za-z0-9\-_.~$&+,;=]/));

function sortedDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedDeep);
  const o = asObj(v);
  if (!o) return v;
  const out: Obj = {};
  for (const k of Object.keys(o).sort()) out[k] = sortedDeep(o[k]);
  return out;
}

function goJsonIndent(v: unknown): string {
  return JSON.stringify(sortedDeep(v), null, 2).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

function headerHost(headers: unknown): string {
  for (const [k, v] of Object.entries(asObj(headers) ?? {})) {
    if (k.toLowerCase() !== 'host') continue;
    if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : '';
    return typeof v === 'string' ? v : '';
  }
  return '';
}

function hostParam(s: Obj, headerWins = false): string {
  const own = typeof s.host === 'string' ? s.host : '';
  if (headerWins) return headerHost(s.headers) || own;
  return own !== '' ? own : headerHost(s.headers);
}

function networkParams(stream: Obj, network: string, set: (k: string, v: string) => void, vmess: boolean, style: LinkStyle): void {
  if (network === 'tcp') {
    const h = asObj(asObj(stream.tcpSettings)?.header);
    const type = typeof h?.type === 'string' ? h.type : '';
    if (vmess) set('type', type);
    if (type === 'http') {
      const request = asObj(h?.request) ?? {};
      const paths = Array.isArray(request.path) ? request.path : [];
      set('path', typeof paths[0] === 'string' ? paths[0] : '');
      set('host', hostParam({ headers: request.headers }));
      if (!vmess) set('headerType', 'http');
    }
  } else if (network === 'ws' || network === 'httpupgrade' || network === 'xhttp') {
    const s = asObj(stream[`${network}Settings`]) ?? {};
    set('path', typeof s.path === 'string' ? s.path : '');
    set('host', hostParam(s, style.headerHostWins && network !== 'xhttp'));
    if (network === 'xhttp') {
      set('mode', typeof s.mode === 'string' ? s.mode : '');
      if (typeof s.xPaddingBytes === 'string' && s.xPaddingBytes !== '') set('x_padding_bytes', s.xPaddingBytes);
    }
  } else if (network === 'grpc') {
    const g = asObj(stream.grpcSettings) ?? {};
    set(vmess ? 'path' : 'serviceName', typeof g.serviceName === 'string' ? g.serviceName : '');
    set('authority', typeof g.authority === 'string' ? g.authority : '');
    if (g.multiMode === true) set(vmess ? 'type' : 'mode', 'multi');
  }
}

function tlsParams(stream: Obj, set: (k: string, v: string | boolean) => void, style: LinkStyle, vmess: boolean): void {
  const tls = asObj(stream.tlsSettings);
  const alpn = Array.isArray(tls?.alpn) ? tls.alpn.filter((a): a is string => typeof a === 'string') : [];
  if (alpn.length > 0) set('alpn', alpn.join(','));
  if (tls && 'serverName' in tls) set('sni', typeof tls.serverName === 'string' ? tls.serverName : '');
  const inner = asObj(tls?.settings);
  if (inner && 'fingerprint' in inner) set('fp', typeof inner.fingerprint === 'string' ? inner.fingerprint : '');
  if (style.allowInsecure && inner && 'allowInsecure' in inner) {
    if (vmess) set('allowInsecure', inner.allowInsecure === true);
    else if (inner.allowInsecure === true) set('allowInsecure', '1');
  }
}

function firstString(v: unknown): string {
  return Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
}

function realityParams(stream: Obj, set: (k: string, v: string) => void): void {
  set('security', 'reality');
  const r = asObj(stream.realitySettings);
  if (!r) return;
  const inner = asObj(r.settings) ?? {};
  if ('serverNames' in r) set('sni', firstString(r.serverNames));
  if ('publicKey' in inner) set('pbk', typeof inner.publicKey === 'string' ? inner.publicKey : '');
  if ('shortIds' in r) set('sid', firstString(r.shortIds));
  if (typeof inner.fingerprint === 'string' && inner.fingerprint !== '') set('fp', inner.fingerprint);
  if (typeof inner.mldsa65Verify === 'string' && inner.mldsa65Verify !== '') set('pqv', inner.mldsa65Verify);
}

function urlWith(base: string, params: Map<string, string>, remark: string): string {
  const q = [...params.keys()]
    .sort()
    .map((k) => `${queryEscape(k)}=${queryEscape(params.get(k) ?? '')}`)
    .join('&');
  return `${base}${q === '' ? '' : `?${q}`}${remark === '' ? '' : `#${fragmentEscape(remark)}`}`;
}

/**
 * The link of one client on one inbound, or null for protocols without share links.
 * @param panelHost host name used when the inbound listens on all addresses.
 */
export function buildShareLink(inbound: XuiInboundDto, client: RawClient, panelHost: string, style: LinkStyle = MODERN_LINK_STYLE): string | null {
  const email = str(client, 'email');
  const listen = inbound.listen;
  const anyAddress = listen === '' || listen === '0.0.0.0' || listen === '::' || listen === '::0';
  const address = anyAddress || !style.listenAddress ? panelHost : listen;
  const stream = inbound.streamSettings ?? {};
  const settings = inbound.settings ?? {};
  const network = typeof stream.network === 'string' ? stream.network : '';
  const security = typeof stream.security === 'string' ? stream.security : '';
  const remark = [inbound.remark, email].filter((p) => p !== '').join('-');
  const params = new Map<string, string>();
  const set = (k: string, v: string | boolean): void => {
    params.set(k, String(v));
  };

  switch (inbound.protocol) {
    case 'vmess': {
      const o: Obj = { v: '2', add: address, port: inbound.port, type: 'none', net: network };
      networkParams(stream, network, (k, v) => (o[k] = v), true, style);
      o.tls = security;
      if (security === 'tls') tlsParams(stream, (k, v) => (o[k] = v), style, true);
      o.id = str(client, 'id');
      o.scy = str(client, 'security');
      o.ps = remark;
      return `vmess://${Buffer.from(goJsonIndent(o)).toString('base64')}`;
    }
    case 'vless':
    case 'trojan': {
      set('type', network);
      const encryption = typeof settings.encryption === 'string' ? settings.encryption : undefined;
      if (inbound.protocol === 'vless' && encryption !== undefined && (style.vlessEncryption === 'always' || (style.vlessEncryption === 'non-empty' && encryption !== ''))) {
        set('encryption', encryption);
      }
      networkParams(stream, network, set, false, style);
      const flow = str(client, 'flow');
      if (security === 'tls') {
        set('security', 'tls');
        tlsParams(stream, set, style, false);
        if (inbound.protocol === 'vless' && network === 'tcp' && flow !== '') set('flow', flow);
      } else if (security === 'reality') {
        realityParams(stream, set);
        if (network === 'tcp' && flow !== '') set('flow', flow);
      } else set('security', 'none');
      const secret = inbound.protocol === 'vless' ? str(client, 'id') : str(client, 'password');
      return urlWith(`${inbound.protocol}://${userinfoEscape(secret)}@${address}:${inbound.port}`, params, remark);
    }
    case 'shadowsocks': {
      const method = typeof settings.method === 'string' ? settings.method : '';
      const serverPassword = typeof settings.password === 'string' ? settings.password : '';
      set('type', network);
      networkParams(stream, network, set, false, style);
      if (security === 'tls') {
        set('security', 'tls');
        tlsParams(stream, set, style, false);
      }
      const enc = method.startsWith('2') ? `${method}:${serverPassword}:${str(client, 'password')}` : `${method}:${str(client, 'password')}`;
      return urlWith(`ss://${userinfoEscape(Buffer.from(enc).toString('base64'))}@${address}:${inbound.port}`, params, remark);
    }
    default:
      return null;
  }
}

/**
 * The links of every enabled inbound holding the client `email` (case-insensitive), built the way
 * the panel's subscription service does; for panels without link routes (before 3.0.1).
 */
export function linksFromInbounds(inbounds: XuiInboundDto[], email: string, panelHost: string, style: LinkStyle): string[] {
  const want = email.toLowerCase();
  const links: string[] = [];
  for (const ib of inbounds) {
    if (!ib.enable) continue;
    const clients = Array.isArray(ib.settings?.clients) ? (ib.settings.clients as RawClient[]) : [];
    for (const c of clients) {
      if (c === null || typeof c !== 'object' || str(c, 'email').toLowerCase() !== want) continue;
      const link = buildShareLink(ib, c, panelHost, style);
      if (link) links.push(link);
    }
  }
  return links;
}
