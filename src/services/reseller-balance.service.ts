import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { LedgerEntry, LedgerKind } from '../entities/ledger-entry.entity';
import { Order, OrderStatus } from '../entities/order.entity';
import type { Reseller } from '../entities/reseller.entity';
import { AppError } from '../errors';
import { olderThan, pageSize, toPage, type Page } from './pagination';
import { lockForTransaction } from './transaction';

/** A reseller balance: the sum of its ledger entries (never stored). */
export async function resellerBalance(em: EntityManager, resellerId: string): Promise<number> {
  const [row] = await em.execute<Array<{ b: string | null }>>(`select coalesce(sum(amount), 0)::bigint as b from ledger_entry where reseller_id = ?`, [resellerId]);
  return Number(row.b ?? 0);
}

/** Serialises money movements of one reseller until the transaction ends (no overdraw by racing orders). */
export async function lockReseller(em: EntityManager, resellerId: string): Promise<void> {
  await lockForTransaction(em, `reseller:${resellerId}`);
}

/**
 * Appends one entry to a reseller balance. A debit that would take the balance below minus the
 * credit limit is refused with INSUFFICIENT_BALANCE (nothing is written).
 */
export async function postToResellerBalance(
  em: EntityManager,
  input: { reseller: Reseller; amount: number; kind: LedgerKind; order?: Order | null; actor: string; note?: string | null; idempotencyKey?: string | null },
): Promise<LedgerEntry> {
  if (!Number.isSafeInteger(input.amount) || input.amount === 0) throw new AppError('BAD_USER_INPUT', 'Amount must be a non-zero integer.');
  await lockReseller(em, input.reseller.id);
  if (input.amount < 0) {
    const balance = await resellerBalance(em, input.reseller.id);
    if (balance + input.amount < -input.reseller.creditLimit) {
      throw new AppError('INSUFFICIENT_BALANCE', undefined, { balance, creditLimit: input.reseller.creditLimit, needed: -input.amount });
    }
  }
  const entry = em.create(LedgerEntry, {
    reseller: input.reseller,
    amount: input.amount,
    kind: input.kind,
    order: input.order ?? null,
    attempt: input.order?.attempt ?? 1,
    actor: input.actor,
    note: input.note ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
  });
  await em.flush();
  return entry;
}

export const topUpInput = z.object({
  /** Toman to credit (positive). */
  amount: z.number().int().min(1).max(10_000_000_000),
  /** Why (e.g. the bank transfer reference). */
  note: z.string().trim().min(3).max(500),
  /** Repeating it returns the first top-up instead of crediting again. */
  idempotencyKey: z.string().trim().min(8).max(200),
});

/** ADMIN: credits a reseller balance; idempotent per (reseller, key); audited by the mutation's audit scope. */
export async function topUpReseller(em: EntityManager, reseller: Reseller, input: z.input<typeof topUpInput>, actor: string): Promise<LedgerEntry> {
  const d = topUpInput.parse(input);
  await lockReseller(em, reseller.id);
  const first = await em.findOne(LedgerEntry, { reseller, idempotencyKey: d.idempotencyKey });
  if (first) {
    if (first.amount !== d.amount || first.kind !== LedgerKind.TOP_UP) throw new AppError('IDEMPOTENCY_KEY_REUSED');
    return first;
  }
  return postToResellerBalance(em, { reseller, amount: d.amount, kind: LedgerKind.TOP_UP, actor, note: d.note, idempotencyKey: d.idempotencyKey });
}

/** A reseller's ledger, newest first, a page at a time. */
export async function listResellerLedger(em: EntityManager, resellerId: string, opts: { first?: number | null; after?: string | null }): Promise<Page<LedgerEntry>> {
  const first = pageSize(opts.first, 200);
  const cursor = olderThan(opts.after, 'createdAt');
  const where = cursor ? { $and: [{ reseller: resellerId }, cursor] } : { reseller: resellerId };
  const rows = await em.find(LedgerEntry, where, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: first + 1 });
  return toPage(rows, first, (e) => e.createdAt);
}

/** Totals of one statement period. */
export interface ResellerStatement {
  from: Date;
  to: Date;
  openingBalance: number;
  closingBalance: number;
  topUps: number;
  /** Charged for orders (positive number). */
  purchases: number;
  refunds: number;
  adjustments: number;
  /** Orders charged in the period and not refunded. */
  orderCount: number;
  /** What those orders cost at shop prices. */
  shopValue: number;
  /** shopValue minus what the reseller paid for them. */
  margin: number;
  orders: Order[];
}

const CHARGED = [OrderStatus.PAID, OrderStatus.FULFILLING, OrderStatus.FULFILLED];

/** The statement of a period [from, to): ledger totals, orders and the margin against shop prices. */
export async function resellerStatement(em: EntityManager, resellerId: string, from: Date, to: Date): Promise<ResellerStatement> {
  if (!(from < to)) throw new AppError('BAD_USER_INPUT', '`from` must be before `to`.');
  if (to.getTime() - from.getTime() > 366 * 86_400_000) throw new AppError('BAD_USER_INPUT', 'A statement covers at most 366 days.');
  const [t] = await em.execute<Array<Record<string, string>>>(
    `select coalesce(sum(amount) filter (where created_at < ?), 0)::bigint as opening,
            coalesce(sum(amount) filter (where created_at < ?), 0)::bigint as closing,
            coalesce(sum(amount) filter (where created_at >= ? and created_at < ? and kind = 'TOP_UP'), 0)::bigint as top_ups,
            coalesce(-sum(amount) filter (where created_at >= ? and created_at < ? and kind = 'PURCHASE'), 0)::bigint as purchases,
            coalesce(sum(amount) filter (where created_at >= ? and created_at < ? and kind = 'REFUND'), 0)::bigint as refunds,
            coalesce(sum(amount) filter (where created_at >= ? and created_at < ? and kind not in ('TOP_UP', 'PURCHASE', 'REFUND')), 0)::bigint as adjustments
       from ledger_entry where reseller_id = ?`,
    [from, to, from, to, from, to, from, to, from, to, resellerId],
  );
  const orders = await em.find(
    Order,
    { reseller: resellerId, paidAt: { $gte: from, $lt: to } },
    { orderBy: [{ paidAt: 'asc' }, { id: 'asc' }], populate: ['plan'], limit: 1000 },
  );
  const kept = orders.filter((o) => CHARGED.includes(o.status));
  const shopValue = kept.reduce((s, o) => s + (o.shopPrice ?? o.price), 0);
  const paid = kept.reduce((s, o) => s + o.amountDue, 0);
  return {
    from,
    to,
    openingBalance: Number(t.opening),
    closingBalance: Number(t.closing),
    topUps: Number(t.top_ups),
    purchases: Number(t.purchases),
    refunds: Number(t.refunds),
    adjustments: Number(t.adjustments),
    orderCount: kept.length,
    shopValue,
    margin: shopValue - paid,
    orders,
  };
}
