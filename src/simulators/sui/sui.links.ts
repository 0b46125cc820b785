/**
 * Server-side share-link generation of the S-UI simulator (PANELS.md A.7): one `local` link per
 * address of every link-capable inbound a client is on. Covers vless, vmess, trojan, shadowsocks,
 * hysteria2, tuic, anytls, socks/http/mixed: minimal but well-formed URIs in the panel's format.
 */
import { isJsonObject } from './sui.go-json';

/** An inbound as the simulator stores it. */
export interface SuiInboundRow {
  id: number;
  type: string;
  tag: string;
  tls_id: number;
  /** `addrs` as sent (JSON); an empty or non-array value means "use the request host". */
  addrs: unknown;
  /** `out_json` as stored (JSON). */
  out_json: unknown;
  /** Every other sing-box inbound option (listen, listen_port, transport, method, password, …). */
  options: Record<string, unknown>;
}

/** A TLS profile as the simulator stores it. */
export interface SuiTlsRow {
  id: number;
  name: string;
  server: unknown;
  client: unknown;
}

/** Inbound types the panel generates links for. */
export const INBOUND_TYPES_WITH_LINK = [
  'socks', 'http', 'mixed', 'shadowsocks', 'naive', 'hysteria', 'hysteria2', 'anytls', 'tuic', 'vless', 'trojan', 'vmess',
];

/** Inbound types whose summaries carry `users`. */
export const INBOUND_TYPES_WITH_USERS = [
  'mixed', 'socks', 'http', 'shadowsocks', 'vmess', 'trojan', 'naive', 'hysteria', 'shadowtls', 'tuic', 'hysteria2', 'vless', 'anytls',
];

interface Addr {
  server: string;
  port: number;
  remark: string;
  tls: Record<string, unknown> | null;
}

type Param = [string, string];

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function joinRemark(clientRemark: string, inboundRemark: string): string {
  return clientRemark ? `${clientRemark}-${inboundRemark}` : inboundRemark;
}

/** The client-side TLS view: the TLS row's `client` hints plus the server's enabled/server_name/alpn. */
function prepareTls(tls: SuiTlsRow | undefined): Record<string, unknown> | null {
  if (!tls) return null;
  const out: Record<string, unknown> = isJsonObject(tls.client) ? { ...tls.client } : {};
  const server = isJsonObject(tls.server) ? tls.server : {};
  for (const key of ['enabled', 'server_name', 'alpn']) if (key in server) out[key] = server[key];
  if (isJsonObject(server.reality)) {
    const reality = isJsonObject(out.reality) ? { ...out.reality } : {};
    reality.enabled = server.reality.enabled;
    const ids = server.reality.short_id;
    if (Array.isArray(ids) && ids.length > 0) reality.short_id = ids[0];
    out.reality = reality;
  }
  return out;
}

function addresses(inbound: SuiInboundRow, tls: SuiTlsRow | undefined, hostname: string, clientRemark: string): Addr[] {
  const prepared = inbound.tls_id > 0 ? prepareTls(tls) : null;
  const list = Array.isArray(inbound.addrs) ? inbound.addrs.filter(isJsonObject) : [];
  if (list.length === 0) {
    return [{
      server: hostname,
      port: Number(inbound.options.listen_port ?? 0),
      remark: joinRemark(clientRemark, inbound.tag),
      tls: prepared,
    }];
  }
  return list.map((a) => ({
    server: str(a.server),
    port: Number(a.server_port ?? 0),
    remark: joinRemark(clientRemark, inbound.tag + str(a.remark)),
    tls: prepared ? { ...prepared, ...(isJsonObject(a.tls) ? a.tls : {}) } : null,
  }));
}

function transportParams(transport: unknown): Param[] {
  const t = isJsonObject(transport) ? transport : {};
  const type = typeof t.type === 'string' ? t.type : 'tcp';
  const params: Param[] = [['type', type]];
  switch (type) {
    case 'http':
      if (Array.isArray(t.host)) params.push(['host', t.host.map(String).join(',')]);
      if (typeof t.path === 'string') params.push(['path', t.path]);
      break;
    case 'ws':
      if (typeof t.path === 'string') params.push(['path', t.path]);
      if (isJsonObject(t.headers) && typeof t.headers.Host === 'string') params.push(['host', t.headers.Host]);
      break;
    case 'grpc':
      if (typeof t.service_name === 'string') params.push(['serviceName', t.service_name]);
      break;
    case 'httpupgrade':
      if (typeof t.host === 'string') params.push(['host', t.host]);
      if (typeof t.path === 'string') params.push(['path', t.path]);
      break;
    default:
      break;
  }
  return params;
}

function tlsParams(tls: Record<string, unknown>, insecureKey: string): Param[] {
  const params: Param[] = [];
  const reality = isJsonObject(tls.reality) ? tls.reality : null;
  if (reality && reality.enabled === true) {
    params.push(['security', 'reality']);
    if (typeof reality.public_key === 'string') params.push(['pbk', reality.public_key]);
    if (typeof reality.short_id === 'string') params.push(['sid', reality.short_id]);
  } else {
    params.push(['security', 'tls']);
    if (tls.insecure === true) params.push([insecureKey, '1']);
  }
  if (isJsonObject(tls.utls) && typeof tls.utls.fingerprint === 'string') params.push(['fp', tls.utls.fingerprint]);
  if (typeof tls.server_name === 'string') params.push(['sni', tls.server_name]);
  if (Array.isArray(tls.alpn)) params.push(['alpn', tls.alpn.map(String).join(',')]);
  return params;
}

/** `scheme://userinfo@host:port?k=v…#remark` with the panel's escaping (alpn/mport unescaped). */
function withParams(base: string, params: Param[], remark: string): string {
  const query = params
    .map(([k, v]) => (k === 'alpn' || k === 'mport' ? `${k}=${v}` : `${k}=${encodeURIComponent(v).replace(/%20/g, '+')}`))
    .join('&');
  return `${base}${query ? `?${query}` : ''}#${encodeURI(remark).replace(/#/g, '%23')}`;
}

function hostPort(addr: Addr): string {
  return `${addr.server}:${addr.port}`;
}

function tlsEnabled(addr: Addr): addr is Addr & { tls: Record<string, unknown> } {
  return addr.tls !== null && addr.tls.enabled === true;
}

/**
 * The `local` link URIs of one client on one inbound, in the panel's formats.
 * `config` is the client's `config` JSON keyed by protocol.
 */
export function generateLinks(
  config: unknown,
  inbound: SuiInboundRow,
  tls: SuiTlsRow | undefined,
  hostname: string,
  clientRemark: string,
): string[] {
  if (!isJsonObject(config)) return [];
  const user = (key: string): Record<string, unknown> => (isJsonObject(config[key]) ? config[key] : {});
  const addrs = addresses(inbound, tls, hostname, clientRemark);
  const o = inbound.options;
  switch (inbound.type) {
    case 'vless': {
      const base = transportParams(o.transport);
      const isTcp = base.length === 1 && base[0][1] === 'tcp';
      return addrs.map((a) => {
        const params = [...base];
        if (tlsEnabled(a)) {
          params.push(...tlsParams(a.tls, 'allowInsecure'));
          const flow = user('vless').flow;
          if (typeof flow === 'string' && isTcp) params.push(['flow', flow]);
        }
        return withParams(`vless://${str(user('vless').uuid)}@${hostPort(a)}`, params, a.remark);
      });
    }
    case 'trojan': {
      const base = transportParams(o.transport);
      return addrs.map((a) => {
        const params = [...base];
        if (tlsEnabled(a)) params.push(...tlsParams(a.tls, 'allowInsecure'));
        return withParams(`trojan://${str(user('trojan').password)}@${hostPort(a)}`, params, a.remark);
      });
    }
    case 'vmess': {
      const t = Object.fromEntries(transportParams(o.transport));
      return addrs.map((a) => {
        const obj: Record<string, unknown> = { v: '2', id: str(user('vmess').uuid), aid: 0 };
        obj.net = t.type === 'http' ? 'tcp' : t.type;
        obj.add = a.server;
        obj.port = String(a.port);
        obj.ps = a.remark;
        if (t.type === 'http') obj.type = 'http';
        if (t.host) obj.host = t.host;
        if (t.path) obj.path = t.path;
        if (tlsEnabled(a)) {
          obj.tls = 'tls';
          for (const [k, v] of tlsParams(a.tls, 'allowInsecure')) {
            if (k === 'sni' || k === 'fp' || k === 'alpn') obj[k] = v;
            if (k === 'allowInsecure') obj.allowInsecure = 1;
          }
        } else {
          obj.tls = 'none';
        }
        const sorted = Object.fromEntries(Object.entries(obj).sort(([x], [y]) => (x < y ? -1 : 1)));
        return `vmess://${Buffer.from(JSON.stringify(sorted)).toString('base64')}`;
      });
    }
    case 'shadowsocks': {
      const method = str(o.method);
      const parts: string[] = [];
      if (method.startsWith('2022')) parts.push(str(o.password));
      parts.push(str(user(method === '2022-blake3-aes-128-gcm' ? 'shadowsocks16' : 'shadowsocks').password));
      const userInfo = Buffer.from(`${method}:${parts.join(':')}`).toString('base64');
      return addrs.map((a) => `ss://${userInfo}@${hostPort(a)}#${encodeURI(a.remark)}`);
    }
    case 'hysteria2':
    case 'anytls':
    case 'tuic': {
      const u = user(inbound.type);
      const cred = inbound.type === 'tuic' ? `${str(u.uuid)}:${str(u.password)}` : str(u.password);
      return addrs.map((a) => {
        const params: Param[] = a.tls ? tlsParams(a.tls, 'insecure') : [];
        if (inbound.type === 'tuic' && typeof o.congestion_control === 'string') {
          params.push(['congestion_control', o.congestion_control]);
        }
        if (inbound.type === 'hysteria2') params.push(['fastopen', o.tcp_fast_open === true ? '1' : '0']);
        return withParams(`${inbound.type}://${cred}@${hostPort(a)}`, params, a.remark);
      });
    }
    case 'socks':
    case 'http':
    case 'mixed': {
      const socks = (cfg: Record<string, unknown>): string[] =>
        addrs.map((a) => `socks5://${str(cfg.username)}:${str(cfg.password)}@${hostPort(a)}`);
      const http = (cfg: Record<string, unknown>): string[] =>
        addrs.map((a) => `${a.tls ? 'https' : 'http'}://${str(cfg.username)}:${str(cfg.password)}@${hostPort(a)}`);
      if (inbound.type === 'socks') return socks(user('socks'));
      if (inbound.type === 'http') return http(user('http'));
      return [...socks(user('socks')), ...http(user('http'))];
    }
    default:
      return [];
  }
}
