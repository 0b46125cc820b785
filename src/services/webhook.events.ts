import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { Order } from '../entities/order.entity';
import type { Subscription } from '../entities/subscription.entity';
import { enqueue } from '../jobs/enqueue';

/** CTEs of a larger statement (with their `?` bindings, in order) and the CTE listing the ids of the rows they inserted. */
export interface InsertedRowsPart {
  ctes: string;
  bindings: unknown[];
  inserted: string;
}

/** Every event type a reseller's webhook receives. */
export const WEBHOOK_EVENTS = [
  'subscription.activated',
  'subscription.expiring',
  'subscription.expired',
  'subscription.depleted',
  'order.failed',
  'order.refunded',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Attempts of one delivery: graphile-worker's exponential backoff spreads 16 over about three days. */
export const DELIVER_WEBHOOK_MAX_ATTEMPTS = 16;

/**
 * Records one event for a reseller (in the caller's transaction) and enqueues its delivery. Only
 * resellers with a webhook URL get events. `eventKey` makes it once: recording the same key again
 * does nothing. Returns the delivery id, or null when nothing was recorded.
 */
export async function recordResellerEvent(
  em: EntityManager,
  resellerId: string,
  event: WebhookEvent,
  eventKey: string,
  data: Record<string, unknown>,
): Promise<string | null> {
  const rows = await em.execute<Array<{ id: string }>>(
    `insert into webhook_delivery (id, reseller_id, event, event_key, payload, status, attempts, created_at)
     select ?, r.id, ?, ?, ?::jsonb, 'PENDING', 0, now() from reseller r where r.id = ? and r.webhook_url is not null
     on conflict (event_key) do nothing
     returning id`,
    [randomUUID(), event, eventKey, JSON.stringify(data), resellerId],
  );
  if (!rows.length) return null;
  await enqueue(em, 'deliver_webhook', { deliveryId: rows[0].id }, deliveryJobOptions(rows[0].id));
  return rows[0].id;
}

/** The `data` of order events. */
export function orderEventData(order: Order, reason?: string): Record<string, unknown> {
  return {
    orderId: order.id,
    orderNumber: order.number,
    kind: order.kind,
    status: order.status,
    customerId: order.customer.id,
    externalRef: order.customer.externalRef ?? null,
    subscriptionId: order.subscription?.id ?? null,
    amount: order.amountDue,
    ...(reason ? { reason: reason.slice(0, 300) } : {}),
  };
}

/** The `data` of subscription events. */
export function subscriptionEventData(s: Subscription): Record<string, unknown> {
  return {
    subscriptionId: s.id,
    customerId: s.customer.id,
    externalRef: s.customer.externalRef ?? null,
    status: s.status,
    expiresAt: s.expiresAt?.toISOString() ?? null,
    trafficLimitBytes: s.trafficLimitBytes,
    usedBytes: s.usedUpBytes + s.usedDownBytes,
  };
}

/**
 * Lifecycle events of reseller subscriptions, in one statement (like the Telegram warnings):
 * `subscription.expiring` once per expiry instant when the expiry is within the largest warning
 * threshold, `subscription.expired` once per expiry instant, `subscription.depleted` once per
 * traffic period. Rows are inserted ON CONFLICT DO NOTHING on the event key; only inserted rows
 * get a deliver_webhook job, in the same statement as the Telegram warnings
 * (`queueLifecycleMessages`). These are the statement's CTEs; `inserted` names the one listing the
 * ids of the deliveries recorded.
 */
export function lifecycleWebhooksPart(expiryHours: number[], scope: { serverId?: string }): InsertedRowsPart {
  const maxHours = Math.max(0, ...expiryHours);
  return {
    inserted: 'wh_ins',
    ctes: `wh_base as (
       select s.id, s.status, s.expires_at, s.usage_epoch, s.traffic_limit_bytes as quota,
              (s.used_up_bytes + s.used_down_bytes) as used, coalesce(s.activated_at, s.created_at) as started,
              s.customer_id, c.external_ref, r.id as reseller_id
         from subscription s join customer c on c.id = s.customer_id join reseller r on r.id = c.reseller_id
        where r.webhook_url is not null and s.status in ('ACTIVE', 'EXPIRED', 'DEPLETED')
          ${scope.serverId ? 'and s.server_id = ?' : ''}
     ),
     wh_cand as (
       select b.*, 'subscription.expired' as event,
              'subscription.expired:' || b.id || ':' || extract(epoch from b.expires_at)::bigint as event_key
         from wh_base b where b.status = 'EXPIRED' and b.expires_at is not null
       union all
       select b.*, 'subscription.depleted', 'subscription.depleted:' || b.id || ':' || b.usage_epoch || ':' || b.quota
         from wh_base b where b.status = 'DEPLETED'
       union all
       select b.*, 'subscription.expiring', 'subscription.expiring:' || b.id || ':' || extract(epoch from b.expires_at)::bigint
         from wh_base b where b.status = 'ACTIVE' and b.expires_at is not null and b.expires_at > now()
          and b.expires_at <= now() + ?::int * interval '1 hour' and b.started < b.expires_at - ?::int * interval '1 hour'
     ),
     wh_ins as (
       insert into webhook_delivery (id, reseller_id, event, event_key, payload, status, attempts, created_at)
       select gen_random_uuid(), c.reseller_id, c.event, c.event_key,
              jsonb_build_object('subscriptionId', c.id, 'customerId', c.customer_id, 'externalRef', c.external_ref, 'status', c.status,
                                 'expiresAt', to_char(c.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                 'trafficLimitBytes', c.quota, 'usedBytes', c.used),
              'PENDING', 0, now()
         from wh_cand c
       on conflict (event_key) do nothing
       returning id
     )`,
    bindings: [...(scope.serverId ? [scope.serverId] : []), maxHours, maxHours],
  };
}

/** Job options of one delivery: one pending job per delivery (job key). */
export function deliveryJobOptions(deliveryId: string) {
  return { jobKey: `deliver_webhook:${deliveryId}`, maxAttempts: DELIVER_WEBHOOK_MAX_ATTEMPTS };
}
