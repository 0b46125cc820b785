import type { MikroORM } from '@mikro-orm/postgresql';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import type { RouteHandler } from './api-server';

const TOKEN_RE = /^[A-Za-z0-9_-]{16,128}$/;
/** Statuses whose configs are served (disabled/expired ones too, so apps show why they stopped). */
const SERVED = [SubscriptionStatus.ACTIVE, SubscriptionStatus.DISABLED, SubscriptionStatus.DEPLETED, SubscriptionStatus.EXPIRED];

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
    const sub = TOKEN_RE.test(token)
      ? await orm.em.fork().findOne(Subscription, { subToken: token }, { populate: ['plan', 'customer'] })
      : null;
    if (!sub || !SERVED.includes(sub.status)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
      return true;
    }
    const body = Buffer.from(sub.links.join('\n'), 'utf8').toString('base64');
    const expire = sub.expiresAt ? Math.floor(sub.expiresAt.getTime() / 1000) : 0;
    const title = sub.customer.language === 'en' ? sub.plan.titleEn : sub.plan.titleFa;
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'subscription-userinfo': `upload=${sub.usedUpBytes}; download=${sub.usedDownBytes}; total=${sub.trafficLimitBytes}; expire=${expire}`,
      'profile-title': headerSafe(title),
      'profile-update-interval': '12',
      // The profile title, never the subscription's own id (RFC 6266: an ASCII fallback + UTF-8 name).
      'content-disposition': contentDisposition(title),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
