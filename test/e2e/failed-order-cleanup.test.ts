import { Order, OrderStatus } from '../../src/entities/order.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { drainJobs, queuedJobs, runJob } from '../helpers/jobs';
import { CREATE_ORDER, newKey, startWorld, type World } from '../helpers/world';

describe('an order that fails for good after the panel created its client (lost replies)', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ config: { PROVISION_MAX_ATTEMPTS: '2' } });
  });
  afterAll(async () => {
    await w.close();
  });
  afterEach(() => w.sim.server.clearFaults());

  /** Runs `fn` while the panel applies saves but loses their answers, and fails every read after the first save. */
  async function withLostRepliesAfterTheSave<T>(fn: () => Promise<T>): Promise<T> {
    w.sim.server.injectFault({ fault: { kind: 'lost-reply' }, times: Infinity, match: { method: 'POST', pathIncludes: 'api/save' } });
    const onSave = (e: { method: string; path: string }): void => {
      if (e.method !== 'POST' || !e.path.includes('api/save')) return;
      w.sim.server.events.off('handled', onSave);
      w.sim.server.injectFault({ fault: { kind: 'status', status: 503 }, times: Infinity, match: { method: 'GET' } });
    };
    w.sim.server.events.on('handled', onSave);
    try {
      return await fn();
    } finally {
      w.sim.server.events.off('handled', onSave);
    }
  }

  /** A paid order whose provisioning used up its 2 attempts while the panel created the client but every answer after that was lost. */
  async function refundedOrderWithClientLeft(): Promise<{ orderId: string; sub: Subscription }> {
    const tg = await w.newUser();
    const res = await w.asUser<{ createOrder: { id: string; payment: { id: string } } }>(tg, CREATE_ORDER, {
      i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' },
      k: newKey(),
    });
    const orderId = res.data!.createOrder.id;
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: res.data!.createOrder.payment.id });
    const stats = await withLostRepliesAfterTheSave(() => drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] }));
    expect(stats.provision_subscription).toEqual({ ok: 1, failed: 1 });
    const order = await w.t.orm.em.fork().findOneOrFail(Order, { id: orderId }, { populate: ['subscription'] });
    expect(order.status).toBe(OrderStatus.FAILED);
    const sub = order.subscription!;
    expect(sub.status).toBe(SubscriptionStatus.FAILED);
    // What the issue found: the money is back and the panel holds a working client.
    const left = w.sim.state().clients.filter((c) => c.name === sub.panelName);
    expect(left).toHaveLength(1);
    expect(left[0].enable).toBe(true);
    return { orderId, sub };
  }

  it('removes the client with a job of its own that retries until the panel answers', async () => {
    const { sub } = await refundedOrderWithClientLeft();
    const [job] = await queuedJobs(w.t.orm, 'remove_failed_client');
    expect(job.payload).toEqual({ subscriptionId: sub.id });
    expect(job.maxAttempts).toBeGreaterThan(2);

    // The panel still fails: the clean-up fails and stays queued.
    expect(await runJob(w.t.orm, w.t.services, job)).toBeTruthy();
    expect(w.sim.state().clients.filter((c) => c.name === sub.panelName)).toHaveLength(1);

    // The panel answers again (its delete answer still lost once): the clean-up deletes the client.
    w.sim.server.clearFaults();
    w.sim.server.injectFault({ fault: { kind: 'lost-reply' }, times: 1, match: { method: 'POST', pathIncludes: 'api/save' } });
    const stats = await drainJobs(w.t.orm, w.t.services, { tasks: ['remove_failed_client'] });
    expect(stats.remove_failed_client.ok).toBe(1);
    expect(w.sim.state().clients.filter((c) => c.name === sub.panelName)).toEqual([]);
    expect(await queuedJobs(w.t.orm, 'remove_failed_client')).toEqual([]);

    // Run twice: the second run finds nothing to do and changes nothing.
    expect(await runJob(w.t.orm, w.t.services, { ...job, attempts: 0 })).toBeUndefined();
    expect(w.sim.state().clients.filter((c) => c.name === sub.panelName)).toEqual([]);
    expect((await w.t.orm.em.fork().findOneOrFail(Subscription, { id: sub.id })).status).toBe(SubscriptionStatus.FAILED);
  });

  it('leaves the client of a retried order alone', async () => {
    const { orderId, sub } = await refundedOrderWithClientLeft();
    w.sim.server.clearFaults();
    await new Promise((r) => setTimeout(r, 50)); // let the circuit breaker half-open
    const retry = await w.asAdmin<{ retryOrder: { status: string } }>('mutation($id: ID!) { retryOrder(id: $id) { status } }', { id: orderId });
    expect(retry.data!.retryOrder.status).toBe('PAID');
    const [job] = await queuedJobs(w.t.orm, 'remove_failed_client');
    for (let i = 0; i < 2; i++) expect(await runJob(w.t.orm, w.t.services, { ...job, attempts: 0 })).toBeUndefined();
    expect(w.sim.state().clients.filter((c) => c.name === sub.panelName)).toHaveLength(1);
    await w.t.orm.em.fork().getConnection().execute(`delete from graphile_worker._private_jobs where id = ?`, [job.id]);
    await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] });
    expect((await w.t.orm.em.fork().findOneOrFail(Subscription, { id: sub.id })).status).toBe(SubscriptionStatus.ACTIVE);
    expect(w.sim.state().clients.filter((c) => c.name === sub.panelName)).toHaveLength(1);
  });

  it('puts the subscription\'s own expiry back on the panel when a renewal fails for good after writing it', async () => {
    const tg = await w.newUser();
    const bought = await w.asUser<{ createOrder: { subscriptionId: string; payment: { id: string } } }>(tg, CREATE_ORDER, {
      i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' },
      k: newKey(),
    });
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: bought.data!.createOrder.payment.id });
    await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] });
    const sub = await w.t.orm.em.fork().findOneOrFail(Subscription, { customer: { telegramId: tg } });
    expect(sub.status).toBe(SubscriptionStatus.ACTIVE);
    const paidUntil = Math.floor(sub.expiresAt!.getTime() / 1000);
    expect(w.sim.getClientDirect(sub.panelName)!.expiry).toBe(paidUntil);

    const renew = await w.asUser<{ createOrder: { id: string; payment: { id: string } } }>(tg, CREATE_ORDER, {
      i: { kind: 'RENEW', planId: w.plan.id, subscriptionId: sub.id, paymentMethod: 'CARD_TO_CARD' },
      k: newKey(),
    });
    await w.asAdmin('mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: renew.data!.createOrder.payment.id });
    const stats = await withLostRepliesAfterTheSave(() => drainJobs(w.t.orm, w.t.services, { tasks: ['apply_order'] }));
    expect(stats.apply_order).toEqual({ ok: 1, failed: 1 });
    expect((await w.t.orm.em.fork().findOneOrFail(Order, { id: renew.data!.createOrder.id })).status).toBe(OrderStatus.FAILED);
    // The refunded renewal's expiry reached the panel.
    expect(w.sim.getClientDirect(sub.panelName)!.expiry).toBeGreaterThan(paidUntil);

    w.sim.server.clearFaults();
    await new Promise((r) => setTimeout(r, 50)); // let the circuit breaker half-open
    const [job] = await queuedJobs(w.t.orm, 'set_client_enabled');
    expect(job.payload).toEqual({ subscriptionId: sub.id });
    for (let i = 0; i < 2; i++) expect(await runJob(w.t.orm, w.t.services, { ...job, attempts: 0 })).toBeUndefined();
    expect(w.sim.getClientDirect(sub.panelName)!.expiry).toBe(paidUntil);
    expect(w.sim.state().clients.filter((c) => c.name === sub.panelName)).toHaveLength(1);
  });

  it('has the nightly reconciliation delete such a client by default (ENDED orphan), and only that one', async () => {
    const { sub } = await refundedOrderWithClientLeft();
    w.sim.server.clearFaults();
    await new Promise((r) => setTimeout(r, 50));
    // The clean-up job never ran (e.g. it gave up while the panel was down for days).
    await w.t.orm.em.fork().getConnection().execute(`delete from graphile_worker._private_jobs where key = ?`, [`remove_failed_client:${sub.id}`]);
    const unknown = `vp-${'0'.repeat(31)}1`;
    w.sim.seedClients([{ name: unknown }]);
    const job = { id: '0', task: 'reconcile_server', payload: { serverId: w.server.id }, attempts: 0, maxAttempts: 3 };
    for (let i = 0; i < 2; i++) expect(await runJob(w.t.orm, w.t.services, job)).toBeUndefined();
    expect(w.sim.state().clients.filter((c) => c.name === sub.panelName)).toEqual([]);
    // An orphan no subscription explains is only reported (the admin decides).
    expect(w.sim.state().clients.filter((c) => c.name === unknown)).toHaveLength(1);
  });
});
