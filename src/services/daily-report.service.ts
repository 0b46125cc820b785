import type { EntityManager } from '@mikro-orm/postgresql';
import { raiseAlert } from '../notifications/alerts';
import { buildDashboard } from './dashboard.service';
import { getSetting } from './setting.service';

/**
 * The hourly check of the daily report: in the UTC hour of `daily_report_hour_utc` every active
 * admin gets one DAILY_REPORT alert (once per UTC date, however often this runs).
 */
export async function sendDailyReportIfDue(em: EntityManager, now: Date = new Date()): Promise<boolean> {
  const hour = await getSetting(em, 'daily_report_hour_utc');
  if (hour === null || now.getUTCHours() !== hour) return false;
  const d = await buildDashboard(em);
  const count = (list: Array<{ status: string; count: number }>, status: string) => list.find((s) => s.status === status)?.count ?? 0;
  return raiseAlert(
    em,
    {
      code: 'DAILY_REPORT',
      subject: now.toISOString().slice(0, 10),
      facts: {
        customers: d.customers,
        customersToday: d.customersToday,
        ordersPaidToday: d.ordersPaidToday,
        revenueToday: d.revenueToday,
        revenueLast7Days: d.revenueLast7Days,
        revenueLast30Days: d.revenueLast30Days,
        activeSubscriptions: count(d.subscriptionsByStatus, 'ACTIVE'),
        receiptsWaiting: d.paymentsToReview,
        failedOrders: d.failedOrders,
        serversDown: count(d.serversByStatus, 'DOWN'),
      },
    },
    'once',
  );
}
