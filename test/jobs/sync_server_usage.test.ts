import type { Knex } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Language } from '../../src/entities/customer.entity';
import { Notification } from '../../src/entities/notification.entity';
import { SubscriptionStatus, type Subscription } from '../../src/entities/subscription.entity';
import { renderNotification } from '../../src/notifications/notification.render';
import { panelNameFor } from '../../src/services/subscription.service';
import { syncServerUsage } from '../../src/services/usage-sync.service';
import { createLogger } from '../../src/logger';
import { buildCustomer } from '../factories/commerce';
import { GB, startLifecycleWorld, type LifecycleWorld } from '../helpers/lifecycle';

const MB = 1024 ** 2;

describe('sync_server_usage', () => {
  let w: LifecycleWorld;
  beforeAll(async () => {
    w = await startLifecycleWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  const sync = (serverId = w.suiServer.id) => w.run('sync_server_usage', { serverId });
  const samples = async (subId: string) =>
    (await w.orm.em.fork().getConnection().execute(
      `select delta_up::float8 as up, delta_down::float8 as down from usage_sample where subscription_id = ? order by id`,
      [subId],
    )) as Array<{ up: number; down: number }>;
  const used = (s: Subscription) => s.usedUpBytes + s.usedDownBytes;

  it('counts a traffic reset made on the S-UI panel from zero: no negative and no lost usage', async () => {
    const sub = await w.newSubscription();
    w.sui.setTraffic(sub.panelName, 1000, 5000);
    await sync();
    await sync();
    expect(used(await w.reload(sub.id))).toBe(6000);
    expect(await samples(sub.id)).toEqual([{ up: 1000, down: 5000 }]);

    // The panel's counters go back to zero, then 500 more bytes flow before the next sync.
    w.sui.setTraffic(sub.panelName, 300, 200);
    await sync();
    await sync();
    w.sui.setTraffic(sub.panelName, 400, 900);
    await sync();
    const after = await w.reload(sub.id);
    expect(used(after)).toBe(6000 + 500 + 800);
    expect([after.panelUpSeen, after.panelDownSeen]).toEqual([400, 900]);
    const rows = await samples(sub.id);
    expect(rows).toEqual([
      { up: 1000, down: 5000 },
      { up: 300, down: 200 },
      { up: 100, down: 700 },
    ]);
    expect(rows.every((r) => r.up >= 0 && r.down >= 0)).toBe(true);
    expect(rows.reduce((a, r) => a + r.up + r.down, 0)).toBe(used(after));
  });

  it('counts a 3x-ui panel-side reset (resetCounters) from zero', async () => {
    const sub = await w.newSubscription({ server: w.xuiServer });
    w.xui.setTraffic(sub.panelName, 7000, 3000);
    await sync(w.xuiServer.id);
    w.xui.resetCounters(sub.panelName);
    w.xui.setTraffic(sub.panelName, 10, 20);
    await sync(w.xuiServer.id);
    await sync(w.xuiServer.id);
    const after = await w.reload(sub.id);
    expect(used(after)).toBe(10_030);
    expect((await samples(sub.id)).reduce((a, r) => a + r.up + r.down, 0)).toBe(10_030);
  });

  it('does not write counters read before a renewal reset them into the new period', async () => {
    const sub = await w.newSubscription();
    w.sui.setTraffic(sub.panelName, 4 * MB, 4 * MB);
    await sync();
    w.sui.setTraffic(sub.panelName, 6 * MB, 6 * MB);
    // The renewal lands between the panel read and the bulk write (as apply_order would: usage zeroed, new epoch).
    const adapter = w.services.panels.adapterFor(w.suiServer);
    const original = adapter.listUsage.bind(adapter);
    adapter.listUsage = async () => {
      const rows = await original();
      await w.orm.em.fork().getConnection().execute(
        `update subscription set usage_epoch = usage_epoch + 1, used_up_bytes = 0, used_down_bytes = 0, panel_up_seen = 0, panel_down_seen = 0 where id = ?`,
        [sub.id],
      );
      w.sui.setTraffic(sub.panelName, 0, 0);
      return rows;
    };
    try {
      await sync();
    } finally {
      adapter.listUsage = original;
    }
    expect(used(await w.reload(sub.id))).toBe(0);
    w.sui.setTraffic(sub.panelName, 1000, 1000);
    await sync();
    expect(used(await w.reload(sub.id))).toBe(2000);
  });

  it('writes the usage of thousands of clients with at most two panel requests per server and a fixed number of SQL statements', async () => {
    const em = w.orm.em.fork();
    const customer = [await buildCustomer(w.orm)];
    const statementsFor = async (serverId: string) => {
      const knex = (w.orm.em.getConnection() as unknown as { getKnex(): Knex }).getKnex();
      let n = 0;
      const count = () => {
        n += 1;
      };
      knex.on('query', count);
      try {
        const result = await syncServerUsage(w.orm.em.fork(), { panels: w.services.panels, alerts: w.services.alerts, logger: createLogger({ level: 'silent' }) }, serverId);
        return { n, result };
      } finally {
        knex.removeListener('query', count);
      }
    };
    const seed = async (count: number) => {
      const ids = Array.from({ length: count }, () => randomUUID());
      await em.getConnection().execute(
        `insert into subscription (id, customer_id, plan_id, server_id, panel_name, client_uuid, client_password, status, traffic_limit_bytes, sub_token, expires_at, activated_at)
         select x.id, ?, ?, s.sid, x.name, gen_random_uuid(), 'pw', 'ACTIVE', ?, x.id::text, now() + interval '30 days', now() - interval '1 day'
           from jsonb_to_recordset(?::jsonb) as x(id uuid, name text), (select ?::uuid as sid) s`,
        [customer[0].id, w.plan.id, 100 * GB, JSON.stringify(ids.map((id) => ({ id, name: panelNameFor(id) }))), w.suiServer.id],
      );
      await em.getConnection().execute(
        `update subscription set server_id = ? where id in (select (jsonb_array_elements_text(?::jsonb))::uuid)`,
        [w.xuiServer.id, JSON.stringify(ids.filter((_, i) => i % 2 === 1))],
      );
      w.sui.seedClients(
        ids.filter((_, i) => i % 2 === 0).map((id, i) => ({ name: panelNameFor(id), up: i + 1, down: 2 * (i + 1) })),
        { inboundIds: [w.sui.state().inbounds[0].id] },
      );
      w.xui.seedClients(
        w.xui.state().inbounds[0].id,
        ids.filter((_, i) => i % 2 === 1).map((id, i) => ({ email: panelNameFor(id), id: randomUUID(), up: i + 1, down: 2 * (i + 1) })),
      );
    };
    // Warm sessions up, so the count is the steady-state cost of a sync.
    await syncServerUsage(w.orm.em.fork(), { panels: w.services.panels, alerts: w.services.alerts, logger: createLogger({ level: 'silent' }) }, w.suiServer.id);
    await syncServerUsage(w.orm.em.fork(), { panels: w.services.panels, alerts: w.services.alerts, logger: createLogger({ level: 'silent' }) }, w.xuiServer.id);

    const measure = async () => {
      w.sui.server.resetCounters();
      w.xui.server.resetCounters();
      const s = await statementsFor(w.suiServer.id);
      const x = await statementsFor(w.xuiServer.id);
      return { suiRequests: w.sui.server.requestCount(), xuiRequests: w.xui.server.requestCount(), sui: s, xui: x };
    };
    await seed(200);
    const small = await measure();
    await seed(6000);
    const large = await measure();
    expect(large.suiRequests).toBeLessThanOrEqual(2);
    expect(large.xuiRequests).toBeLessThanOrEqual(2);
    expect(small.suiRequests).toBeLessThanOrEqual(2);
    expect(large.sui.result.matched).toBeGreaterThanOrEqual(3100);
    expect(large.sui.result.updated).toBe(large.sui.result.matched);
    expect(large.xui.result.updated).toBe(large.xui.result.matched);
    expect(large.sui.result.batches).toBe(1);
    // Same number of statements for 100 and 3,000+ subscriptions per server.
    expect(large.sui.n).toBe(small.sui.n);
    expect(large.xui.n).toBe(small.xui.n);
    expect(large.sui.n).toBeLessThanOrEqual(8);
  });

  it('ends a subscription at its quota, disables its panel client once and tells the customer once', async () => {
    const sub = await w.newSubscription({ quota: 10 * MB });
    w.sui.setTraffic(sub.panelName, 6 * MB, 5 * MB);
    w.sui.server.resetCounters();
    await sync();
    expect(w.sui.server.requestCount({ method: 'POST', pathIncludes: 'save' })).toBe(1);
    w.sui.server.resetCounters();
    await sync();
    expect(w.sui.server.requestCount()).toBeLessThanOrEqual(2);
    expect(w.sui.server.requestCount({ method: 'POST', pathIncludes: 'save' })).toBe(0);
    const after = await w.reload(sub.id);
    expect(after.status).toBe(SubscriptionStatus.DEPLETED);
    expect(after.endedAt).toBeInstanceOf(Date);
    expect(w.sui.getClientDirect(sub.panelName)!.enable).toBe(false);
    const ended = await w.orm.em.fork().find(Notification, { subscription: sub.id, kind: 'SUBSCRIPTION_ENDED' });
    expect(ended.map((n) => [n.threshold, n.params.reason])).toEqual([['depleted', 'DEPLETED']]);
  });

  it('expires a subscription whose time is up and disables its client on 3x-ui too', async () => {
    const sub = await w.newSubscription({ server: w.xuiServer });
    await w.orm.em.fork().getConnection().execute(`update subscription set expires_at = now() - interval '1 minute' where id = ?`, [sub.id]);
    await sync(w.xuiServer.id);
    await sync(w.xuiServer.id);
    const after = await w.reload(sub.id);
    expect(after.status).toBe(SubscriptionStatus.EXPIRED);
    const client = w.xui.state().clients.find((c) => c.email === sub.panelName)!;
    expect(client.enable).toBe(false);
    const audit = await w.orm.em.fork().getConnection().execute(
      `select action, diff from audit_log where resource_type = 'subscription' and resource_id = ? and action = 'job:sync_server_usage'`,
      [sub.id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0].diff).toMatchObject({ before: { status: 'ACTIVE' }, after: { status: 'EXPIRED' } });
  });

  it('flags a client deleted on the panel for reconciliation, alerts the admins once and keeps its usage', async () => {
    const admin = await w.addAdmin();
    const sub = await w.newSubscription();
    w.sui.setTraffic(sub.panelName, 100, 100);
    await sync();
    w.sui.deleteClientDirect(sub.panelName);
    await sync();
    const first = (await w.reload(sub.id)).driftDetectedAt;
    await sync();
    const after = await w.reload(sub.id);
    expect(first).toBeInstanceOf(Date);
    expect(after.driftDetectedAt).toEqual(first);
    expect(used(after)).toBe(200);
    expect(after.status).toBe(SubscriptionStatus.ACTIVE);
    const alerts = await w.orm.em.fork().find(Notification, { kind: 'ADMIN_ALERT', recipientTelegramId: admin });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].params).toMatchObject({ code: 'DRIFT_DETECTED' });
    for (const lang of [Language.FA, Language.EN]) {
      expect((await renderNotification(w.orm.em.fork(), alerts[0], lang, { publicUrl: 'https://vpn.example' })).html).toContain(sub.panelName);
    }
  });

  it('delivers each warning exactly once over ten syncs, in the customer language, with a Renew button', async () => {
    const customer = await buildCustomer(w.orm, { language: Language.EN });
    const sub = await w.newSubscription({ quota: 100 * MB, expiresAt: new Date(Date.now() + 20 * 3600_000), customer });
    const tg = customer.telegramId!;
    w.sui.setTraffic(sub.panelName, 40 * MB, 45 * MB);
    for (let i = 0; i < 10; i++) await sync();
    await w.drain('send_notification');
    await w.drain('send_notification');
    let messages = w.sentTo(tg);
    expect(messages).toHaveLength(2);
    expect(messages.map((m) => m.text.split('\n')[0]).sort()).toEqual(['⏰ Your subscription expires in 20 hours', '⚠️ 85% of your subscription traffic is used']);
    expect(messages.every((m) => m.buttons[0]?.[0]?.callback_data === `renew:${sub.id}`)).toBe(true);
    const kinds = (await w.orm.em.fork().find(Notification, { subscription: sub.id }, { orderBy: { kind: 'asc' } })).map((n) => [n.kind, n.threshold]);
    expect(kinds).toEqual([
      ['EXPIRY_WARNING', 'expiry:24h'],
      ['USAGE_WARNING', 'traffic:80'],
    ]);

    // Reaching the quota: one end notice, never a second 80 % warning.
    w.sui.setTraffic(sub.panelName, 50 * MB, 50 * MB);
    for (let i = 0; i < 10; i++) await sync();
    await w.drain('send_notification');
    messages = w.sentTo(tg);
    expect(messages).toHaveLength(3);
    expect((await w.reload(sub.id)).status).toBe(SubscriptionStatus.DEPLETED);
  });

  it('counts usage and warns once when two workers sync the same server at the same moment', async () => {
    const customer = await buildCustomer(w.orm, { language: Language.EN });
    const sub = await w.newSubscription({ quota: 100 * MB, customer });
    w.sui.setTraffic(sub.panelName, 40 * MB, 45 * MB);
    await Promise.all([sync(), sync()]);
    await Promise.all([sync(), sync()]);
    expect(used(await w.reload(sub.id))).toBe(85 * MB);
    const warnings = await w.orm.em.fork().find(Notification, { subscription: sub.id });
    expect(warnings.map((n) => [n.kind, n.threshold])).toEqual([['USAGE_WARNING', 'traffic:80']]);
    await w.drain('send_notification');
    expect(w.sentTo(customer.telegramId!)).toHaveLength(1);
  });
});

