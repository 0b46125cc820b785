import { randomUUID } from 'node:crypto';
import { AuditLog } from '../../src/entities/audit-log.entity';
import { Notification } from '../../src/entities/notification.entity';
import { Order, OrderStatus } from '../../src/entities/order.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { AdminRole } from '../../src/entities/common';
import { addAdmin } from '../../src/services/admin.service';
import { errorCode } from '../helpers/api';
import { randomTelegramId } from '../helpers/ids';
import { drainJobs, queuedJobs } from '../helpers/jobs';
import { CREATE_ORDER, newKey, startWorld, type World } from '../helpers/world';

type OrderRes = { createOrder: { id: string; status: string; subscriptionId: string | null; payment: { id: string; payableAmount: number; cardNumber: string } } };

describe('buying with card-to-card', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  async function placeCardOrder(tg: number): Promise<OrderRes['createOrder']> {
    const res = await w.asUser<OrderRes>(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    expect(res.errors).toBeUndefined();
    return res.data!.createOrder;
  }

  it('turns an approved receipt into one ACTIVE subscription, one panel client and one config-ready notification', async () => {
    const tg = await w.newUser();
    const order = await placeCardOrder(tg);
    expect(order.status).toBe('PENDING_PAYMENT');
    expect(order.payment.cardNumber).toBe('6037 9911 2233 4455');
    expect(order.payment.payableAmount).toBeGreaterThanOrEqual(w.plan.price);

    const submit = await w.asUser(tg, 'mutation($p: ID!) { submitPaymentReceipt(paymentId: $p, trackingCode: "TRK123456") { status } }', { p: order.payment.id });
    expect(submit.data).toEqual({ submitPaymentReceipt: { status: 'SUBMITTED' } });
    const approve = await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: order.payment.id });
    expect(approve.data).toEqual({ approvePayment: { status: 'APPROVED' } });

    await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] });
    const em = w.t.orm.em.fork();
    const subs = await em.find(Subscription, { customer: { telegramId: tg } });
    expect(subs).toHaveLength(1);
    expect(subs[0].status).toBe(SubscriptionStatus.ACTIVE);
    expect(subs[0].links.length).toBeGreaterThan(0);
    expect(w.sim.state().clients.filter((c) => c.name === subs[0].panelName)).toHaveLength(1);
    expect((await em.findOneOrFail(Order, { id: order.id })).status).toBe(OrderStatus.FULFILLED);
    const ready = await em.find(Notification, { kind: 'CONFIG_READY', recipientTelegramId: tg });
    expect(ready).toHaveLength(1);

    const mine = await w.asUser<{ subscriptions: Array<{ status: string; links: string[]; subscriptionUrl: string }> }>(
      tg,
      '{ subscriptions { status links subscriptionUrl } }',
    );
    expect(mine.data!.subscriptions).toEqual([{ status: 'ACTIVE', links: subs[0].links, subscriptionUrl: expect.stringContaining('/sub/') }]);
  });

  it('approves the one open payment a bank statement amount names, keeping the bank reference', async () => {
    const tg = await w.newUser();
    const order = await placeCardOrder(tg);
    const res = await w.asAdmin<{ approvePaymentByAmount: { id: string; status: string; trackingCode: string } }>(
      'mutation($a: Int!) { approvePaymentByAmount(payableAmount: $a, reference: "BANK-REF-1") { id status trackingCode } }',
      { a: order.payment.payableAmount },
    );
    expect(res.data!.approvePaymentByAmount).toEqual({ id: order.payment.id, status: 'APPROVED', trackingCode: 'BANK-REF-1' });
    const again = await w.asAdmin('mutation($a: Int!) { approvePaymentByAmount(payableAmount: $a) { id } }', { a: order.payment.payableAmount });
    expect(errorCode(again)).toBe('PAYMENT_NOT_FOUND');
    // The same bank line cannot pay a second order.
    const other = await placeCardOrder(await w.newUser());
    const dup = await w.asAdmin('mutation($a: Int!) { approvePaymentByAmount(payableAmount: $a, reference: "BANK-REF-1") { id } }', { a: other.payment.payableAmount });
    expect(errorCode(dup)).toBe('RECEIPT_DUPLICATE');
  });

  it('gives each open card payment a different payable amount', async () => {
    const amounts = new Set<number>();
    for (let i = 0; i < 5; i++) amounts.add((await placeCardOrder(await w.newUser())).payment.payableAmount);
    expect(amounts.size).toBe(5);
  });

  it('lets exactly one of 20 concurrent approvals win; the rest get PAYMENT_ALREADY_REVIEWED', async () => {
    const tg = await w.newUser();
    const order = await placeCardOrder(tg);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: order.payment.id })),
    );
    const ok = results.filter((r) => !r.errors);
    const codes = results.filter((r) => r.errors).map(errorCode);
    expect(ok).toHaveLength(1);
    expect(codes).toEqual(Array(19).fill('PAYMENT_ALREADY_REVIEWED'));
    const em = w.t.orm.em.fork();
    expect(await em.count(Subscription, { customer: { telegramId: tg } })).toBe(1);
    expect(await em.count(AuditLog, { action: 'approvePayment', resourceType: 'payment', resourceId: order.payment.id })).toBe(1);
    expect((await queuedJobs(w.t.orm, 'provision_subscription')).filter((j) => j.payload.orderId === order.id)).toHaveLength(1);
  });

  it('creates one order from 10 concurrent createOrder calls with one idempotency key', async () => {
    const tg = await w.newUser();
    const key = newKey();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => w.asUser<OrderRes>(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: key })),
    );
    expect(results.filter((r) => r.errors)).toEqual([]);
    expect(new Set(results.map((r) => r.data!.createOrder.id)).size).toBe(1);
    expect(await w.t.orm.em.fork().count(Order, { customer: { telegramId: tg } })).toBe(1);
  });

  it('refuses to reuse an idempotency key for a different order with IDEMPOTENCY_KEY_REUSED', async () => {
    const tg = await w.newUser();
    const key = newKey();
    await w.asUser(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: key });
    const again = await w.asUser(tg, CREATE_ORDER, { i: { kind: 'TOP_UP', amount: 50000, paymentMethod: 'CARD_TO_CARD' }, k: key });
    expect(errorCode(again)).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('tells the customer the reason when a payment is rejected, and a later approval is refused', async () => {
    const tg = await w.newUser();
    const order = await placeCardOrder(tg);
    const rej = await w.asAdmin('mutation($p: ID!) { rejectPayment(paymentId: $p, reason: "amount <b>wrong</b>") { status rejectReason } }', { p: order.payment.id });
    expect(rej.data).toEqual({ rejectPayment: { status: 'REJECTED', rejectReason: 'amount <b>wrong</b>' } });
    const n = await w.t.orm.em.fork().findOneOrFail(Notification, { kind: 'PAYMENT_REJECTED', recipientTelegramId: tg });
    expect(n.params).toMatchObject({ reason: 'amount <b>wrong</b>' });
    const late = await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: order.payment.id });
    expect(errorCode(late)).toBe('PAYMENT_ALREADY_REVIEWED');
  });

  it('refuses a receipt after the payment deadline with PAYMENT_EXPIRED', async () => {
    const tg = await w.newUser();
    const order = await placeCardOrder(tg);
    await w.t.orm.em.getConnection().execute(`update payment set expires_at = now() - interval '1 minute' where id = ?`, [order.payment.id]);
    const res = await w.asUser(tg, 'mutation($p: ID!) { submitPaymentReceipt(paymentId: $p, trackingCode: "TRK999999") { status } }', { p: order.payment.id });
    expect(errorCode(res)).toBe('PAYMENT_EXPIRED');
  });

  it('offers in CreateOrderInput only the kinds and payment methods createOrder accepts', async () => {
    const tg = await w.newUser();
    for (const i of [
      { kind: 'TRIAL', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' },
      { kind: 'NEW', planId: w.plan.id, paymentMethod: 'FREE' },
    ]) {
      const res = await w.asUser(tg, CREATE_ORDER, { i, k: newKey() });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    }
    expect(await w.t.orm.em.fork().count(Order, { customer: { telegramId: tg } })).toBe(0);
  });

  it("never lets a user bot see another customer's order", async () => {
    const owner = await w.newUser();
    const stranger = await w.newUser();
    const order = await placeCardOrder(owner);
    const res = await w.asUser<{ order: unknown }>(stranger, 'query($id: ID!) { order(id: $id) { id } }', { id: order.id });
    expect(res.data!.order).toBeNull();
    const pay = await w.asUser(stranger, 'mutation($p: ID!) { submitPaymentReceipt(paymentId: $p, trackingCode: "TRK000001") { status } }', { p: order.payment.id });
    expect(errorCode(pay)).toBe('PAYMENT_NOT_FOUND');
    // Cancelling someone else's order reads exactly like cancelling one that does not exist, and changes nothing.
    const cancel = 'mutation($id: ID!) { cancelOrder(id: $id) { status } }';
    expect(errorCode(await w.asUser(stranger, cancel, { id: order.id }))).toBe('ORDER_NOT_FOUND');
    expect(errorCode(await w.asUser(stranger, cancel, { id: randomUUID() }))).toBe('ORDER_NOT_FOUND');
    expect((await w.t.orm.em.fork().findOneOrFail(Order, { id: order.id })).status).toBe(OrderStatus.PENDING_PAYMENT);
    expect((await w.asUser<{ order: { id: string } }>(owner, 'query($id: ID!) { order(id: $id) { id } }', { id: order.id })).data!.order.id).toBe(order.id);
  });
});

describe('when no server can host a plan', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ capacity: 1 });
  });
  afterAll(async () => {
    await w.close();
  });

  it('refuses a new order with NO_CAPACITY, creates nothing and alerts the admins once', async () => {
    const adminTg = randomTelegramId();
    await addAdmin(w.t.orm.em.fork(), { telegramId: adminTg, role: AdminRole.ADMIN });
    const first = await w.newUser();
    const ok = await w.asUser(first, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    const payId = (ok.data as { createOrder: { payment: { id: string } } }).createOrder.payment.id;
    // Approval takes the server's one slot at once, before provisioning runs.
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: payId });
    for (let i = 0; i < 2; i++) {
      const tg = await w.newUser();
      const res = await w.asUser(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
      expect(errorCode(res)).toBe('NO_CAPACITY');
      expect(await w.t.orm.em.fork().count(Order, { customer: { telegramId: tg } })).toBe(0);
    }
    const alerts = await w.t.orm.em.fork().find(Notification, { kind: 'ADMIN_ALERT', recipientTelegramId: adminTg });
    expect(alerts.filter((a) => (a.params as { code: string }).code === 'NO_CAPACITY')).toHaveLength(1);
  });
});
