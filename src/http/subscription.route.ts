import type { MikroORM } from '@mikro-orm/postgresql';
import { SubscriptionStatus } from '../entities/subscription.entity';
import { preparedRows } from '../services/prepared.read';
import type { RouteHandler } from './api-server';

const TOKEN_RE = /^[A-Za-z0-9_-]{16,128}$/;
/** Statuses whose configs are served (disabled/expired ones too, so apps show why they stopped). */
const SERVED = [SubscriptionStatus.ACTIVE, SubscriptionStatus.DISABLED, SubscriptionStatus.DEPLETED, SubscriptionStatus.EXPIRED];

/** The columns `/sub/` serves (bigints and timestamps arrive as text). */
interface SubRow {
  status: SubscriptionStatus;
  links: string[] | null;
  expires_at: string | Date | null;
  used_up_bytes: string | number;
  used_down_bytes: string | number;
  traffic_limit_bytes: string | number;
  title_fa: string;
  title_en: string;
  language: string;
}

function headerSafe(text: string): string {
  // Non-ASCII titles use the `base64:` form that v2rayN/Hiddify/Streisand understand.
  return /^[\x20-\x7e]*$/.test(text) ? text : `base64:${Buffer.from(text, 'utf8').toString('base64')}`;
}

/** `attachment` named after the profile title (ASCII fallback plus `filename*` for other scripts). */
function contentDisposition(title: string): string {
  const ascii = title.replace(/[^\x20-\x7e]|["\\]/g, '').trim() || 'subscription';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(title)}`;
}

/**
 * `GET /sub/:token`: the standard base64 list of share links, built from our database (so a move
 * to another server keeps the URL), with `Subscription-Userinfo` (bytes, expire in unix seconds)
 * and `Profile-Title`. Unknown tokens and revoked/failed subscriptions answer 404.
 */
export function subscriptionRoute(orm: MikroORM): RouteHandler {
  return async (req, res, url) => {
    const m = /^\/sub\/([^/]+)$/.exec(url.pathname);
    if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const token = m[1];
    // Apps poll this URL every few hours per device: one plain-row statement, no entities.
    const rows = TOKEN_RE.test(token)
      ? await preparedRows<SubRow>(
          orm.em,
          `select s.status, s.links, s.expires_at, s.used_up_bytes, s.used_down_bytes, s.traffic_limit_bytes,
                  p.title_fa, p.title_en, c.language
             from subscription s join plan p on p.id = s.plan_id join customer c on c.id = s.customer_id
            where s.sub_token = $1`,
          [token],
        )
      : [];
    const sub = rows[0];
    if (!sub || !SERVED.includes(sub.status)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
      return true;
    }
    const body = Buffer.from((sub.links ?? []).join('\n'), 'utf8').toString('base64');
    const expire = sub.expires_at ? Math.floor(new Date(sub.expires_at).getTime() / 1000) : 0;
    const title = sub.language === 'en' ? sub.title_en : sub.title_fa;
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'subscription-userinfo': `upload=${Number(sub.used_up_bytes)}; download=${Number(sub.used_down_bytes)}; total=${Number(sub.traffic_limit_bytes)}; expire=${expire}`,
      'profile-title': headerSafe(title),
      'profile-update-interval': '12',
      // The profile title, never the subscription's own id (RFC 6266: an ASCII fallback + UTF-8 name).
      'content-disposition': contentDisposition(title),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
