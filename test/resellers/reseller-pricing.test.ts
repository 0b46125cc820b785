import { randomUUID } from 'node:crypto';
import { drainJobs } from '../helpers/jobs';
import { startWorld, type World } from '../helpers/world';
import { buildPlan } from '../factories/commerce';
import { priceOrder } from '../../src/services/pricing';
import { createApiReseller, NO_RATE_LIMIT, ok, RESELLER_ORDER, UPSERT_CUSTOMER, type ApiReseller } from './helpers';

const LEDGER = '{ resellerLedger(first: 200) { nodes { amount kind } } resellerBalance { balance available creditLimit } }';

describe('reseller accounts and prices', () => {
  let w: World;
  let a: ApiReseller;
  let b: ApiReseller;

  beforeAll(async () => {
    w = await startWorld({ plan: { price: 150_000 }, config: NO_RATE_LIMIT });
    a = await createApiReseller(w, { discountPercent: 20 }, { topUp: 1_000_000 });
    b = await createApiReseller(w, { discountPercent: 5, planPrices: [{ planId: w.plan.id, price: 77_000 }] }, { topUp: 1_000_000 });
  });
  afterAll(async () => {
    await w.close();
  });

  async function buyRenewAddTraffic(r: ApiReseller): Promise<number[]> {
    const customer = ok(await r.call<{ upsertResellerCustomer: { id: string } }>(UPSERT_CUSTOMER, { r: `ext-${randomUUID()}` })).upsertResellerCustomer;
    const order = (i: Record<string, unknown>) =>
      r.call<{ createOrder: { amountDue: number; subscriptionId: string; paymentMethod: string; status: string } }>(RESELLER_ORDER, {
        i: { planId: w.plan.id, paymentMethod: 'RESELLER_BALANCE', customerId: customer.id, ...i },
        k: randomUUID(),
      });
    const bought = ok(await order({ kind: 'NEW' })).createOrder;
    expect(bought).toMatchObject({ paymentMethod: 'RESELLER_BALANCE', status: 'PAID' });
    await drainJobs(w.t.orm, w.t.services);
    const renewed = ok(await order({ kind: 'RENEW', subscriptionId: bought.subscriptionId })).createOrder;
    const extra = ok(await order({ kind: 'ADD_TRAFFIC', subscriptionId: bought.subscriptionId })).createOrder;
    await drainJobs(w.t.orm, w.t.services);
    return [bought.amountDue, renewed.amountDue, extra.amountDue];
  }

  it('charges each reseller its own rule for new, renew and add-traffic, and its balance is the sum of its ledger', async () => {
    expect(await buyRenewAddTraffic(a)).toEqual([120_000, 120_000, 120_000]);
    expect(await buyRenewAddTraffic(b)).toEqual([77_000, 77_000, 77_000]);
    for (const [r, spent] of [[a, 360_000], [b, 231_000]] as const) {
      const data = ok(await r.call<{ resellerLedger: { nodes: Array<{ amount: number; kind: string }> }; resellerBalance: { balance: number; available: number } }>(LEDGER));
      const sum = data.resellerLedger.nodes.reduce((s, n) => s + n.amount, 0);
      expect(data.resellerBalance.balance).toBe(sum);
      expect(data.resellerBalance.balance).toBe(1_000_000 - spent);
      expect(data.resellerLedger.nodes.map((n) => n.kind).sort()).toEqual(['PURCHASE', 'PURCHASE', 'PURCHASE', 'TOP_UP']);
    }
  });

  it('prices renewals by the rule in force when ordered, for resellers and the shop through one function', async () => {
    const plan = await buildPlan(w.t.orm, { price: 100_000 });
    const reseller = { discountPercent: 30, planPrices: { [w.plan.id]: 1 } } as never;
    expect(priceOrder({ plan, reseller })).toEqual({ price: 70_000, discount: 0, amountDue: 70_000 });
    expect(priceOrder({ plan })).toEqual({ price: 100_000, discount: 0, amountDue: 100_000 });
    ok(await w.asAdmin('mutation($id: ID!) { updateReseller(id: $id, input: { discountPercent: 50 }) { id } }', { id: a.id }));
    const [newPrice] = await buyRenewAddTraffic(a);
    expect(newPrice).toBe(75_000);
  });

  it('repeats a top-up with the same idempotency key once, audited', async () => {
    const k = randomUUID();
    const top = () =>
      w.asAdmin<{ topUpReseller: { id: string } }>('mutation($r: ID!, $k: String!) { topUpReseller(resellerId: $r, amount: 5000, note: "wire 42", idempotencyKey: $k) { id } }', { r: b.id, k });
    const first = ok(await top()).topUpReseller.id;
    const second = ok(await top()).topUpReseller.id;
    expect(second).toBe(first);
    const logs = ok(await w.asAdmin<{ auditLogs: { nodes: Array<{ action: string; resourceType: string | null }> } }>('{ auditLogs(first: 50, filter: { action: "topUpReseller" }) { nodes { action resourceType } } }'));
    expect(logs.auditLogs.nodes.some((n) => n.resourceType === 'ledger_entry' || n.resourceType === 'LedgerEntry')).toBe(true);
    const reused = await w.asAdmin('mutation($r: ID!, $k: String!) { topUpReseller(resellerId: $r, amount: 6000, note: "wire 43", idempotencyKey: $k) { id } }', { r: b.id, k });
    expect(reused.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses plans outside the allowed list with PLAN_NOT_ALLOWED, over-quota with QUOTA_EXCEEDED and beyond credit with INSUFFICIENT_BALANCE', async () => {
    const other = await buildPlan(w.t.orm, { price: 10_000 });
    const c = await createApiReseller(w, { allowedPlanIds: [w.plan.id], maxActiveSubscriptions: 1, creditLimit: 100_000 }, { topUp: 200_000 });
    const customer = ok(await c.call<{ upsertResellerCustomer: { id: string } }>(UPSERT_CUSTOMER, { r: 'only-one' })).upsertResellerCustomer;
    const order = (planId: string) => c.call(RESELLER_ORDER, { i: { kind: 'NEW', planId, paymentMethod: 'RESELLER_BALANCE', customerId: customer.id }, k: randomUUID() });
    expect((await order(other.id)).errors?.[0]?.extensions?.code).toBe('PLAN_NOT_ALLOWED');
    expect((await order(w.plan.id)).errors).toBeUndefined();
    expect((await order(w.plan.id)).errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');
    ok(await w.asAdmin('mutation($id: ID!) { updateReseller(id: $id, input: { maxActiveSubscriptions: 0 }) { id } }', { id: c.id }));
    // 200,000 - 150,000 = 50,000 left; the credit limit allows one more (to -100,000), not a third.
    expect((await order(w.plan.id)).errors).toBeUndefined();
    const refused = await order(w.plan.id);
    expect(refused.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_BALANCE');
    const bal = ok(await c.call<{ resellerBalance: { balance: number; available: number } }>('{ resellerBalance { balance available } }'));
    expect(bal.resellerBalance).toEqual({ balance: -100_000, available: 0 });
  });

  it('stops a suspended reseller from ordering and lets it read', async () => {
    const d = await createApiReseller(w, {}, { topUp: 500_000 });
    const customer = ok(await d.call<{ upsertResellerCustomer: { id: string } }>(UPSERT_CUSTOMER, { r: 'c1' })).upsertResellerCustomer;
    ok(await w.asAdmin('mutation($id: ID!) { suspendReseller(id: $id) { status } }', { id: d.id }));
    const res = await d.call(RESELLER_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'RESELLER_BALANCE', customerId: customer.id }, k: randomUUID() });
    expect(res.errors?.[0]?.extensions?.code).toBe('RESELLER_SUSPENDED');
    expect((await d.call('{ resellerBalance { balance } }')).errors).toBeUndefined();
    ok(await w.asAdmin('mutation($id: ID!) { reactivateReseller(id: $id) { status } }', { id: d.id }));
    expect((await d.call(RESELLER_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'RESELLER_BALANCE', customerId: customer.id }, k: randomUUID() })).errors).toBeUndefined();
  });

  it('keeps the webhook secret encrypted at rest and never returns it', async () => {
    const e = await createApiReseller(w, { webhookUrl: 'https://93.184.215.14/hook', webhookSecret: 'a-very-secret-signing-key' });
    const rows = await w.t.orm.em.fork().getConnection().execute(`select webhook_secret_enc from reseller where id = ?`, [e.id]);
    expect(rows[0].webhook_secret_enc).not.toContain('a-very-secret');
    expect(w.t.services.secrets.decrypt(rows[0].webhook_secret_enc)).toBe('a-very-secret-signing-key');
    const res = await w.asAdmin<{ reseller: Record<string, unknown> }>('query($id: ID) { reseller(id: $id) { webhookUrl webhookSecretSet } }', { id: e.id });
    expect(res.data!.reseller).toEqual({ webhookUrl: 'https://93.184.215.14/hook', webhookSecretSet: true });
    expect(JSON.stringify(res)).not.toContain('a-very-secret');
  });

  it('states a period: opening and closing balance, totals, the orders and the margin against shop prices', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const s1 = await createApiReseller(w, { discountPercent: 40 }, { topUp: 400_000 });
    const customer = ok(await s1.call<{ upsertResellerCustomer: { id: string } }>(UPSERT_CUSTOMER, { r: 'stmt-1' })).upsertResellerCustomer;
    for (let i = 0; i < 2; i++) {
      ok(await s1.call(RESELLER_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'RESELLER_BALANCE', customerId: customer.id }, k: randomUUID() }));
    }
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = ok(await s1.call<{ resellerStatement: Record<string, unknown> & { orders: Array<{ amountDue: number }> } }>(
      'query($f: DateTimeISO!, $t: DateTimeISO!) { resellerStatement(from: $f, to: $t) { openingBalance closingBalance topUps purchases refunds orderCount shopValue margin orders { amountDue } } }',
      { f: from, t: to },
    ));
    const { orders, ...totals } = res.resellerStatement;
    expect(totals).toEqual({ openingBalance: 0, closingBalance: 400_000 - 180_000, topUps: 400_000, purchases: 180_000, refunds: 0, orderCount: 2, shopValue: 300_000, margin: 120_000 });
    expect(orders.map((o) => o.amountDue)).toEqual([90_000, 90_000]);
    const tooLong = await s1.call('{ resellerStatement(from: "2020-01-01T00:00:00Z", to: "2022-01-01T00:00:00Z") { margin } }');
    expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('disables, re-enables and revokes its own subscriptions', async () => {
    const customer = ok(await a.call<{ upsertResellerCustomer: { id: string } }>(UPSERT_CUSTOMER, { r: 'ops-1' })).upsertResellerCustomer;
    const order = ok(await a.call<{ createOrder: { subscriptionId: string } }>(RESELLER_ORDER, {
      i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'RESELLER_BALANCE', customerId: customer.id },
      k: randomUUID(),
    })).createOrder;
    await drainJobs(w.t.orm, w.t.services);
    const SET = 'mutation($id: ID!, $e: Boolean!) { setResellerSubscriptionEnabled(id: $id, enabled: $e) { status } }';
    expect(ok(await a.call<{ setResellerSubscriptionEnabled: { status: string } }>(SET, { id: order.subscriptionId, e: false })).setResellerSubscriptionEnabled.status).toBe('DISABLED');
    await drainJobs(w.t.orm, w.t.services);
    expect(ok(await a.call<{ setResellerSubscriptionEnabled: { status: string } }>(SET, { id: order.subscriptionId, e: true })).setResellerSubscriptionEnabled.status).toBe('ACTIVE');
    ok(await a.call('mutation($id: ID!) { revokeResellerSubscription(id: $id) { id } }', { id: order.subscriptionId }));
    await drainJobs(w.t.orm, w.t.services);
    const sub = ok(await a.call<{ resellerSubscription: { status: string } }>('query($id: ID!) { resellerSubscription(id: $id) { status } }', { id: order.subscriptionId }));
    expect(sub.resellerSubscription.status).toBe('REVOKED');
    const page = ok(await a.call<{ resellerOrders: { nodes: Array<{ id: string }>; pageInfo: { endCursor: string; hasNextPage: boolean } } }>(
      '{ resellerOrders(first: 1) { nodes { id } pageInfo { endCursor hasNextPage } } }',
    ));
    expect(page.resellerOrders.pageInfo.hasNextPage).toBe(true);
    const next = ok(await a.call<{ resellerOrders: { nodes: Array<{ id: string }> } }>('query($a: String) { resellerOrders(first: 1, after: $a) { nodes { id } } }', { a: page.resellerOrders.pageInfo.endCursor }));
    expect(next.resellerOrders.nodes[0]!.id).not.toBe(page.resellerOrders.nodes[0]!.id);
  });
});
