import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Setting } from '../entities/setting.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { AppError } from '../errors';
import { addJobsPerRowSql, enqueue, enqueueMany } from '../jobs/enqueue';
import { currentAuditScope, SYSTEM_ACTOR } from './audit.context';
import { CHANNEL_OF, deliveryJobOptions } from '../notifications/notification.queue';
import { deliveryJobOptions as webhookJobOptions, lifecycleWebhooksPart, type InsertedRowsPart } from './webhook.events';
import { SETTINGS, type SettingValue } from './setting.service';
import { isTrafficUsedUp, trafficUsedUpSql } from './traffic-quota';

/**
 * The subscription lifecycle after the sale, as bulk SQL (a fixed number of statements whatever the
 * number of subscriptions): ACTIVE → EXPIRED / DEPLETED, warnings and end notices (each once per
 * subscription, threshold and period, by the notification unique index), deletion after the grace
 * period, and the admin's enable/disable switch.
 */

/** Statuses whose client should exist on the panel (until revoked). */
export const ON_PANEL_STATUSES = [SubscriptionStatus.ACTIVE, SubscriptionStatus.DISABLED, SubscriptionStatus.DEPLETED, SubscriptionStatus.EXPIRED] as const;

/** SQL list of {@link ON_PANEL_STATUSES} (constants, never user input). */
export const ON_PANEL_SQL = ON_PANEL_STATUSES.map((s) => `'${s}'`).join(', ');

/** Reason of the revoke enqueued when the grace period is over; the revoke is dropped if the subscription was renewed meanwhile. */
export const GRACE_REVOKE_REASON = 'grace period over';

/** Attempts of a grace revoke before it shows among failed jobs. */
const GRACE_REVOKE_MAX_ATTEMPTS = 10;

/** The settings the lifecycle reads, loaded in one query. */
export interface LifecycleSettings {
  trafficPercents: number[];
  expiryHours: number[];
  graceDays: number;
  usageSyncMinutes: number;
}

const LIFECYCLE_KEYS = ['warning_traffic_percents', 'warning_expiry_hours', 'grace_days', 'usage_sync_minutes'] as const;

/** Reads the lifecycle settings (defaults for keys without a row; invalid stored values fall back to the default). */
export async function loadLifecycleSettings(em: EntityManager): Promise<LifecycleSettings> {
  const rows = await em.find(Setting, { key: { $in: [...LIFECYCLE_KEYS] } });
  const byKey = new Map(rows.map((r) => [r.key, r.value]));
  const read = <K extends (typeof LIFECYCLE_KEYS)[number]>(key: K): SettingValue<K> => {
    const parsed = SETTINGS[key].schema.safeParse(byKey.get(key));
    return (parsed.success ? parsed.data : SETTINGS[key].default) as SettingValue<K>;
  };
  return {
    trafficPercents: [...new Set(read('warning_traffic_percents'))].sort((a, b) => a - b),
    expiryHours: [...new Set(read('warning_expiry_hours'))].sort((a, b) => b - a),
    graceDays: read('grace_days'),
    usageSyncMinutes: read('usage_sync_minutes'),
  };
}

/** Who a bulk status change is attributed to in the audit log (the job's scope, else SYSTEM). */
export function auditBindings(): [string, string, string | null] {
  const scope = currentAuditScope();
  return [(scope?.actor ?? SYSTEM_ACTOR).actorType, scope?.action ?? 'system', scope?.correlationId ?? null];
}

/**
 * A CTE (named `audit`) writing one audit row per status change listed by CTE `source`
 * (columns id, old_status, status, ended_at). Bindings: {@link auditBindings}.
 */
export function auditStatusCte(source: string): string {
  return `audit as (
    insert into audit_log (id, at, actor_type, action, operation, resource_type, resource_id, diff, correlation_id)
    select gen_random_uuid(), now(), ?, ?, 'update', 'subscription', f.id::text,
           jsonb_build_object('before', jsonb_build_object('status', f.old_status),
                              'after', jsonb_build_object('status', f.status, 'endedAt', f.ended_at)), ?
      from ${source} f where f.old_status is distinct from f.status
  )`;
}

/**
 * Time and quota without the panel: ACTIVE subscriptions past their expiry become EXPIRED, those
 * at or over their quota DEPLETED (expiry wins when both hold); `ended_at` starts the grace period.
 * Audited; rows are locked in id order (as the usage sync does). Returns how many changed.
 */
export async function endDueSubscriptions(em: EntityManager, scope: { serverId?: string } = {}): Promise<{ expired: number; depleted: number }> {
  const rows = await em.execute<Array<{ expired: number; depleted: number }>>(
    `with due as (
       select s.id from subscription s
        where s.status = 'ACTIVE'
          and ((s.expires_at is not null and s.expires_at <= now())
               or ${trafficUsedUpSql('s.traffic_limit_bytes', 's.used_up_bytes + s.used_down_bytes')})
          ${scope.serverId ? 'and s.server_id = ?' : ''}
        order by s.id
        for update of s
     ),
     flipped as (
       update subscription s set
         status = case when s.expires_at is not null and s.expires_at <= now() then 'EXPIRED' else 'DEPLETED' end,
         ended_at = now(), updated_at = now()
         from due where s.id = due.id and s.status = 'ACTIVE'
       returning s.id, 'ACTIVE'::text as old_status, s.status, s.ended_at
     ), ${auditStatusCte('flipped')}
     select count(*) filter (where status = 'EXPIRED')::int as expired, count(*) filter (where status = 'DEPLETED')::int as depleted from flipped`,
    [...(scope.serverId ? [scope.serverId] : []), ...auditBindings()],
  );
  return rows[0];
}

/**
 * Warnings and end notices, in one statement. Per subscription and family, only the most severe
 * level reached is a candidate (a jump from 50 % to 100 % sends one message, not two):
 * - traffic (quota > 0; period `usage:<usage_epoch>:<quota>`, so a renewal or extra traffic re-arms
 *   it): `traffic:<p>` for the highest percent reached while ACTIVE, `depleted` once DEPLETED;
 * - expiry (period = the expiry instant, so a renewal re-arms it): `expiry:<h>h` for the smallest
 *   threshold reached while ACTIVE (only thresholds the subscription lived through: a 1-day trial
 *   gets no "24 hours left" right after purchase), `expired` once EXPIRED.
 * The notification unique index (subscription, kind, threshold, period) makes each one once:
 * rows are inserted with ON CONFLICT DO NOTHING and only the rows inserted get a delivery job
 * (in the same statement: {@link queueLifecycleMessages}). Customers without a Telegram id get none.
 */
function notificationsPart(settings: LifecycleSettings, scope: { serverId?: string }): InsertedRowsPart {
  const channel = CHANNEL_OF.USAGE_WARNING;
  return {
    inserted: 'n_ins',
    ctes: `n_base as (
       select s.id, s.status, s.traffic_limit_bytes as quota, (s.used_up_bytes + s.used_down_bytes) as used, s.usage_epoch,
              s.expires_at, coalesce(s.activated_at, s.created_at) as started, c.telegram_id
         from subscription s join customer c on c.id = s.customer_id
        where s.status in ('ACTIVE', 'DEPLETED', 'EXPIRED') and c.telegram_id is not null
          ${scope.serverId ? 'and s.server_id = ?' : ''}
     ),
     n_traffic as (
       select b.*, (select max(p.v::int) from jsonb_array_elements_text(?::jsonb) p(v)
                     where b.used::numeric * 100 >= p.v::numeric * b.quota) as pct
         from n_base b where b.quota > 0 and b.status in ('ACTIVE', 'DEPLETED')
     ),
     n_expiry as (
       select b.*, (select min(h.v::int) from jsonb_array_elements_text(?::jsonb) h(v)
                     where b.expires_at <= now() + h.v::int * interval '1 hour'
                       and b.started < b.expires_at - h.v::int * interval '1 hour') as hrs
         from n_base b where b.expires_at is not null and b.status in ('ACTIVE', 'EXPIRED')
     ),
     n_cand as (
       select t.id, t.telegram_id,
              case when t.status = 'DEPLETED' then 'SUBSCRIPTION_ENDED' else 'USAGE_WARNING' end as kind,
              case when t.status = 'DEPLETED' then 'depleted' else 'traffic:' || t.pct end as threshold,
              'usage:' || t.usage_epoch || ':' || t.quota as period,
              case when t.status = 'DEPLETED' then jsonb_build_object('subscriptionId', t.id, 'reason', 'DEPLETED')
                   else jsonb_build_object('subscriptionId', t.id, 'percent', least(100, floor(t.used::numeric * 100 / t.quota))::int) end as params
         from n_traffic t where t.status = 'DEPLETED' or t.pct is not null
       union all
       select e.id, e.telegram_id,
              case when e.status = 'EXPIRED' then 'SUBSCRIPTION_ENDED' else 'EXPIRY_WARNING' end,
              case when e.status = 'EXPIRED' then 'expired' else 'expiry:' || e.hrs || 'h' end,
              to_char(e.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
              case when e.status = 'EXPIRED' then jsonb_build_object('subscriptionId', e.id, 'reason', 'EXPIRED')
                   else jsonb_build_object('subscriptionId', e.id, 'hoursLeft',
                          greatest(1, ceil(extract(epoch from (e.expires_at - now())) / 3600))::int) end
         from n_expiry e where e.status = 'EXPIRED' or e.hrs is not null
     ),
     n_ins as (
       insert into notification (id, channel, recipient_telegram_id, kind, params, subscription_id, threshold, period, status, attempts, created_at)
       select gen_random_uuid(), ?, c.telegram_id, c.kind, c.params, c.id, c.threshold, c.period, 'PENDING', 0, now() from n_cand c
       on conflict (subscription_id, kind, threshold, period) where threshold is not null do nothing
       returning id
     )`,
    bindings: [...(scope.serverId ? [scope.serverId] : []), JSON.stringify(settings.trafficPercents), JSON.stringify(settings.expiryHours), channel],
  };
}

/**
 * Queues the lifecycle's Telegram warnings and end notices (above) and the reseller webhooks
 * ({@link lifecycleWebhooksPart}) with their delivery jobs, all in ONE statement. Returns how
 * many of each were queued.
 */
export async function queueLifecycleMessages(
  em: EntityManager,
  settings: LifecycleSettings,
  scope: { serverId?: string } = {},
): Promise<{ notifications: number; webhooks: number }> {
  const n = notificationsPart(settings, scope);
  const w = lifecycleWebhooksPart(settings.expiryHours, scope);
  const nJobs = addJobsPerRowSql('send_notification', n.inserted, 'notificationId', deliveryJobOptions);
  const wJobs = addJobsPerRowSql('deliver_webhook', w.inserted, 'deliveryId', webhookJobOptions);
  const [r] = await em.execute<Array<{ notifications: number; webhooks: number }>>(
    `with ${n.ctes}, ${w.ctes} select ${nJobs.sql} as notifications, ${wJobs.sql} as webhooks`,
    [...n.bindings, ...w.bindings, ...nJobs.bindings, ...wJobs.bindings],
  );
  return r;
}

/**
 * Enqueues `revoke_subscription` for every EXPIRED or DEPLETED subscription whose grace period is
 * over, unless a renewal or extra traffic is paid and not applied yet. One job per subscription
 * (job key; an existing one, even a failing one, is left alone). Returns the number of rows seen.
 */
export async function enqueueGraceRevokes(em: EntityManager, graceDays: number): Promise<number> {
  const rows = await em.execute<Array<{ id: string }>>(
    `select s.id from subscription s
      where s.status in ('EXPIRED', 'DEPLETED') and s.ended_at is not null
        and s.ended_at <= now() - ?::int * interval '1 day'
        and not exists (select 1 from "order" o where o.subscription_id = s.id and o.status in ('PAID', 'FULFILLING'))`,
    [graceDays],
  );
  return enqueueMany(
    em,
    rows.map((r) => ({
      task: 'revoke_subscription',
      payload: { subscriptionId: r.id, reason: GRACE_REVOKE_REASON },
      options: { maxAttempts: GRACE_REVOKE_MAX_ATTEMPTS, jobKey: `revoke_subscription:${r.id}` },
    })),
    'unsafe_dedupe',
  );
}

/**
 * Enqueues `sync_server_usage` for every active server that is not DOWN and whose last good sync
 * is older than `usage_sync_minutes` (30 s early, so a one-minute cron keeps the interval). One job
 * per server (job key) in a queue per server, so syncs of one server never run at the same time.
 */
export async function enqueueDueUsageSyncs(em: EntityManager, minutes: number): Promise<number> {
  const rows = await em.execute<Array<{ id: string }>>(
    `select s.id from server s
      where s.active and s.status <> 'DOWN'
        and (s.usage_synced_at is null or s.usage_synced_at <= now() - (?::int * 60 - 30) * interval '1 second')`,
    [minutes],
  );
  return enqueueMany(
    em,
    rows.map((r) => ({ task: 'sync_server_usage', payload: { serverId: r.id }, options: { queueName: `usage-sync:${r.id}`, maxAttempts: 3, jobKey: `sync_server_usage:${r.id}` } })),
  );
}

/** What one pass of the schedule did. */
export interface LifecyclePassResult {
  expired: number;
  depleted: number;
  notifications: number;
  revokes: number;
  syncs: number;
}

/**
 * The minute pass that needs no panel: end what is due, queue warnings, start grace revokes and
 * fan out the usage syncs that are due. Each step is one statement; safe to run at any time.
 */
export async function runLifecyclePass(em: EntityManager): Promise<LifecyclePassResult> {
  const settings = await loadLifecycleSettings(em);
  const ended = await endDueSubscriptions(em);
  const { notifications } = await queueLifecycleMessages(em, settings);
  const revokes = await enqueueGraceRevokes(em, settings.graceDays);
  const syncs = await enqueueDueUsageSyncs(em, settings.usageSyncMinutes);
  return { ...ended, notifications, revokes, syncs };
}

/**
 * ADMIN: disables a subscription (DISABLED, whatever its usage or expiry) or enables a DISABLED one
 * again (ACTIVE, or straight to EXPIRED / DEPLETED when those are due). The panel follows through
 * `set_client_enabled`, enqueued in the same transaction. Repeating the call changes nothing.
 */
export async function setSubscriptionEnabled(em: EntityManager, id: string, enabled: boolean): Promise<Subscription> {
  const sub = z.uuid().safeParse(id).success
    ? await em.findOne(Subscription, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND');
  await em.populate(sub, ['plan', 'customer', 'server']);
  const before = sub.status;
  if (enabled) {
    if (before === SubscriptionStatus.ACTIVE) return sub;
    if (before !== SubscriptionStatus.DISABLED) throw new AppError('SUBSCRIPTION_NOT_CHANGEABLE');
    const expired = !!sub.expiresAt && sub.expiresAt.getTime() <= Date.now();
    const depleted = isTrafficUsedUp(sub.trafficLimitBytes, sub.usedUpBytes + sub.usedDownBytes);
    sub.status = expired ? SubscriptionStatus.EXPIRED : depleted ? SubscriptionStatus.DEPLETED : SubscriptionStatus.ACTIVE;
    if (sub.status !== SubscriptionStatus.ACTIVE) sub.endedAt = new Date();
  } else {
    if (before === SubscriptionStatus.DISABLED) return sub;
    if (before !== SubscriptionStatus.ACTIVE && before !== SubscriptionStatus.DEPLETED && before !== SubscriptionStatus.EXPIRED) {
      throw new AppError('SUBSCRIPTION_NOT_CHANGEABLE');
    }
    sub.status = SubscriptionStatus.DISABLED;
  }
  await em.flush();
  if (sub.server) await enqueue(em, 'set_client_enabled', { subscriptionId: sub.id }, { jobKey: `set_client_enabled:${sub.id}`, maxAttempts: 10 });
  return sub;
}
