import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderKind, OrderStatus, PaymentMethod } from '../entities/order.entity';
import type { PaymentStatus } from '../entities/payment.entity';
import { decodeCursor, pageSize, toPage, type Page } from './pagination';
import { preparedRows } from './prepared.read';
import { PLAN_READ_COLUMNS, planFromRow, type PlanRead } from './subscription.read';

/**
 * Read models of orders as the bots list and open them (every screen): plain rows from one SQL
 * statement with their plan and payment, no entity hydration (as src/services/subscription.read.ts
 * does for subscriptions). Writes stay on entities (src/services/order.service.ts).
 */
export interface PaymentRead {
  id: string;
  method: PaymentMethod;
  status: PaymentStatus;
  amount: number;
  payableAmount: number | null;
  expiresAt: Date | null;
  receiptId: string | null;
  trackingCode: string | null;
  submittedAt: Date | null;
  reviewedAt: Date | null;
  rejectReason: string | null;
}

export interface OrderRead {
  id: string;
  number: number;
  kind: OrderKind;
  status: OrderStatus;
  customerId: string;
  plan: PlanRead | null;
  subscriptionId: string | null;
  price: number;
  discount: number;
  amountDue: number;
  paymentMethod: PaymentMethod;
  payment: PaymentRead | null;
  failureReason: string | null;
  attempt: number;
  createdAt: Date;
  paidAt: Date | null;
  fulfilledAt: Date | null;
}

type Row = Record<string, unknown>;
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

/** An order with its plan (`p`) and payment (`pay`): the select list and joins of every order read. */
const ORDER_READ = `
  select o.id, o.number, o.kind, o.status, o.customer_id, o.subscription_id, o.price, o.discount, o.amount_due,
         o.payment_method, o.failure_reason, o.attempt, o.created_at, o.paid_at, o.fulfilled_at,
         pay.id as pay_id, pay.method as pay_method, pay.status as pay_status, pay.amount as pay_amount,
         pay.payable_amount as pay_payable_amount, pay.expires_at as pay_expires_at, pay.receipt_id as pay_receipt_id,
         pay.tracking_code as pay_tracking_code, pay.submitted_at as pay_submitted_at, pay.reviewed_at as pay_reviewed_at,
         pay.reject_reason as pay_reject_reason,
         ${PLAN_READ_COLUMNS}
    from "order" o
    left join plan p on p.id = o.plan_id
    left join payment pay on pay.order_id = o.id`;

function orderFromRow(r: Row): OrderRead {
  return {
    id: r.id as string,
    number: Number(r.number),
    kind: r.kind as OrderKind,
    status: r.status as OrderStatus,
    customerId: r.customer_id as string,
    plan: r.plan_id ? planFromRow(r) : null,
    subscriptionId: (r.subscription_id as string | null) ?? null,
    price: r.price as number,
    discount: r.discount as number,
    amountDue: r.amount_due as number,
    paymentMethod: r.payment_method as PaymentMethod,
    payment: r.pay_id
      ? {
          id: r.pay_id as string,
          method: r.pay_method as PaymentMethod,
          status: r.pay_status as PaymentStatus,
          amount: r.pay_amount as number,
          payableAmount: (r.pay_payable_amount as number | null) ?? null,
          expiresAt: date(r.pay_expires_at),
          receiptId: (r.pay_receipt_id as string | null) ?? null,
          trackingCode: (r.pay_tracking_code as string | null) ?? null,
          submittedAt: date(r.pay_submitted_at),
          reviewedAt: date(r.pay_reviewed_at),
          rejectReason: (r.pay_reject_reason as string | null) ?? null,
        }
      : null,
    failureReason: (r.failure_reason as string | null) ?? null,
    attempt: r.attempt as number,
    createdAt: date(r.created_at)!,
    paidAt: date(r.paid_at),
    fulfilledAt: date(r.fulfilled_at),
  };
}

/**
 * A customer's orders, newest first, a page at a time (optionally of some statuses), with plan and
 * payment: one statement.
 */
export async function listCustomerOrderReads(
  em: EntityManager,
  customerId: string,
  opts: { first?: number | null; after?: string | null; statuses?: OrderStatus[] | null } = {},
): Promise<Page<OrderRead>> {
  const first = pageSize(opts.first, 100);
  const params: unknown[] = [customerId];
  const where = ['o.customer_id = $1'];
  if (opts.statuses?.length) {
    params.push(opts.statuses);
    where.push(`o.status = any($${params.length})`);
  }
  if (opts.after) {
    const c = decodeCursor(opts.after);
    params.push(c.at, c.id);
    where.push(`(o.created_at < $${params.length - 1} or (o.created_at = $${params.length - 1} and o.id < $${params.length}))`);
  }
  params.push(first + 1);
  const rows = await preparedRows<Row>(em, `${ORDER_READ} where ${where.join(' and ')} order by o.created_at desc, o.id desc limit $${params.length}`, params);
  return toPage(rows.map(orderFromRow), first, (o) => o.createdAt);
}

/** One order with plan and payment (one statement); null when there is none with this id. */
export async function findOrderRead(em: EntityManager, id: string): Promise<OrderRead | null> {
  const [row] = await preparedRows<Row>(em, `${ORDER_READ} where o.id = $1`, [id]);
  return row ? orderFromRow(row) : null;
}
