import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AlertCode, AlertFacts } from './alert-codes';
import { notifyAdmins } from './notification.queue';

/**
 * One admin alert: a catalogued code with its facts (rendered in the admin's language by
 * src/notifications/alert-codes.ts), and what it is about.
 */
export type Alert = {
  [C in AlertCode]: {
    code: C;
    facts: AlertFacts<C>;
    /** What the alert is about (server id, evacuation id, group...): de-duplication is per code and subject. */
    subject?: string;
    orderNumber?: number;
    serverName?: string;
  };
}[AlertCode];

/** How often an alert about the same code and subject may be sent: once ever, or once per quiet window. */
export type AlertWindow = 'once' | { quietMinutes: number };

/**
 * Queues an alert to every active admin in `em`'s transaction, with no de-duplication: for events
 * that happen once by construction (a status change under its row lock, an order failing for good).
 */
export async function sendAlert(em: EntityManager, alert: Alert): Promise<number> {
  return notifyAdmins(em, 'ADMIN_ALERT', alert);
}

/**
 * The one de-duplicating alert path: queues the alert unless one with the same code and subject
 * was queued within `window`. Runs in a transaction of its own on `em` (a savepoint inside the
 * caller's), serialized per code and subject by an advisory lock, so concurrent raisers send one.
 * Returns whether the alert was queued.
 */
export async function raiseAlert(em: EntityManager, alert: Alert & { subject: string }, window: AlertWindow): Promise<boolean> {
  return em.transactional(async (tx) => {
    await tx.execute(`select pg_advisory_xact_lock(hashtext('alert:' || ? || ':' || ?))`, [alert.code, alert.subject]);
    const quietMinutes = window === 'once' ? null : window.quietMinutes;
    const recent = await tx.execute<Array<{ n: number }>>(
      `select count(*)::int as n from notification
        where kind = 'ADMIN_ALERT' and params->>'code' = ? and params->>'subject' = ?
          and (?::int is null or created_at > now() - (?::int * interval '1 minute'))`,
      [alert.code, alert.subject, quietMinutes, quietMinutes],
    );
    if (recent[0].n > 0) return false;
    await sendAlert(tx, alert);
    return true;
  });
}

/**
 * Alerts that must survive the caller's failure (e.g. NO_CAPACITY refused to a buyer: the buyer's
 * transaction rolls back, the alert must not): {@link raiseAlert} on a fresh EntityManager, at
 * most once per code and subject every `quietMinutes`.
 */
export class AdminAlerts {
  constructor(
    private readonly orm: MikroORM,
    private readonly quietMinutes = 30,
  ) {}

  async raise(alert: Alert & { subject: string }): Promise<boolean> {
    return raiseAlert(this.orm.em.fork(), alert, { quietMinutes: this.quietMinutes });
  }
}
