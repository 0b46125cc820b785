/**
 * The S-UI simulator's informational answers: `status`, `onlines`, `keypairs`, `linkConvert`, and
 * the state dump that stands in for `getdb` / `singbox-config`.
 */
import { randomBytes } from 'node:crypto';
import type { SimClock, SimResponse } from '../shared/sim-http';
import { formatLastLogin } from './sui.auth';
import { GoError } from './sui.go-json';
import { jsonObj, sortedMap } from './sui.http-util';
import type { SuiStore } from './sui.store';

/** A file-name timestamp (`20060102-150405`). */
export function stamp(ms: number): string {
  return formatLastLogin(ms, '').trim().replace(/[-:]/g, '').replace(' ', '-');
}

/** `GET onlines`: the non-empty lists of the last stats tick. */
export function onlines(store: SuiStore): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const o = store.onlines;
  if (o.inbound.length > 0) out.inbound = [...o.inbound];
  if (o.user.length > 0) out.user = [...o.user];
  if (o.outbound.length > 0) out.outbound = [...o.outbound];
  return out;
}

/** `GET status?r=`: the requested items the profile knows, sorted by key. */
export function status(store: SuiStore, clock: SimClock, r: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // 1.2.x answered only cpu, mem, net, sys and sbd; dsk/dio/swp came with 1.3.0, db by 1.3.11.
  const known = store.features.editChecksExisting ? null : new Set(['cpu', 'mem', 'net', 'sys', 'sbd']);
  for (const item of r.split(',')) {
    if (known && !known.has(item)) continue;
    switch (item) {
      case 'cpu':
        out.cpu = 1.5;
        break;
      case 'mem':
        out.mem = { current: 512 * 1024 * 1024, total: 2048 * 1024 * 1024 };
        break;
      case 'dsk':
        out.dsk = { current: 5 * 1024 ** 3, total: 40 * 1024 ** 3 };
        break;
      case 'dio':
        out.dio = { read: 0, write: 0 };
        break;
      case 'swp':
        out.swp = { current: 0, total: 0 };
        break;
      case 'net':
        out.net = { sent: 0, recv: 0, psent: 0, precv: 0 };
        break;
      case 'sys':
        out.sys = sortedMap({
          appMem: 32 * 1024 * 1024,
          appThreads: 12,
          cpuType: 'Simulated CPU',
          cpuCount: 2,
          hostName: 's-ui-sim',
          appVersion: store.features.version,
          ipv4: ['127.0.0.1/8'],
          ipv6: [],
          bootTime: Math.floor(clock.now() / 1000) - 3600,
        });
        break;
      case 'sbd':
        out.sbd = { running: true, stats: { NumGoroutine: 20, Alloc: 8 * 1024 * 1024, Uptime: 3600 } };
        break;
      case 'db':
        out.db = { clients: store.clients.size, inbounds: store.inbounds.size, changes: store.changes.length };
        break;
      default:
        break;
    }
  }
  return sortedMap(out);
}

/** `GET keypairs?k=`. */
export function keypairs(kind: string): string[] {
  if (kind === '') return ['No keypair to generate'];
  if (kind === 'reality' || kind === 'wireguard') {
    const priv = randomBytes(32).toString(kind === 'reality' ? 'base64url' : 'base64');
    const pub = randomBytes(32).toString(kind === 'reality' ? 'base64url' : 'base64');
    return [`PrivateKey: ${priv}`, `PublicKey: ${pub}`];
  }
  return ['Failed to generate keypair'];
}

/** `POST linkConvert`: the outbound a share link stands for. */
export function linkConvert(link: string): SimResponse {
  const m = /^(vless|trojan|hysteria2|tuic|ss):\/\/[^@]*@([^:/?#]+):(\d+)/.exec(link);
  if (!m) return jsonObj(null, new GoError('invalid link'));
  const type = m[1] === 'ss' ? 'shadowsocks' : m[1];
  const tag = decodeURIComponent(link.split('#')[1] ?? `${type}-${m[3]}`);
  return jsonObj({ type, tag, server: m[2], server_port: Number(m[3]) });
}

/** The internal state as a JSON-able object (getdb / singbox-config stand-ins). */
export function dump(store: SuiStore): Record<string, unknown> {
  return {
    inbounds: store.getInbounds('') ?? [],
    clients: [...store.clients.values()].map((c) => store.clientJson(c, true)),
    config: store.config,
  };
}
