/**
 * The subscription listener of the simulated 3x-ui (PANELS.md B.10): `GET {subPath}{subId}` with
 * the `Subscription-Userinfo` / `Profile-Title` headers, and the links of one route's client.
 */
import type { SimRequest, SimResponse } from '../shared/sim-http';
import { shareLinks } from './xui.links';
import { header } from './xui.request';
import { str, type XuiInbound, type XuiState, type XuiTrafficRow } from './xui.state';

/** Options of the subscription endpoint. */
export interface SubOptions {
  subPath: string;
  remarkModel: string;
  showInfo: boolean;
  encrypt: boolean;
  updateIntervalHours: number;
  title: string;
}

function requestHost(req: SimRequest): string {
  const h = header(req, 'x-forwarded-host') || header(req, 'host');
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  return i > 0 ? h.slice(0, i) : h;
}

/** `GET {subPath}{subId}` of the subscription listener. */
export function handleSubscription(state: XuiState, opts: SubOptions, req: SimRequest): SimResponse {
  const notFound = (): SimResponse =>
    state.features.sub404 ? { status: 404 } : { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Error!' };
  if (req.method !== 'GET' || !req.path.startsWith(opts.subPath)) return { status: 404 };
  const subId = decodeURIComponent(req.path.slice(opts.subPath.length));
  if (subId === '' || subId.includes('/')) return { status: 404 };
  const host = requestHost(req);
  const links: string[] = [];
  const rows: XuiTrafficRow[] = [];
  const sharing = ['vmess', 'vless', 'trojan', 'shadowsocks', 'hysteria', 'hysteria2'];
  for (const inbound of state.inboundList()) {
    if (!inbound.enable || !sharing.includes(inbound.protocol)) continue;
    for (const client of state.clientsOf(inbound)) {
      if (str(client, 'subId') !== subId) continue;
      const email = str(client, 'email');
      const row = state.traffic.get(email);
      const stats = row && row.inboundId === inbound.id ? row : undefined;
      links.push(...shareLinks(inbound, client, host, { remarkModel: opts.remarkModel, showInfo: opts.showInfo, now: state.clock.now(), stats, features: state.features }));
      rows.push(stats ?? { id: 0, inboundId: inbound.id, enable: false, email, up: 0, down: 0, allTime: 0, expiryTime: 0, total: 0, reset: 0, lastOnline: 0 });
    }
  }
  if (links.length === 0) return notFound();
  let up = 0;
  let down = 0;
  let total = 0;
  let expiry = 0;
  rows.forEach((r, i) => {
    if (i === 0) {
      up = r.up;
      down = r.down;
      total = r.total;
      if (r.expiryTime > 0) expiry = r.expiryTime;
      return;
    }
    up += r.up;
    down += r.down;
    total = total === 0 || r.total === 0 ? 0 : total + r.total;
    if (r.expiryTime !== expiry) expiry = 0;
  });
  const body = links.map((l) => `${l}\n`).join('');
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    'subscription-userinfo': `upload=${up}; download=${down}; total=${total}; expire=${Math.trunc(expiry / 1000)}`,
    'profile-update-interval': String(opts.updateIntervalHours),
    'profile-web-page-url': `http://${header(req, 'host')}${req.path}`,
    'routing-enable': 'false',
  };
  if (opts.title !== '') headers['profile-title'] = `base64:${Buffer.from(opts.title).toString('base64')}`;
  return { status: 200, headers, body: opts.encrypt ? Buffer.from(body).toString('base64') : body };
}

/** Links of one email on one inbound for the panel's link routes (`getClientLinks`, `clients/links`). */
export function linksForRoute(state: XuiState, inbound: XuiInbound, email: string, host: string, opts: SubOptions): string[] {
  const out: string[] = [];
  for (const client of state.clientsOf(inbound)) {
    if (str(client, 'email') !== email) continue;
    const row = state.traffic.get(email);
    out.push(...shareLinks(inbound, client, host, {
        remarkModel: opts.remarkModel,
        showInfo: opts.showInfo,
        now: state.clock.now(),
        stats: row && row.inboundId === inbound.id ? row : undefined,
        features: state.features,
      }));
  }
  return out;
}
