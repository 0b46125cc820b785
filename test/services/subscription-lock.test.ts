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
import { provisionSubscription } from '../../src/services/subscription-provisioning.service';
import { startXuiSimulator, type XuiSimulator } from '../../src/simulators/xui/xui.simulator';
import { buildCustomer, buildPlan, buildServerFor } from '../factories/commerce';
import { createIsolatedDatabase } from '../helpers/db';

/** A panel registry of its own, as another worker process would have (no shared adapter, no shared per-name queue). */
function registry(secrets: SecretBox): PanelRegistry {
  return new PanelRegistry(createPanelAdapter, secrets, { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2, breaker: { failureThreshold: 5, openMs: 20 } });
}

describe('provisioning a subscription twice at the same time', () => {
  let db: { url: string; drop(): Promise<void> };
  let orm: MikroORM;
  let sim: XuiSimulator;
  const registries: PanelRegistry[] = [];

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    orm = await openOrm(db.url, 6);
    sim = await startXuiSimulator({ profile: 'G5', version: '3.0.2' });
  });
  afterAll(async () => {
    await Promise.all(registries.map((r) => r.close()));
    await sim.close();
    await orm.close(true);
    await db.drop();
  });

  it('creates one panel client: the second run waits for the first and then finds the subscription ACTIVE', async () => {
    const secrets = new SecretBox(randomBytes(32));
    const inbound = sim.addInbound({ protocol: 'vless', port: 443, remark: 'main' });
    const plan = await buildPlan(orm);
    await buildServerFor(orm, secrets, sim, { kind: 'XUI', serverGroup: plan.serverGroup, inbounds: [{ remoteId: String(inbound), tag: 'inbound-443', protocol: 'vless', port: 443 }] });
    const customer = await buildCustomer(orm);
    const deps = { provisionMaxAttempts: 5 };
    const order = await orm.em.fork().transactional((em) =>
      createOrder(em, deps, { customer: em.merge(customer), principal: 'test', actor: 'test', idempotencyKey: randomUUID(), order: { kind: 'NEW', planId: plan.id, paymentMethod: 'CARD_TO_CARD' } }),
    );
    const payment = await orm.em.fork().findOneOrFail(Payment, { order: order.id });
    await orm.em.fork().transactional((em) => approvePayment(em, deps, payment.id, null, 'test'));
    const sub = await orm.em.fork().findOneOrFail(Subscription, { customer: customer.id });

    // Both runs look the client up before either add lands (3.0.x then accepts the second add).
    sim.server.injectFault({ fault: { kind: 'slow', ms: 300 }, times: Infinity, match: { method: 'POST', pathIncludes: 'addClient' } });
    const logger = createLogger({ level: 'silent' });
    const run = (): Promise<string> => {
      const panels = registry(secrets);
      registries.push(panels);
      return provisionSubscription(orm.em.fork(), { panels, logger, alerts: new AdminAlerts(orm) }, { subscriptionId: sub.id, orderId: order.id }, { attempt: 1, maxAttempts: 5 });
    };
    const outcomes = await Promise.all([run(), run()]);

    expect(outcomes.sort()).toEqual(['active', 'skipped']);
    expect(sim.state().clients.filter((c) => c.email === sub.panelName)).toHaveLength(1);
    expect(sim.server.requestCount({ method: 'POST', pathIncludes: 'addClient' })).toBe(1);
    expect((await orm.em.fork().findOneOrFail(Subscription, { id: sub.id })).status).toBe(SubscriptionStatus.ACTIVE);
  });
});
