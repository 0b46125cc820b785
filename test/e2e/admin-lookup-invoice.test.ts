import { CREATE_ORDER, newKey, startWorld, type World } from '../helpers/world';
import { errorCode } from '../helpers/api';

describe('customer lookup and invoices', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  it('finds a customer by Telegram id, by @username prefix and by order number', async () => {
    const tg = await w.newUser();
    await w.asUser(tg, 'mutation { registerTelegramUser(input: { username: "Nasrin_shop", displayName: "Nasrin" }) { id } }');
    const order = await w.asUser<{ createOrder: { number: number } }>(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    const q = (query: string) => w.asAdmin<{ customers: Array<{ telegramId: number }> }>('query($q: String!) { customers(query: $q) { telegramId } }', { q: query });
    for (const query of [String(tg), '@nasrin_sh', String(order.data!.createOrder.number)]) {
      expect((await q(query)).data!.customers.map((c) => c.telegramId)).toContain(tg);
    }
    expect((await q('%')).data!.customers).toEqual([]);
  });

  it('issues an invoice for a paid order to its customer and to staff, and none before payment', async () => {
    const tg = await w.newUser();
    const res = await w.asUser<{ createOrder: { id: string; number: number; payment: { id: string; payableAmount: number } } }>(tg, CREATE_ORDER, {
      i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' },
      k: newKey(),
    });
    const { id, number, payment } = res.data!.createOrder;
    const INVOICE = 'query($id: ID!) { invoice(orderId: $id) { invoiceNumber orderNumber planTitleEn price discount amountPaid currency paymentMethod paymentReference } }';
    expect(errorCode(await w.asUser(tg, INVOICE, { id }))).toBe('ORDER_NOT_FOUND');
    await w.asUser(tg, 'mutation($p: ID!) { submitPaymentReceipt(paymentId: $p, trackingCode: "BANK-778899") { status } }', { p: payment.id });
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: payment.id });
    const mine = await w.asUser<{ invoice: Record<string, unknown> }>(tg, INVOICE, { id });
    expect(mine.data!.invoice).toEqual({
      invoiceNumber: `INV-${number}`,
      orderNumber: number,
      planTitleEn: w.plan.titleEn,
      price: w.plan.price,
      discount: 0,
      amountPaid: w.plan.price,
      currency: 'IRT',
      paymentMethod: 'CARD_TO_CARD',
      paymentReference: 'BANK-778899',
    });
    expect((await w.asAdmin(INVOICE, { id })).errors).toBeUndefined();
    const stranger = await w.newUser();
    expect(errorCode(await w.asUser(stranger, INVOICE, { id }))).toBe('ORDER_NOT_FOUND');
  });

  it("pages through a customer's orders newest first with a cursor, filtered by status", async () => {
    const tg = await w.newUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await w.asUser<{ createOrder: { id: string } }>(tg, CREATE_ORDER, { i: { kind: 'TOP_UP', amount: 10_000 + i, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
      ids.unshift(r.data!.createOrder.id);
    }
    await w.asUser(tg, 'mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id: ids[0] });
    const Q = 'query($after: String, $s: [OrderStatus!]) { orders(first: 2, after: $after, status: $s) { nodes { id } pageInfo { endCursor hasNextPage } } }';
    type P = { orders: { nodes: Array<{ id: string }>; pageInfo: { endCursor: string; hasNextPage: boolean } } };
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { data?: P | null } = await w.asUser<P>(tg, Q, { after });
      seen.push(...page.data!.orders.nodes.map((n) => n.id));
      if (!page.data!.orders.pageInfo.hasNextPage) break;
      after = page.data!.orders.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
    const pending = await w.asUser<P>(tg, Q, { s: ['PENDING_PAYMENT'] });
    expect(pending.data!.orders.nodes.map((n) => n.id)).toEqual(ids.slice(1, 3));
    expect(errorCode(await w.asUser(tg, Q, { after: 'bm90IGEgY3Vyc29y' }))).toBe('BAD_USER_INPUT');
  });
});

describe('admin dashboard', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  it('counts customers, revenue of paid purchases, receipts to review and subscriptions by status', async () => {
    type D = { dashboard: { customers: number; revenueToday: number; ordersPaidToday: number; paymentsToReview: number; walletBalances: number; subscriptionsByStatus: Array<{ status: string; count: number }> } };
    const Q = '{ dashboard { customers revenueToday ordersPaidToday paymentsToReview walletBalances subscriptionsByStatus { status count } } }';
    const a = await w.newUser();
    const b = await w.newUser();
    const paid = await w.asUser<{ createOrder: { payment: { id: string } } }>(a, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: paid.data!.createOrder.payment.id });
    const waiting = await w.asUser<{ createOrder: { payment: { id: string } } }>(b, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    await w.asUser(b, 'mutation($p: ID!) { submitPaymentReceipt(paymentId: $p, trackingCode: "TRK-D-1") { status } }', { p: waiting.data!.createOrder.payment.id });
    const top = await w.asUser<{ createOrder: { payment: { id: string } } }>(b, CREATE_ORDER, { i: { kind: 'TOP_UP', amount: 20_000, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: top.data!.createOrder.payment.id });
    const d = (await w.asAdmin<D>(Q)).data!.dashboard;
    expect(d).toMatchObject({ customers: 2, revenueToday: w.plan.price, ordersPaidToday: 1, paymentsToReview: 1, walletBalances: 20_000 });
    expect(d.subscriptionsByStatus).toEqual([{ status: 'PROVISIONING', count: 1 }]);
  });

  it('sums revenue of today, the last 7 days and the last 30 days by when each purchase was paid', async () => {
    type R = { dashboard: { revenueToday: number; revenueLast7Days: number; revenueLast30Days: number } };
    const revenue = async () => (await w.asAdmin<R>('{ dashboard { revenueToday revenueLast7Days revenueLast30Days } }')).data!.dashboard;
    const before = await revenue();
    const tg = await w.newUser();
    const order = await w.asUser<{ createOrder: { id: string; payment: { id: string } } }>(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: order.data!.createOrder.payment.id });
    const paidAgo = (days: number) => w.t.orm.em.fork().getConnection().execute(`update "order" set paid_at = now() - make_interval(days => ?) where id = ?`, [days, order.data!.createOrder.id]);
    const price = w.plan.price;
    expect(await revenue()).toEqual({ revenueToday: before.revenueToday + price, revenueLast7Days: before.revenueLast7Days + price, revenueLast30Days: before.revenueLast30Days + price });
    await paidAgo(3);
    expect(await revenue()).toMatchObject({ revenueToday: before.revenueToday, revenueLast7Days: before.revenueLast7Days + price, revenueLast30Days: before.revenueLast30Days + price });
    await paidAgo(10);
    expect(await revenue()).toMatchObject({ revenueLast7Days: before.revenueLast7Days, revenueLast30Days: before.revenueLast30Days + price });
    await paidAgo(31);
    expect(await revenue()).toMatchObject({ revenueLast7Days: before.revenueLast7Days, revenueLast30Days: before.revenueLast30Days });
  });
});

describe('plan catalogue', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  it('lists active plans in sort order to anyone, deletes unsold plans and refuses to delete sold ones', async () => {
    const mk = (code: string, sortOrder: number, active = true) =>
      w.asAdmin<{ createPlan: { id: string } }>('mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }', {
        i: { code, titleFa: 'پلن', titleEn: code, trafficBytes: 1e9, durationDays: 30, price: 1000, sortOrder, active },
      });
    const suffix = newKey().slice(0, 6);
    await mk(`b-${suffix}`, 2);
    const a = await mk(`a-${suffix}`, 1);
    await mk(`off-${suffix}`, 0, false);
    const anon = await w.t.gql<{ plans: Array<{ code: string }> }>('{ plans { code } }');
    const mine = anon.data!.plans.map((p) => p.code).filter((c) => c.endsWith(suffix));
    expect(mine).toEqual([`a-${suffix}`, `b-${suffix}`]);
    const del = await w.asAdmin('mutation($id: ID!) { deletePlan(id: $id) { code } }', { id: a.data!.createPlan.id });
    expect(del.errors).toBeUndefined();
    const tg = await w.newUser();
    await w.asUser(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    expect(errorCode(await w.asAdmin('mutation($id: ID!) { deletePlan(id: $id) { code } }', { id: w.plan.id }))).toBe('PLAN_IN_USE');
  });
});
