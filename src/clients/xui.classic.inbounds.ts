/**
 * What the classic 3x-ui routes (`xui.classic.ts`) read from and write back to an inbound: its
 * clients (`settings.clients`, JSON text on the wire), the client views of a whole list (with the
 * `clientStats` counters), the flow a new vless client gets, and the full body of `update/:id`.
 */
import { ss2022KeyBytes, str, type RawClient, type XuiClientView, type XuiTraffic } from './xui.model';
import type { XuiInboundDto } from './xui.schemas';

/** The client objects of an inbound's `settings.clients` (anything else left out). */
export function clientsOf(inbound: XuiInboundDto): RawClient[] {
  const c = inbound.settings?.clients;
  return Array.isArray(c) ? c.filter((x): x is RawClient => x !== null && typeof x === 'object' && !Array.isArray(x)) : [];
}

/** Views of every client in a list response, keyed by lower-cased email. */
export function viewsFromInbounds(inbounds: XuiInboundDto[]): Map<string, XuiClientView> {
  const views = new Map<string, XuiClientView>();
  const traffic = new Map<string, XuiTraffic>();
  for (const ib of inbounds) {
    for (const s of ib.clientStats) {
      const key = s.email.toLowerCase();
      if (!traffic.has(key)) {
        traffic.set(key, { up: s.up, down: s.down, enable: s.enable, total: s.total, expiryTime: s.expiryTime, inboundId: s.inboundId });
      }
    }
  }
  for (const ib of inbounds) {
    for (const client of clientsOf(ib)) {
      const email = str(client, 'email');
      if (email === '') continue;
      const key = email.toLowerCase();
      let view = views.get(key);
      if (!view) {
        view = { email, entries: [], traffic: traffic.get(key) };
        views.set(key, view);
      }
      view.entries.push({ inboundId: ib.id, protocol: ib.protocol, client, keyBytes: ss2022KeyBytes(ib.protocol, ib.settings) });
    }
  }
  return views;
}

/** The flow a new vless client gets: what the admin gave the inbound's other clients, when flow applies. */
export function defaultFlow(inbound: XuiInboundDto): string {
  const stream = inbound.streamSettings ?? {};
  if (inbound.protocol !== 'vless' || stream.network !== 'tcp' || (stream.security !== 'tls' && stream.security !== 'reality')) return '';
  return clientsOf(inbound).map((c) => str(c, 'flow')).find((f) => f !== '') ?? '';
}

/**
 * The body of `update/:id`, which replaces every column: each one sent back as read (JSON columns
 * as text), with `settings` as given.
 */
export function inboundUpdateBody(current: XuiInboundDto, settings: Record<string, unknown>): Record<string, unknown> {
  const column = (v: Record<string, unknown> | null): string => (v === null ? '' : JSON.stringify(v));
  const body: Record<string, unknown> = {
    id: current.id,
    up: current.up,
    down: current.down,
    total: current.total,
    remark: current.remark,
    enable: current.enable,
    expiryTime: current.expiryTime,
    listen: current.listen,
    port: current.port,
    protocol: current.protocol,
    settings: JSON.stringify(settings),
    streamSettings: column(current.streamSettings),
    sniffing: column(current.sniffing),
    tag: current.tag,
  };
  if (current.trafficReset !== undefined) body.trafficReset = current.trafficReset;
  return body;
}
