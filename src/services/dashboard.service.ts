import type { EntityManager } from '@mikro-orm/postgresql';

/** The numbers an admin looks at first. Times are UTC; "today" starts at 00:00 UTC. */
export interface Dashboard {
  customers: number;
  customersToday: number;
  subscriptionsByStatus: Array<{ status: string; count: number }>;
  ordersPaidToday: number;
  revenueToday: number;
  revenueLast7Days: number;
  revenueLast30Days: number;
  paymentsToReview: number;
  failedOrders: number;
  serversByStatus: Array<{ status: string; count: number }>;
  walletBalances: number;
}

/** Aggregates in a handful of queries (never a query per row). */
export async function buildDashboard(em: EntityManager): Promise<Dashboard> {
  const one = async (sql: string) => Number((await em.execute<Array<{ n: string | number | null }>>(sql))[0]?.n ?? 0);
  const groups = async (sql: string) =>
    (await em.execute<Array<{ status: string; n: number }>>(sql)).map((r) => ({ status: r.status, count: Number(r.n) }));
  const today = `date_trunc('day', now() at time zone 'utc') at time zone 'utc'`;
  const paid = `status in ('PAID', 'FULFILLING', 'FULFILLED') and payment_method in ('CARD_TO_CARD', 'WALLET', 'RESELLER_BALANCE') and kind <> 'TOP_UP'`;
  return {
    customers: await one(`select count(*) as n from customer`),
    customersToday: await one(`select count(*) as n from customer where created_at >= ${today}`),
    subscriptionsByStatus: await groups(`select status, count(*)::int as n from subscription group by status order by status`),
    ordersPaidToday: await one(`select count(*) as n from "order" where ${paid} and paid_at >= ${today}`),
    revenueToday: await one(`select coalesce(sum(amount_due), 0) as n from "order" where ${paid} and paid_at >= ${today}`),
    revenueLast7Days: await one(`select coalesce(sum(amount_due), 0) as n from "order" where ${paid} and paid_at >= now() - interval '7 days'`),
    revenueLast30Days: await one(`select coalesce(sum(amount_due), 0) as n from "order" where ${paid} and paid_at >= now() - interval '30 days'`),
    paymentsToReview: await one(`select count(*) as n from payment where method = 'CARD_TO_CARD' and status = 'SUBMITTED'`),
    failedOrders: await one(`select count(*) as n from "order" where status = 'FAILED'`),
    serversByStatus: await groups(`select status, count(*)::int as n from server where active group by status order by status`),
    walletBalances: await one(`select coalesce(sum(amount), 0) as n from ledger_entry where customer_id is not null`),
  };
}
