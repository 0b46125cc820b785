/**
 * The S-UI simulator's subscription listener (PANELS.md A.7): `GET {subPath}{name}` serves the
 * client's links (base64 by default) with `Subscription-Userinfo`, `Profile-Update-Interval`,
 * `Profile-Title` and `Content-Disposition`; unknown or disabled clients get `400 Error!`.
 *
 * Not simulated: `sub`-type links (remote subscriptions) are skipped instead of fetched and
 * expanded; `?format=json|clash` return a minimal document built from the links.
 */
import type { SimRequest, SimResponse } from '../shared/sim-http';
import { decodeSegment, text } from './sui.http-util';
import type { SuiClientRow, SuiLink, SuiStore } from './sui.store';

function formatTraffic(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(2)}${units[i]}`;
}

function rfc5987(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

function asciiFilename(value: string): string {
  const ascii = [...value]
    .map((ch) => (ch === '"' || ch === '\\' ? '_' : ch))
    .filter((ch) => ch >= ' ' && ch <= '~')
    .join('')
    .trim();
  return ascii === '' ? 'subscription' : ascii;
}

/** Routes the subscription port. */
export class SuiSubRoutes {
  constructor(
    private readonly store: SuiStore,
    private readonly subPath: string,
  ) {}

  /** Answers one subscription-port request. */
  handle(req: SimRequest): SimResponse {
    const notFound = text(404, '404 page not found');
    if (!req.path.startsWith(this.subPath)) return notFound;
    const rest = req.path.slice(this.subPath.length);
    if (rest === '' || rest.includes('/')) return notFound;
    const name = decodeSegment(rest);
    const isHead = req.method === 'HEAD';
    if (req.method !== 'GET' && !(isHead && this.store.features.editChecksExisting)) return notFound;

    const client = this.store.byName(name).find((c) => c.enable);
    if (!client) return text(400, 'Error!');
    const headers = this.headers(client);
    if (isHead) return { status: 200, headers };

    const format = req.query.get('format');
    let body: string;
    if (format === null) {
      body = this.links(client).join('\n');
      if (this.store.settings.subEncode === 'true') body = Buffer.from(body).toString('base64');
    } else if (format === 'json') {
      body = JSON.stringify({ outbounds: this.links(client).map((uri, i) => ({ tag: `proxy-${i + 1}`, uri })) }, null, 2);
    } else if (format === 'clash' && this.store.features.editChecksExisting) {
      body = `proxies:\n${this.links(client).map((uri, i) => `  - name: proxy-${i + 1}\n    uri: "${uri}"`).join('\n')}\n`;
    } else {
      return text(400, 'Error!');
    }
    return { status: 200, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' }, body };
  }

  private links(client: SuiClientRow): string[] {
    const links = Array.isArray(client.links) ? (client.links as SuiLink[]) : [];
    const info = this.store.settings.subShowInfo === 'true' ? this.clientInfo(client) : '';
    const out: string[] = [];
    for (const link of links) {
      if (link.type === 'external') out.push(link.uri);
      else if (link.type === 'local') out.push(info && link.uri.includes('#') ? `${link.uri}${encodeURIComponent(info)}` : link.uri);
    }
    return out;
  }

  private clientInfo(c: SuiClientRow): string {
    const parts: string[] = [];
    const left = c.volume - (c.up + c.down);
    if (left > 0) parts.push(`${formatTraffic(left)}📊`);
    if (c.expiry > 0) parts.push(`${Math.trunc((c.expiry - this.store.nowSec()) / 86400)}Days⏳`);
    return parts.length > 0 ? ` ${parts.join(' ')}` : ' ♾';
  }

  private headers(c: SuiClientRow): Record<string, string> {
    const title = this.store.features.v15 && c.remark !== '' ? c.remark : c.name;
    return {
      'subscription-userinfo': `upload=${c.up}; download=${c.down}; total=${c.volume}; expire=${c.expiry}`,
      'profile-update-interval': this.store.settings.subUpdates,
      // Node refuses raw non-Latin-1 header values; the real panel sends UTF-8 bytes.
      'profile-title': Buffer.from(title, 'utf8').toString('latin1'),
      'content-disposition': `attachment; filename="${asciiFilename(title)}"; filename*=UTF-8''${rfc5987(title.trim() || 'subscription')}`,
    };
  }
}
