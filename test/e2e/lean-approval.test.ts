import { AuditLog } from '../../src/entities/audit-log.entity';
import { LedgerEntry } from '../../src/entities/ledger-entry.entity';
import { Notification } from '../../src/entities/notification.entity';
import { Order, OrderStatus } from '../../src/entities/order.entity';
import { Payment, PaymentStatus } from '../../src/entities/payment.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { walletBalance } from '../../src/services/wallet.service';
import { queuedJobs } from '../helpers/jobs';
import { CREATE_ORDER, newKey, startWorld, type World } from '../helpers/world';

type OrderRes = { createOrder: { id: string; payment: { id: string } } };

const APPROVE = 'mutation($p: ID!) { approvePayment(paymentId: $p) { status reviewedAt } }';

/**
 * approvePayment is lean (issue 10): at most 8 SQL statements from BEGIN to COMMIT, and the
 * placement lock is taken just before the one statement that writes the slot, not at the start.
 * Counted through the GraphQL mutation, with its transaction middleware and audit.
 */
describe('approving a card payment', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  async function cardOrder(tg: number, input: Record<string, unknown>): Promise<OrderRes['createOrder']> {
    const res = await w.asUser<OrderRes>(tg, CREATE_ORDER, { i: { paymentMethod: 'CARD_TO_CARD', ...input }, k: newKey() });
    expect(res.errors).toBeUndefined();
    return res.data!.createOrder;
  }

  /** The SQL statements of one approval's transaction, BEGIN to COMMIT. */
  async function approvalStatements(paymentId: string): Promise<string[]> {
    await w.asAdmin('{ plans { id } }'); // the key and caches warm
    const sql: string[] = [];
    const knex = w.t.orm.em.getConnection().getKnex();
    const onQuery = (q: { sql: string }) => sql.push(q.sql.replace(/\s+/g, ' '));
    knex.on('query', onQuery);
    try {
      const res = await w.asAdmin<{ approvePayment: { status: string } }>(APPROVE, { p: paymentId });
      expect(res.errors).toBeUndefined();
      expect(res.data!.approvePayment.status).toBe('APPROVED');
    } finally {
      knex.off('query', onQuery);
    }
    const begin = sql.findIndex((s) => /^begin/i.test(s));
    const commit = sql.findIndex((s) => /^commit/i.test(s));
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(commit).toBeGreaterThan(begin);
    return sql.slice(begin, commit + 1);
  }

  it('approves a NEW order in at most 8 statements, the placement lock taken only before the write of the slot', async () => {
    const tg = await w.newUser();
    const order = await cardOrder(tg, { kind: 'NEW', planId: w.plan.id });
    const statements = await approvalStatements(order.payment.id);
    expect(statements.length).toBeLessThanOrEqual(8);
    const lock = statements.findIndex((s) => s.includes('pg_advisory_xact_lock') && s.includes('placement:'));
    // Lock, the read of the candidate servers, the one write, COMMIT: nothing else runs under the lock.
    expect(statements.length - 1 - lock).toBeLessThanOrEqual(3);

    const em = w.t.orm.em.fork();
    const sub = await em.findOneOrFail(Subscription, { customer: { telegramId: tg } });
    expect(sub).toMatchObject({ status: SubscriptionStatus.PROVISIONING, inboundIds: [expect.any(String)] });
    expect(sub.server?.id).toBe(w.server.id);
    expect(await em.findOneOrFail(Order, { id: order.id })).toMatchObject({ status: OrderStatus.PAID, subscription: { id: sub.id } });
    expect((await em.findOneOrFail(Payment, { id: order.payment.id })).status).toBe(PaymentStatus.APPROVED);
  });

  it('writes the audit rows of the payment, the subscription and the order, attributed to the caller', async () => {
    const tg = await w.newUser();
    const order = await cardOrder(tg, { kind: 'NEW', planId: w.plan.id });
    await approvalStatements(order.payment.id);
    const em = w.t.orm.em.fork();
    const sub = await em.findOneOrFail(Subscription, { customer: { telegramId: tg } });
    const rows = await em.find(AuditLog, { action: 'approvePayment', resourceId: { $in: [order.payment.id, sub.id, order.id] } });
    expect(rows.map((r) => `${r.resourceType}:${r.operation}:${r.actorType}:${r.role}`).sort()).toEqual([
      'order:update:API_KEY:ADMIN',
      'payment:update:API_KEY:ADMIN',
      'subscription:create:API_KEY:ADMIN',
    ]);
    const payment = rows.find((r) => r.resourceType === 'payment')!;
    expect(payment.diff).toMatchObject({ before: { status: 'PENDING' }, after: { status: 'APPROVED' } });
    expect(rows.find((r) => r.resourceType === 'order')!.diff).toMatchObject({ before: { status: 'PENDING_PAYMENT' }, after: { status: 'PAID', subscription: sub.id } });
    expect(rows.every((r) => r.correlationId && r.correlationId === payment.correlationId)).toBe(true);
  });

  it('enqueues the provisioning, the receipt-message update and the customer notification in the same transaction', async () => {
    const tg = await w.newUser();
    const order = await cardOrder(tg, { kind: 'NEW', planId: w.plan.id });
    await approvalStatements(order.payment.id);
    const em = w.t.orm.em.fork();
    const sub = await em.findOneOrFail(Subscription, { customer: { telegramId: tg } });
    const note = await em.findOneOrFail(Notification, { kind: 'PAYMENT_APPROVED', recipientTelegramId: tg });
    const jobs = await queuedJobs(w.t.orm);
    expect(jobs.filter((j) => j.key === `provision_subscription:${sub.id}`).map((j) => j.payload)).toEqual([{ subscriptionId: sub.id, orderId: order.id }]);
    expect(jobs.filter((j) => j.key === `update_receipt_messages:${order.payment.id}`)).toHaveLength(1);
    expect(jobs.filter((j) => j.key === `send_notification:${note.id}`)).toHaveLength(1);
  });

  it('credits a card top-up to the wallet, within the same statement budget', async () => {
    const tg = await w.newUser();
    const order = await cardOrder(tg, { kind: 'TOP_UP', amount: 50_000 });
    const statements = await approvalStatements(order.payment.id);
    expect(statements.length).toBeLessThanOrEqual(8);
    const em = w.t.orm.em.fork();
    const fulfilled = await em.findOneOrFail(Order, { id: order.id }, { populate: ['customer'] });
    expect(fulfilled.status).toBe(OrderStatus.FULFILLED);
    expect(await walletBalance(em, fulfilled.customer.id)).toBe(50_000);
    expect(await em.count(LedgerEntry, { order: order.id })).toBe(1);
    expect(await em.count(Notification, { kind: { $in: ['WALLET_CREDITED', 'PAYMENT_APPROVED'] }, recipientTelegramId: tg })).toBe(2);
  });

  it('does not write an approval twice when the same payment is approved again', async () => {
    const tg = await w.newUser();
    const order = await cardOrder(tg, { kind: 'NEW', planId: w.plan.id });
    await approvalStatements(order.payment.id);
    const again = await w.asAdmin(APPROVE, { p: order.payment.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('PAYMENT_ALREADY_REVIEWED');
    const em = w.t.orm.em.fork();
    expect(await em.count(Subscription, { customer: { telegramId: tg } })).toBe(1);
    expect(await em.count(AuditLog, { action: 'approvePayment', resourceId: order.payment.id })).toBe(1);
  });
});
