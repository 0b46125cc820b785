import { randomUUID } from 'node:crypto';
import { DiscountCode } from '../../src/entities/discount-code.entity';
import { LedgerEntry } from '../../src/entities/ledger-entry.entity';
import { Order, OrderKind, OrderStatus } from '../../src/entities/order.entity';
import { Payment, PaymentStatus } from '../../src/entities/payment.entity';
import { Subscription } from '../../src/entities/subscription.entity';
import { updateSetting } from '../../src/services/setting.service';
import { buildPlan } from '../factories/commerce';
import { errorCode } from '../helpers/api';
import { drainJobs } from '../helpers/jobs';
import { CREATE_ORDER, newKey, startWorld, type World } from '../helpers/world';
import { tinyPng } from '../helpers/images';

const PNG = tinyPng(randomUUID());

describe('wallet, trial, discounts and receipts', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  async function customerId(tg: number): Promise<string> {
    return (await w.asUser<{ myCustomer: { id: string } }>(tg, '{ myCustomer { id } }')).data!.myCustomer.id;
  }

  it('credits the wallet when a card top-up is approved, then pays an order from it in the same transaction', async () => {
    const tg = await w.newUser();
    const top = await w.asUser<{ createOrder: { payment: { id: string } } }>(tg, CREATE_ORDER, { i: { kind: 'TOP_UP', amount: 500_000, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: top.data!.createOrder.payment.id });
    expect((await w.asUser<{ wallet: { balance: number } }>(tg, '{ wallet { balance } }')).data!.wallet.balance).toBe(500_000);
    const buy = await w.asUser<{ createOrder: { status: string } }>(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'WALLET' }, k: newKey() });
    expect(buy.data!.createOrder.status).toBe('PAID');
    expect((await w.asUser<{ wallet: { balance: number } }>(tg, '{ wallet { balance } }')).data!.wallet.balance).toBe(500_000 - w.plan.price);
  });

  it('refuses a wallet purchase beyond the balance with INSUFFICIENT_BALANCE and creates nothing', async () => {
    const tg = await w.newUser();
    const res = await w.asUser(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'WALLET' }, k: newKey() });
    expect(errorCode(res)).toBe('INSUFFICIENT_BALANCE');
    expect(await w.t.orm.em.fork().count(Order, { customer: { telegramId: tg } })).toBe(0);
  });

  it('posts a manual adjustment once however often it is retried with its idempotency key', async () => {
    const tg = await w.newUser();
    const c = await customerId(tg);
    const ADJ = 'mutation($c: ID!, $a: Int!, $k: String) { adjustWallet(customerId: $c, amount: $a, reason: "goodwill credit", idempotencyKey: $k) { balance } }';
    const results = await Promise.all(Array.from({ length: 5 }, () => w.asAdmin<{ adjustWallet: { balance: number } }>(ADJ, { c, a: 7000, k: 'adj-key-0001' })));
    expect(results.map((r) => r.data!.adjustWallet.balance)).toEqual(Array(5).fill(7000));
    expect(errorCode(await w.asAdmin(ADJ, { c, a: 9000, k: 'adj-key-0001' }))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await w.asAdmin<{ adjustWallet: { balance: number } }>(ADJ, { c, a: 1000, k: null })).data!.adjustWallet.balance).toBe(8000);
  });

  it('never overdraws a wallet under concurrent purchases', async () => {
    const tg = await w.newUser();
    await w.asAdmin('mutation($c: ID!, $a: Int!) { adjustWallet(customerId: $c, amount: $a, reason: "two plans") { balance } }', { c: await customerId(tg), a: w.plan.price * 2 });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => w.asUser(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'WALLET' }, k: newKey() })),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(2);
    expect(results.filter((r) => r.errors).map(errorCode)).toEqual(Array(4).fill('INSUFFICIENT_BALANCE'));
    expect((await w.asUser<{ wallet: { balance: number } }>(tg, '{ wallet { balance } }')).data!.wallet.balance).toBe(0);
  });

  it('gives the free trial once, enforced by the database even under concurrent requests', async () => {
    const trialPlan = await buildPlan(w.t.orm, { isTrial: true, price: 0, serverGroup: w.plan.serverGroup, trafficBytes: 1e9, durationDays: 1 });
    await w.t.orm.em.fork().transactional((em) => updateSetting(em, 'trial_plan_code', trialPlan.code));
    const tg = await w.newUser();
    const results = await Promise.all(Array.from({ length: 5 }, () => w.asUser(tg, 'mutation { requestTrial { id kind amountDue } }')));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).map(errorCode)).toEqual(Array(4).fill('TRIAL_ALREADY_USED'));
    await drainJobs(w.t.orm, w.t.services);
    const subs = await w.t.orm.em.fork().find(Subscription, { customer: { telegramId: tg } });
    expect(subs.map((s) => [s.isTrial, s.status])).toEqual([[true, 'ACTIVE']]);
    expect(errorCode(await w.asUser(tg, 'mutation { requestTrial { id } }'))).toBe('TRIAL_ALREADY_USED');
  });

  it('refuses orders and trials to a banned customer with CUSTOMER_BANNED', async () => {
    const tg = await w.newUser();
    await w.asAdmin('mutation($id: ID!) { banCustomer(id: $id) { status } }', { id: await customerId(tg) });
    expect(errorCode(await w.asUser(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() }))).toBe('CUSTOMER_BANNED');
    expect(errorCode(await w.asUser(tg, 'mutation { requestTrial { id } }'))).toBe('CUSTOMER_BANNED');
  });

  it('counts a discount code exactly once per order even under concurrency, and never past its max uses', async () => {
    const code = `D${randomUUID().slice(0, 6).toUpperCase()}`;
    await w.asAdmin('mutation($i: CreateDiscountCodeInput!) { createDiscountCode(input: $i) { id } }', { i: { code, percent: 20, maxUses: 3 } });
    const users = await Promise.all(Array.from({ length: 6 }, () => w.newUser()));
    const results = await Promise.all(
      users.map((u) => w.asUser<{ createOrder: { amountDue: number } }>(u, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, discountCode: code.toLowerCase(), paymentMethod: 'CARD_TO_CARD' }, k: newKey() })),
    );
    const ok = results.filter((r) => !r.errors);
    expect(ok).toHaveLength(3);
    expect(ok.map((r) => r.data!.createOrder.amountDue)).toEqual(Array(3).fill(w.plan.price * 0.8));
    expect(results.filter((r) => r.errors).map(errorCode)).toEqual(Array(3).fill('DISCOUNT_CODE_EXHAUSTED'));
    expect((await w.t.orm.em.fork().findOneOrFail(DiscountCode, { code })).used).toBe(3);
  });

  it('gives a discount use back when the unpaid order is cancelled', async () => {
    const code = `C${randomUUID().slice(0, 6).toUpperCase()}`;
    await w.asAdmin('mutation($i: CreateDiscountCodeInput!) { createDiscountCode(input: $i) { id } }', { i: { code, amount: 10_000, maxUses: 1 } });
    const tg = await w.newUser();
    const o = await w.asUser<{ createOrder: { id: string } }>(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, discountCode: code, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    const c = await w.asUser<{ cancelOrder: { status: string } }>(tg, 'mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id: o.data!.createOrder.id });
    expect(c.data!.cancelOrder.status).toBe('CANCELLED');
    expect((await w.t.orm.em.fork().findOneOrFail(DiscountCode, { code })).used).toBe(0);
    expect(errorCode(await w.asUser(tg, 'mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id: o.data!.createOrder.id }))).toBe('ORDER_NOT_CANCELLABLE');
  });

  it('stores an uploaded receipt image, refuses non-images and a second use of the same receipt', async () => {
    const tg = await w.newUser();
    const upload = (bytes: Buffer, user = tg) =>
      fetch(`${w.t.url}/receipts`, { method: 'POST', headers: { authorization: `Bearer ${w.userBotKey}`, 'x-telegram-user-id': String(user), 'content-type': 'image/png' }, body: new Uint8Array(bytes) });
    const bad = await upload(Buffer.from('not an image at all'));
    expect(bad.status).toBe(415);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('RECEIPT_INVALID');
    const ok = await upload(PNG);
    expect(ok.status).toBe(201);
    const { receiptId } = (await ok.json()) as { receiptId: string };
    expect((await upload(PNG)).status).toBe(201); // same bytes, same customer: the same receipt
    const noAuth = await fetch(`${w.t.url}/receipts`, { method: 'POST', body: new Uint8Array(PNG) });
    expect(noAuth.status).toBe(401);

    const o1 = await w.asUser<{ createOrder: { payment: { id: string } } }>(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    const o2 = await w.asUser<{ createOrder: { payment: { id: string } } }>(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    const submit = (p: string) => w.asUser(tg, 'mutation($p: ID!, $r: ID) { submitPaymentReceipt(paymentId: $p, receiptId: $r) { status receiptId } }', { p, r: receiptId });
    expect((await submit(o1.data!.createOrder.payment.id)).errors).toBeUndefined();
    expect(errorCode(await submit(o2.data!.createOrder.payment.id))).toBe('RECEIPT_DUPLICATE');
    const img = await w.asAdmin<{ receiptImage: { mimeType: string; base64: string } }>('query($id: ID!) { receiptImage(id: $id) { mimeType base64 } }', { id: receiptId });
    expect(img.data!.receiptImage).toEqual({ mimeType: 'image/png', base64: PNG.toString('base64') });
  });

  it('keeps money conserved through random top-ups, purchases, failures and refunds', async () => {
    // Every Toman received is either in a wallet or pays for an order that is delivered or being delivered.
    const tg = await w.newUser();
    const cid = await customerId(tg);
    let received = 0;
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const em = () => w.t.orm.em.fork();
    for (let step = 0; step < 25; step++) {
      const r = rand();
      if (r < 0.35) {
        const amount = 1000 * (100 + Math.floor(rand() * 400));
        const top = await w.asUser<{ createOrder: { payment: { id: string } } }>(tg, CREATE_ORDER, { i: { kind: 'TOP_UP', amount, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
        await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: top.data!.createOrder.payment.id });
        received += amount;
      } else if (r < 0.6) {
        await w.asUser(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'WALLET' }, k: newKey() });
      } else if (r < 0.8) {
        const o = await w.asUser<{ createOrder: { payment: { id: string; payableAmount: number } } }>(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
        await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: o.data!.createOrder.payment.id });
        received += w.plan.price;
      } else {
        // The panel fails for good: whatever is waiting to be provisioned fails and is refunded.
        w.sim.server.injectFault({ fault: { kind: 'status', status: 503 }, times: Infinity });
        await em().getConnection().execute(`update graphile_worker._private_jobs set max_attempts = 1`);
        await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] });
        w.sim.server.clearFaults();
        await new Promise((res) => setTimeout(res, 30));
      }
    }
    await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] });
    const ledger = await em().find(LedgerEntry, { customer: cid });
    const balance = ledger.reduce((s, e) => s + e.amount, 0);
    const live = await em().find(Order, { customer: cid, kind: OrderKind.NEW, status: { $in: [OrderStatus.PAID, OrderStatus.FULFILLING, OrderStatus.FULFILLED] } });
    const spent = live.reduce((s, o) => s + o.amountDue, 0);
    expect(balance).toBeGreaterThanOrEqual(0);
    expect(balance + spent).toBe(received);
    const refunds = ledger.filter((e) => e.kind === 'REFUND').map((e) => `${e.order!.id}:${e.attempt}`);
    expect(new Set(refunds).size).toBe(refunds.length);
    expect(await em().count(Payment, { order: { customer: cid }, status: PaymentStatus.SUBMITTED })).toBe(0);
  });
});
