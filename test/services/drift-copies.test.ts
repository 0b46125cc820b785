import type { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes, randomUUID } from 'node:crypto';
import { createPanelAdapter } from '../../src/clients/panel.factory';
import { SecretBox } from '../../src/crypto';
import { openOrm } from '../../src/main/orm';
import { Payment } from '../../src/entities/payment.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { createLogger } from '../../src/logger';
import { AdminAlerts } from '../../src/notifications/alerts';
import { createOrder } from '../../src/services/order.service';
import { PanelRegistry } from '../../src/services/panel-registry';
import { approvePayment } from '../../src/services/payment.service';
import { repairDrift } from '../../src/services/drift-repair.service';
import { driftReportFor } from '../../src/services/drift-report.service';
import { provisionSubscription } from '../../src/services/subscription-provisioning.service';
import { startXuiSimulator, type XuiSimulator } from '../../src/simulators/xui/xui.simulator';
import { buildCustomer, buildPlan, buildServerFor } from '../factories/commerce';
import { createIsolatedDatabase } from '../helpers/db';
import { rawAdd, rawSession } from '../helpers/xui-raw';

describe.each([
  { profile: 'G5' as const, version: '3.0.2' },
  { profile: 'G6' as const, version: '3.2.8' },
])('drift on 3x-ui $version with two copies of a client in one inbound', ({ profile, version }) => {
  let db: { url: string; drop(): Promise<void> };
  let orm: MikroORM;
  let sim: XuiSimulator;
  let panels: PanelRegistry;
  const secrets = new SecretBox(randomBytes(32));

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    orm = await openOrm(db.url, 4);
    sim = await startXuiSimulator({ profile, version });
    panels = new PanelRegistry(createPanelAdapter, secrets, { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 });
  });
  afterAll(async () => {
    await panels.close();
    await sim.close();
    await orm.close(true);
    await db.drop();
  });

  it('reports the copies as DUPLICATE and repairDrift leaves one client with our credentials', async () => {
    const inbound = sim.addInbound({ protocol: 'vless', port: 443, remark: 'main' });
    sim.seedClients(inbound, [{ email: 'someone-else' }]);
    const plan = await buildPlan(orm);
    const server = await buildServerFor(orm, secrets, sim, { kind: 'XUI', serverGroup: plan.serverGroup, inbounds: [{ remoteId: String(inbound), tag: 'inbound-443', protocol: 'vless', port: 443 }] });
    const customer = await buildCustomer(orm);
    const deps = { provisionMaxAttempts: 5 };
    const order = await orm.em.fork().transactional((em) =>
      createOrder(em, deps, { customer: em.merge(customer), principal: 'test', actor: 'test', idempotencyKey: randomUUID(), order: { kind: 'NEW', planId: plan.id, paymentMethod: 'CARD_TO_CARD' } }),
    );
    const payment = await orm.em.fork().findOneOrFail(Payment, { order: order.id });
    await orm.em.fork().transactional((em) => approvePayment(em, deps, payment.id, null, 'test'));
    const sub = await orm.em.fork().findOneOrFail(Subscription, { customer: customer.id });
    const logger = createLogger({ level: 'silent' });
    expect(await provisionSubscription(orm.em.fork(), { panels, logger, alerts: new AdminAlerts(orm) }, { subscriptionId: sub.id, orderId: order.id }, { attempt: 1, maxAttempts: 5 })).toBe('active');

    // A racing writer (another process before the fix) added the same client once more.
    const added = await rawAdd(sim, await rawSession(sim), inbound, { name: sub.panelName, uuid: sub.clientUuid, trafficLimitBytes: sub.trafficLimitBytes, expiresAt: sub.expiresAt ?? null });
    expect(added.success).toBe(true);
    expect(sim.state().clients.filter((c) => c.email === sub.panelName)).toHaveLength(2);

    const report = await driftReportFor(orm.em.fork(), panels, server.id);
    expect(report.items.map((i) => ({ kind: i.kind, panelName: i.panelName, copies: i.copies }))).toEqual([{ kind: 'DUPLICATE', panelName: sub.panelName, copies: 2 }]);

    const repair = await orm.em.fork().transactional((em) => repairDrift(em, { panels, logger }, server.id, { dryRun: false, deleteOrphans: false }));
    expect(repair.actions.map((a) => ({ kind: a.kind, applied: a.applied }))).toEqual([{ kind: 'RECREATE', applied: true }]);
    const left = sim.state().clients.filter((c) => c.email === sub.panelName);
    expect(left).toHaveLength(1);
    expect(left[0].id).toBe(sub.clientUuid);
    expect(sim.state().clients.some((c) => c.email === 'someone-else')).toBe(true);
    expect((await driftReportFor(orm.em.fork(), panels, server.id)).items).toEqual([]);
    expect((await orm.em.fork().findOneOrFail(Subscription, { id: sub.id })).status).toBe(SubscriptionStatus.ACTIVE);
  });
});
