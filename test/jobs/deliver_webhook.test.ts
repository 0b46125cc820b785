import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Order } from '../../src/entities/order.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { WebhookDelivery, WebhookStatus } from '../../src/entities/webhook-delivery.entity';
import { failOrder } from '../../src/services/order-fulfilment.service';
import { runLifecyclePass } from '../../src/services/subscription-lifecycle.service';
import { validateWebhookUrl } from '../../src/services/webhook-url';
import { testConfig, startTestApi } from '../helpers/api';
import { drainJobs, queuedJobs, runJob } from '../helpers/jobs';
import { startWorld, type World } from '../helpers/world';
import { createApiReseller, NO_RATE_LIMIT, ok, RESELLER_ORDER, UPSERT_CUSTOMER, type ApiReseller } from '../resellers/helpers';

const SECRET = 'whsec-test-0123456789abcdef';

/** A webhook receiver on 127.0.0.1 that can be made to fail; it records every request. */
async function startReceiver() {
  const received: Array<{ status: number; headers: http.IncomingHttpHeaders; body: string }> = [];
  let failing = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = failing ? 503 : 200;
      received.push({ status, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    setFailing(v: boolean) {
      failing = v;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The verification recipe of docs/resellers.md. */
function verify(secret: string, headers: http.IncomingHttpHeaders, body: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const timestamp = String(headers['x-webhook-timestamp']);
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(String(headers['x-signature']));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

describe('deliver_webhook', () => {
  let w: World;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let r: ApiReseller;
  const config = testConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });

  beforeAll(async () => {
    receiver = await startReceiver();
    w = await startWorld({ config: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', ...NO_RATE_LIMIT } });
    r = await createApiReseller(w, { webhookUrl: receiver.url, webhookSecret: SECRET }, { topUp: 1_000_000 });
  });
  afterAll(async () => {
    await w.close();
    await receiver.close();
  });

  async function deliveries(event?: string): Promise<WebhookDelivery[]> {
    return w.t.orm.em.fork().find(WebhookDelivery, { reseller: r.id, ...(event ? { event } : {}) }, { orderBy: { createdAt: 'asc' } });
  }

  /** Runs every pending deliver_webhook job twice (each run as graphile-worker would). */
  async function runDeliveriesTwice(): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const job of await queuedJobs(w.t.orm, 'deliver_webhook')) {
      errors.push(await runJob(w.t.orm, w.t.services, job, undefined, config));
      errors.push(await runJob(w.t.orm, w.t.services, { ...job, attempts: job.attempts + 1 }, undefined, config));
      await w.t.orm.em.fork().getConnection().execute(`delete from graphile_worker._private_jobs where id = ?`, [job.id]);
    }
    return errors;
  }

  async function buyFor(externalRef: string): Promise<{ orderId: string; subscriptionId: string }> {
    const c = ok(await r.call<{ upsertResellerCustomer: { id: string } }>(UPSERT_CUSTOMER, { r: externalRef })).upsertResellerCustomer;
    const o = ok(await r.call<{ createOrder: { id: string; subscriptionId: string } }>(RESELLER_ORDER, {
      i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'RESELLER_BALANCE', customerId: c.id },
      k: randomUUID(),
    })).createOrder;
    return { orderId: o.id, subscriptionId: o.subscriptionId };
  }

  it('posts subscription.activated once, signed so that the documented recipe verifies it, even when the job runs twice', async () => {
    const { subscriptionId } = await buyFor('signed-1');
    await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] });
    const before = receiver.received.length;
    expect(await runDeliveriesTwice()).toEqual([undefined, undefined]);
    const got = receiver.received.slice(before);
    expect(got).toHaveLength(1);
    const body = JSON.parse(got[0]!.body) as { id: string; type: string; createdAt: string; data: Record<string, unknown> };
    expect(body).toMatchObject({ type: 'subscription.activated', data: { subscriptionId, externalRef: 'signed-1', status: 'ACTIVE' } });
    expect(got[0]!.headers['x-webhook-id']).toBe(body.id);
    expect(got[0]!.headers['x-webhook-event']).toBe('subscription.activated');
    expect(verify(SECRET, got[0]!.headers, got[0]!.body)).toBe(true);
    expect(verify('wrong-secret-0123456789', got[0]!.headers, got[0]!.body)).toBe(false);
    expect(verify(SECRET, got[0]!.headers, got[0]!.body.replace('ACTIVE', 'REVOKED'))).toBe(false);
    // Replays: a timestamp older than the tolerance fails.
    expect(verify(SECRET, got[0]!.headers, got[0]!.body, Math.floor(Date.now() / 1000) + 3600)).toBe(false);
    const [d] = await deliveries('subscription.activated');
    expect(d).toMatchObject({ id: body.id, status: WebhookStatus.DELIVERED, attempts: 1, lastStatusCode: 200 });
  });

  it('delivers to a receiver that was down for a while later, once', async () => {
    receiver.setFailing(true);
    const { orderId } = await buyFor('down-1');
    await w.t.orm.em.fork().transactional(async (em) => failOrder(em, await em.findOneOrFail(Order, { id: orderId }), 'panel exploded'));
    const [job] = (await queuedJobs(w.t.orm, 'deliver_webhook'));
    const errors = [];
    for (let attempt = 0; attempt < 3; attempt++) errors.push(await runJob(w.t.orm, w.t.services, { ...job!, attempts: attempt }, undefined, config));
    expect(errors.every((e) => e instanceof Error)).toBe(true);
    const [failedEvent] = await deliveries('order.failed');
    expect(failedEvent).toMatchObject({ status: WebhookStatus.PENDING, attempts: 3, lastStatusCode: 503 });
    receiver.setFailing(false);
    const before = receiver.received.filter((x) => x.status === 200).length;
    expect(await runDeliveriesTwice()).toEqual([undefined, undefined, undefined, undefined]);
    const delivered = receiver.received.filter((x) => x.status === 200).slice(before).map((x) => JSON.parse(x.body) as { id: string; type: string });
    expect(delivered.map((x) => x.type).sort()).toEqual(['order.failed', 'order.refunded']);
    expect(new Set(delivered.map((x) => x.id)).size).toBe(2);
    expect((await deliveries('order.failed'))[0]).toMatchObject({ status: WebhookStatus.DELIVERED, attempts: 4 });
  });

  it('refunds a failed reseller order to the reseller balance once, with order.failed and order.refunded once', async () => {
    const { orderId } = await buyFor('refund-1');
    const balance = async () => ok(await r.call<{ resellerBalance: { balance: number } }>('{ resellerBalance { balance } }')).resellerBalance.balance;
    const paid = await balance();
    for (let i = 0; i < 2; i++) {
      await w.t.orm.em.fork().transactional(async (em) => failOrder(em, await em.findOneOrFail(Order, { id: orderId }), 'no panel'));
    }
    expect(await balance()).toBe(paid + w.plan.price);
    const events = (await deliveries()).filter((d) => (d.payload as { orderId?: string }).orderId === orderId).map((d) => d.event);
    expect(events.sort()).toEqual(['order.failed', 'order.refunded']);
    const ledger = ok(await r.call<{ resellerLedger: { nodes: Array<{ kind: string; amount: number }> } }>('{ resellerLedger(first: 5) { nodes { kind amount } } }'));
    expect(ledger.resellerLedger.nodes[0]).toEqual({ kind: 'REFUND', amount: w.plan.price });
    await runDeliveriesTwice();
  });

  it('records subscription.expiring, subscription.expired and subscription.depleted once per period from the lifecycle pass', async () => {
    const { subscriptionId } = await buyFor('ends-1');
    const second = await buyFor('ends-2');
    const third = await buyFor('ends-3');
    await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription'] });
    await runDeliveriesTwice();
    const em = w.t.orm.em.fork();
    const sub = await em.findOneOrFail(Subscription, { id: subscriptionId });
    sub.expiresAt = new Date(Date.now() - 60_000);
    const other = await em.findOneOrFail(Subscription, { id: second.subscriptionId });
    other.usedDownBytes = other.trafficLimitBytes;
    const soon = await em.findOneOrFail(Subscription, { id: third.subscriptionId });
    soon.activatedAt = new Date(Date.now() - 20 * 86_400_000);
    soon.expiresAt = new Date(Date.now() + 3_600_000);
    await em.flush();
    for (let i = 0; i < 2; i++) await w.t.orm.em.fork().transactional((tx) => runLifecyclePass(tx));
    expect((await em.fork().findOneOrFail(Subscription, { id: subscriptionId })).status).toBe(SubscriptionStatus.EXPIRED);
    const ids = [subscriptionId, second.subscriptionId, third.subscriptionId];
    const mine = (await deliveries()).filter((d) => ids.includes((d.payload as { subscriptionId: string }).subscriptionId));
    expect(mine.map((d) => d.event).sort()).toEqual([
      'subscription.activated',
      'subscription.activated',
      'subscription.activated',
      'subscription.depleted',
      'subscription.expired',
      'subscription.expiring',
    ]);
    expect(await runDeliveriesTwice()).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('lists deliveries and redelivers one with the same event id', async () => {
    const list = ok(await r.call<{ webhookDeliveries: { nodes: Array<{ id: string; event: string; status: string }> } }>('{ webhookDeliveries(first: 3) { nodes { id event status } } }'));
    const target = list.webhookDeliveries.nodes.find((n) => n.status === 'DELIVERED')!;
    ok(await r.call('mutation($id: ID!) { redeliverWebhook(id: $id) { id status } }', { id: target.id }));
    const before = receiver.received.length;
    await runDeliveriesTwice();
    const again = receiver.received.slice(before).map((x) => JSON.parse(x.body) as { id: string });
    expect(again.map((x) => x.id)).toEqual([target.id]);
  });

  it('refuses a receiver at 127.0.0.1 (and other private or non-http addresses) by default', async () => {
    // The same database, served by an API with the default settings.
    const t = await startTestApi({ orm: w.t.orm, services: w.t.services });
    try {
      const strict = { ...r, call: (q: string, v?: Record<string, unknown>) => t.gql(q, v, { key: r.key }) };
      for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://10.1.2.3/x', 'http://[::1]/x', 'http://169.254.169.254/latest', 'ftp://93.184.215.14/x']) {
        const res = await strict.call('mutation($u: String!) { setResellerWebhook(url: $u, secret: "0123456789abcdef") { id } }', { u: url });
        expect({ url, code: res.errors?.[0]?.extensions?.code }).toEqual({ url, code: 'WEBHOOK_URL_REFUSED' });
      }
      expect((await strict.call('mutation { setResellerWebhook(url: "https://93.184.215.14/hook") { webhookUrl } }')).errors).toBeUndefined();
    } finally {
      await t.close();
    }
    await expect(validateWebhookUrl('https://hooks.example.test/x', { allowPrivate: false, resolve: (async () => [{ address: '192.168.1.5', family: 4 }]) as never })).rejects.toMatchObject({
      code: 'WEBHOOK_URL_REFUSED',
    });
    // The worker checks again when it connects: a stored loopback URL is not called without the setting.
    ok(await w.asAdmin('mutation($id: ID!, $u: String!) { setResellerWebhook(resellerId: $id, url: $u) { id } }', { id: r.id, u: receiver.url }));
    const { orderId } = await buyFor('guard-1');
    await w.t.orm.em.fork().transactional(async (em) => failOrder(em, await em.findOneOrFail(Order, { id: orderId }), 'x'));
    const before = receiver.received.length;
    const [job] = await queuedJobs(w.t.orm, 'deliver_webhook');
    const err = await runJob(w.t.orm, w.t.services, job!, undefined, testConfig());
    expect(String(err)).toContain('webhook delivery failed');
    expect(receiver.received.length).toBe(before);
    await runDeliveriesTwice();
    // A host name is checked after DNS, at connect time: localhost resolves to loopback and is refused.
    ok(await w.asAdmin('mutation($id: ID!, $u: String!) { setResellerWebhook(resellerId: $id, url: $u) { id } }', { id: r.id, u: receiver.url.replace('127.0.0.1', 'localhost') }));
    const beforeNamed = receiver.received.length;
    const second = await buyFor('guard-2');
    await w.t.orm.em.fork().transactional(async (em) => failOrder(em, await em.findOneOrFail(Order, { id: second.orderId }), 'x'));
    const [named] = await queuedJobs(w.t.orm, 'deliver_webhook');
    expect(String(await runJob(w.t.orm, w.t.services, named!, undefined, testConfig()))).toContain('webhook delivery failed');
    expect(receiver.received.length).toBe(beforeNamed);
    const [refused] = (await deliveries('order.failed')).filter((d) => (d.payload as { orderId: string }).orderId === second.orderId);
    expect(refused!.lastError).toMatch(/loopback|private|reserved/);
  });
});
