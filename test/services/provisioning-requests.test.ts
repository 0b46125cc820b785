import type { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes, randomUUID } from 'node:crypto';
import { createPanelAdapter } from '../../src/clients/panel.factory';
import { SecretBox } from '../../src/crypto';
import { Payment } from '../../src/entities/payment.entity';
import type { Plan } from '../../src/entities/plan.entity';
import type { Server } from '../../src/entities/server.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { createLogger } from '../../src/logger';
import { openOrm } from '../../src/main/orm';
import { AdminAlerts } from '../../src/notifications/alerts';
import { createOrder } from '../../src/services/order.service';
import { PanelRegistry } from '../../src/services/panel-registry';
import { approvePayment } from '../../src/services/payment.service';
import { provisionSubscription } from '../../src/services/subscription-provisioning.service';
import type { SimServerHandle } from '../../src/simulators/shared/sim-http';
import { startSuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { startXuiSimulator } from '../../src/simulators/xui/xui.simulator';
import { buildCustomer, buildPlan, buildServerFor } from '../factories/commerce';
import { createIsolatedDatabase } from '../helpers/db';

/** Clients the panel already holds: a first attempt must cost the same on a full panel. */
const HELD = 500;

interface Panel {
  server: SimServerHandle;
  /** Copies of a client on the panel (by name / email). */
  copies(name: string): number;
  createPath: string;
  close(): Promise<void>;
  build(orm: MikroORM, secrets: SecretBox, plan: Plan): Promise<Server>;
}

async function suiPanel(): Promise<Panel> {
  const sim = await startSuiSimulator({ profile: '1.5' });
  const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
  sim.seedClients(HELD, { inboundIds: [inbound.id] });
  return {
    server: sim.server,
    copies: (name) => sim.state().clients.filter((c) => c.name === name).length,
    createPath: 'api/save',
    close: () => sim.close(),
    build: (orm, secrets, plan) =>
      buildServerFor(orm, secrets, sim, { kind: 'SUI', serverGroup: plan.serverGroup, profile: '1.5', inbounds: [{ remoteId: String(inbound.id), tag: inbound.tag, protocol: 'vless', port: 443 }] }),
  };
}

async function xuiPanel(profile: 'G5' | 'G6', version: string): Promise<Panel> {
  const sim = await startXuiSimulator({ profile, version });
  const inbound = sim.addInbound({ protocol: 'vless', port: 443, remark: 'main' });
  sim.seedClients(inbound, Array.from({ length: HELD }, (_, i) => ({ email: `held-${i}` })));
  return {
    server: sim.server,
    copies: (name) => sim.state().clients.filter((c) => typeof c.email === 'string' && c.email.toLowerCase() === name.toLowerCase()).length,
    createPath: profile === 'G6' ? 'clients/add' : 'addClient',
    close: () => sim.close(),
    build: (orm, secrets, plan) =>
      buildServerFor(orm, secrets, sim, { kind: 'XUI', serverGroup: plan.serverGroup, inbounds: [{ remoteId: String(inbound), tag: 'inbound-443', protocol: 'vless', port: 443 }] }),
  };
}

const PANELS: Array<{ label: string; start: () => Promise<Panel> }> = [
  { label: 'S-UI 1.5', start: suiPanel },
  { label: '3x-ui 3.0.2 (classic routes)', start: () => xuiPanel('G5', '3.0.2') },
  { label: '3x-ui 3.6.0 (client routes)', start: () => xuiPanel('G6', '3.6.0') },
];

describe.each(PANELS)('provisioning on $label holding many clients', ({ start }) => {
  let db: { url: string; drop(): Promise<void> };
  let orm: MikroORM;
  let panel: Panel;
  let panels: PanelRegistry;
  let plan: Plan;
  let server: Server;
  const secrets = new SecretBox(randomBytes(32));
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    orm = await openOrm(db.url, 4);
    panel = await start();
    panels = new PanelRegistry(createPanelAdapter, secrets, { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 1, breaker: { failureThreshold: 100, openMs: 10 } });
    plan = await buildPlan(orm);
    server = await panel.build(orm, secrets, plan);
    // A running worker's adapter: logged in, version detected, inbounds read.
    await panels.adapterFor(server).detect();
    await panels.adapterFor(server).listInbounds();
  });
  afterAll(async () => {
    await panels.close();
    await panel.close();
    await orm.close(true);
    await db.drop();
  });
  afterEach(() => panel.server.clearFaults());

  /** A paid order's subscription, waiting for its provisioning job. */
  async function paidSubscription(): Promise<{ sub: Subscription; orderId: string }> {
    const customer = await buildCustomer(orm);
    const deps = { provisionMaxAttempts: 5 };
    const order = await orm.em.fork().transactional((em) =>
      createOrder(em, deps, { customer: em.merge(customer), principal: 'test', actor: 'test', idempotencyKey: randomUUID(), order: { kind: 'NEW', planId: plan.id, paymentMethod: 'CARD_TO_CARD' } }),
    );
    const payment = await orm.em.fork().findOneOrFail(Payment, { order: order.id });
    await orm.em.fork().transactional((em) => approvePayment(em, deps, payment.id, null, 'test'));
    return { sub: await orm.em.fork().findOneOrFail(Subscription, { customer: customer.id }), orderId: order.id };
  }

  const run = (sub: Subscription, orderId: string, attempt: number): Promise<string> =>
    provisionSubscription(orm.em.fork(), { panels, logger, alerts: new AdminAlerts(orm) }, { subscriptionId: sub.id, orderId }, { attempt, maxAttempts: 5 });

  it('makes at most two panel requests on a first attempt, and a second run of the job makes none', async () => {
    const { sub, orderId } = await paidSubscription();
    panel.server.resetCounters();
    expect(await run(sub, orderId, 1)).toBe('active');
    expect(panel.server.requestCount()).toBeLessThanOrEqual(2);
    expect(panel.server.requestCount({ method: 'POST', pathIncludes: panel.createPath })).toBe(1);

    expect(await run(sub, orderId, 1)).toBe('skipped');
    expect(panel.server.requestCount()).toBeLessThanOrEqual(2);
    const done = await orm.em.fork().findOneOrFail(Subscription, { id: sub.id });
    expect(done.status).toBe(SubscriptionStatus.ACTIVE);
    expect(done.links.length).toBeGreaterThan(0);
    expect(done.clientCreateIntentAt).toBeInstanceOf(Date);
    expect(panel.copies(sub.panelName)).toBe(1);
  });

  it('retries after a lost create answer by looking the client up, and never creates it twice', async () => {
    const { sub, orderId } = await paidSubscription();
    // The panel creates the client but its answer is lost, and every read fails for this attempt.
    panel.server.injectFault({ fault: { kind: 'lost-reply' }, times: 1, match: { method: 'POST', pathIncludes: panel.createPath } });
    panel.server.injectFault({ fault: { kind: 'status', status: 503 }, times: Infinity, match: { method: 'GET' } });
    await expect(run(sub, orderId, 1)).rejects.toThrow();
    expect(panel.copies(sub.panelName)).toBe(1);
    expect((await orm.em.fork().findOneOrFail(Subscription, { id: sub.id })).status).toBe(SubscriptionStatus.PROVISIONING);

    panel.server.clearFaults();
    await new Promise((r) => setTimeout(r, 20)); // let the circuit breaker half-open
    panel.server.resetCounters();
    expect(await run(sub, orderId, 2)).toBe('active');
    expect(panel.server.requestCount({ method: 'POST', pathIncludes: panel.createPath })).toBe(0);
    expect(await run(sub, orderId, 2)).toBe('skipped');
    expect(panel.copies(sub.panelName)).toBe(1);
    expect((await orm.em.fork().findOneOrFail(Subscription, { id: sub.id })).links.length).toBeGreaterThan(0);
  });

  it('looks first when the intent was recorded by an attempt that died before its create (and then creates once)', async () => {
    const { sub, orderId } = await paidSubscription();
    await orm.em.fork().nativeUpdate(Subscription, { id: sub.id }, { clientCreateIntentAt: new Date() });
    expect(await run(sub, orderId, 2)).toBe('active');
    expect(await run(sub, orderId, 2)).toBe('skipped');
    expect(panel.copies(sub.panelName)).toBe(1);
  });
});
