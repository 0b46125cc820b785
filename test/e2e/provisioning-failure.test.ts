import { LedgerEntry, LedgerKind } from '../../src/entities/ledger-entry.entity';
import { Notification } from '../../src/entities/notification.entity';
import { Order, OrderStatus } from '../../src/entities/order.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { addAdmin } from '../../src/services/admin.service';
import { AdminRole } from '../../src/entities/common';
import { drainJobs, queuedJobs, runJob } from '../helpers/jobs';
import { Server, ServerStatus } from '../../src/entities/server.entity';
import { startSuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { buildServerFor } from '../factories/commerce';
import { randomTelegramId } from '../helpers/ids';
import { CREATE_ORDER, newKey, startWorld, type World } from '../helpers/world';

describe('provisioning when the panel is down', () => {
  let w: World;
  let adminTg: number;
  beforeAll(async () => {
    w = await startWorld({ config: { PROVISION_MAX_ATTEMPTS: '3' } });
    adminTg = randomTelegramId();
    await addAdmin(w.t.orm.em.fork(), { telegramId: adminTg, role: AdminRole.ADMIN });
  });
  afterAll(async () => {
    await w.close();
  });

  it('fails the order after the retry budget, refunds the wallet, alerts admins; retryOrder then makes it ACTIVE', async () => {
    const tg = await w.newUser();
    const res = await w.asUser<{ createOrder: { id: string; payment: { id: string } } }>(tg, CREATE_ORDER, {
      i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' },
      k: newKey(),
    });
    const orderId = res.data!.createOrder.id;
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: res.data!.createOrder.payment.id });
    const [job] = await queuedJobs(w.t.orm, 'provision_subscription');
    expect(job.maxAttempts).toBe(3);

    w.sim.server.injectFault({ fault: { kind: 'status', status: 503 }, times: Infinity });
    const stats = await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] });
    expect(stats.provision_subscription).toEqual({ ok: 1, failed: 2 });

    const em = w.t.orm.em.fork();
    const order = await em.findOneOrFail(Order, { id: orderId }, { populate: ['subscription'] });
    expect(order.status).toBe(OrderStatus.FAILED);
    expect(order.subscription!.status).toBe(SubscriptionStatus.FAILED);
    const refunds = await em.find(LedgerEntry, { order: orderId, kind: LedgerKind.REFUND });
    expect(refunds.map((r) => r.amount)).toEqual([order.amountDue]);
    expect(await em.count(Notification, { kind: 'ADMIN_ALERT', recipientTelegramId: adminTg, params: { code: 'PROVISIONING_FAILED' } as never })).toBe(1);
    expect(await em.count(Notification, { kind: 'PROVISIONING_FAILED', recipientTelegramId: tg })).toBe(1);
    const failed = await w.asAdmin<{ failedOrders: Array<{ id: string }> }>('{ failedOrders { id } }');
    expect(failed.data!.failedOrders.map((o) => o.id)).toContain(orderId);

    w.sim.server.clearFaults();
    await new Promise((r) => setTimeout(r, 50)); // let the circuit breaker half-open
    const retry = await w.asAdmin<{ retryOrder: { status: string; attempt: number } }>('mutation($id: ID!) { retryOrder(id: $id) { status attempt } }', { id: orderId });
    expect(retry.data!.retryOrder).toEqual({ status: 'PAID', attempt: 2 });
    await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] });
    const after = await w.t.orm.em.fork().findOneOrFail(Order, { id: orderId }, { populate: ['subscription'] });
    expect(after.status).toBe(OrderStatus.FULFILLED);
    expect(after.subscription!.status).toBe(SubscriptionStatus.ACTIVE);
    expect(w.sim.state().clients.filter((c) => c.name === after.subscription!.panelName)).toHaveLength(1);
    const wallet = await w.asUser<{ wallet: { balance: number } }>(tg, '{ wallet { balance } }');
    expect(wallet.data!.wallet.balance).toBe(0);
  });

  it('fails and refunds the order on the first attempt when the panel refuses the client for good, without retrying', async () => {
    const tg = await w.newUser();
    const res = await w.asUser<{ createOrder: { id: string; payment: { id: string } } }>(tg, CREATE_ORDER, {
      i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' },
      k: newKey(),
    });
    const orderId = res.data!.createOrder.id;
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: res.data!.createOrder.payment.id });
    // The panel answers every write with its refusal envelope (e.g. an inbound it no longer has).
    w.sim.server.injectFault({ fault: { kind: 'status', status: 200, body: '{"success":false,"msg":"inbound not found","obj":null}' }, match: { method: 'POST' }, times: Infinity });
    try {
      const stats = await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] });
      expect(stats.provision_subscription).toEqual({ ok: 1, failed: 0 });
    } finally {
      w.sim.server.clearFaults();
    }
    const em = w.t.orm.em.fork();
    const order = await em.findOneOrFail(Order, { id: orderId }, { populate: ['subscription'] });
    expect({ order: order.status, subscription: order.subscription!.status, attempt: order.attempt }).toEqual({ order: OrderStatus.FAILED, subscription: SubscriptionStatus.FAILED, attempt: 1 });
    expect((await em.find(LedgerEntry, { order: orderId, kind: LedgerKind.REFUND })).map((r) => r.amount)).toEqual([order.amountDue]);
    expect(await em.count(Notification, { kind: 'PROVISIONING_FAILED', recipientTelegramId: tg })).toBe(1);
    expect(await queuedJobs(w.t.orm, 'provision_subscription')).toEqual([]);
  });

  it('runs the provisioning job twice with one effect', async () => {
    const tg = await w.newUser();
    await w.asAdmin('mutation($c: ID!, $a: Int!) { adjustWallet(customerId: $c, amount: $a, reason: "test credit") { balance } }', {
      c: (await w.asUser<{ myCustomer: { id: string } }>(tg, '{ myCustomer { id } }')).data!.myCustomer.id,
      a: w.plan.price,
    });
    const res = await w.asUser<{ createOrder: { subscriptionId: string; status: string } }>(tg, CREATE_ORDER, {
      i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'WALLET' },
      k: newKey(),
    });
    expect(res.data!.createOrder.status).toBe('PAID');
    const [job] = (await queuedJobs(w.t.orm, 'provision_subscription')).filter((j) => j.payload.subscriptionId === res.data!.createOrder.subscriptionId);
    expect(await runJob(w.t.orm, w.t.services, job)).toBeUndefined();
    expect(await runJob(w.t.orm, w.t.services, job)).toBeUndefined();
    const sub = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: res.data!.createOrder.subscriptionId });
    expect(sub.status).toBe(SubscriptionStatus.ACTIVE);
    expect(w.sim.state().clients.filter((c) => c.name === sub.panelName)).toHaveLength(1);
    expect(await w.t.orm.em.fork().count(Notification, { kind: 'CONFIG_READY', subscription: sub.id })).toBe(1);
  });

  it('provisions on another server when the one chosen at payment went DOWN before provisioning', async () => {
    const tg = await w.newUser();
    const res = await w.asUser<{ createOrder: { subscriptionId: string; payment: { id: string } } }>(tg, CREATE_ORDER, {
      i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' },
      k: newKey(),
    });
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: res.data!.createOrder.payment.id });
    const em = w.t.orm.em.fork();
    const placed = await em.findOneOrFail(Subscription, { customer: { telegramId: tg } }, { populate: ['server'] });
    expect(placed.server!.id).toBe(w.server.id);
    const other = await startSuiSimulator({ profile: '1.4' });
    try {
      const inbound = other.addInbound({ type: 'vless', tag: 'vless-8443', listen_port: 8443 });
      const second = await buildServerFor(w.t.orm, w.t.services.secrets, other, {
        kind: 'SUI',
        serverGroup: w.plan.serverGroup,
        inbounds: [{ remoteId: String(inbound.id), tag: inbound.tag, protocol: 'vless', port: 8443 }],
      });
      await em.nativeUpdate(Server, { id: w.server.id }, { status: ServerStatus.DOWN });
      await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] });
      const sub = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: placed.id }, { populate: ['server'] });
      expect(sub.status).toBe(SubscriptionStatus.ACTIVE);
      expect(sub.server!.id).toBe(second.id);
      expect(other.state().clients.map((c) => c.name)).toContain(sub.panelName);
    } finally {
      await em.nativeUpdate(Server, { id: w.server.id }, { status: ServerStatus.HEALTHY });
      await other.close();
    }
  });
});
