import type { MikroORM } from '@mikro-orm/postgresql';
import type { AlertCode } from './alert-codes';
import { notifyAdmins } from './notification.queue';

/**
 * Admin alerts that must survive the caller's failure (e.g. NO_CAPACITY refused to a buyer: the
 * buyer's transaction rolls back, the alert must not). Written in their own transaction, at most
 * once per code and subject every `quietMinutes`.
 */
export class AdminAlerts {
  constructor(
    private readonly orm: MikroORM,
    private readonly quietMinutes = 30,
  ) {}

  async raise(code: AlertCode, subject: string, message: string): Promise<boolean> {
    return this.orm.em.fork().transactional(async (em) => {
      await em.execute(`select pg_advisory_xact_lock(hashtext('alert:' || ? || ':' || ?))`, [code, subject]);
      const recent = await em.execute<Array<{ n: number }>>(
        `select count(*)::int as n from notification where kind = 'ADMIN_ALERT' and params->>'code' = ? and params->>'subject' = ? and created_at > now() - (? * interval '1 minute')`,
        [code, subject, this.quietMinutes],
      );
      if (recent[0].n > 0) return false;
      await notifyAdmins(em, 'ADMIN_ALERT', { code, message, subject });
      return true;
    });
  }
}
