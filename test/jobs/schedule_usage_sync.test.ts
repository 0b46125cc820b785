import { Notification } from '../../src/entities/notification.entity';
import { ServerStatus } from '../../src/entities/server.entity';
import { SubscriptionStatus } from '../../src/entities/subscription.entity';
import { updateSetting } from '../../src/services/setting.service';
import { subscriptionUrl } from '../../src/services/subscription.service';
import { GRACE_REVOKE_REASON } from '../../src/services/subscription-lifecycle.service';
import { buildServerFor } from '../factories/commerce';
import { queuedJobs } from '../helpers/jobs';
import { jobsFor, startLifecycleWorld, type LifecycleWorld } from '../helpers/lifecycle';

describe('schedule_usage_sync (the minute lifecycle pass)', () => {
  let w: LifecycleWorld;
  beforeAll(async () => {
    w = await startLifecycleWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  const pass = () => w.run('schedule_usage_sync', { _cron: { ts: new Date().toISOString() } });
  const sql = (q: string, params: unknown[] = []) => w.orm.em.fork().getConnection().execute(q, params);

  it('enqueues one usage sync per due server, and none for a recently synced, inactive or DOWN server', async () => {
    await sql(`delete from graphile_worker._private_jobs`);
    const extra = async (patch: Record<string, unknown>) => {
      const s = await buildServerFor(w.orm, w.services.secrets, w.sui, { kind: 'SUI', serverGroup: 'other', inbounds: [] });
      const sets = Object.keys(patch).map((k) => `${k} = ?`).join(', ');
      await sql(`update server set ${sets} where id = ?`, [...Object.values(patch), s.id]);
      return s;
    };
    const recent = await extra({ usage_synced_at: new Date(Date.now() - 60_000) });
    const stale = await extra({ usage_synced_at: new Date(Date.now() - 6 * 60_000) });
    const inactive = await extra({ active: false });
    const down = await extra({ status: ServerStatus.DOWN });
    await pass();
    await pass();
    const jobs = await queuedJobs(w.orm, 'sync_server_usage');
    const servers = jobs.map((j) => j.payload.serverId).sort();
    expect(servers).toEqual([w.suiServer.id, w.xuiServer.id, stale.id].sort());
    expect(jobs.map((j) => j.key).sort()).toEqual(servers.map((id) => `sync_server_usage:${id}`).sort());
    expect(servers).not.toContain(recent.id);
    expect(servers).not.toContain(inactive.id);
    expect(servers).not.toContain(down.id);
    await sql(`update server set active = false where id in (?, ?, ?, ?)`, [recent.id, stale.id, inactive.id, down.id]);

    // A synced server is not due again before usage_sync_minutes.
    await w.drain('sync_server_usage');
    await pass();
    expect(await queuedJobs(w.orm, 'sync_server_usage')).toEqual([]);
  });

  it('expires a subscription by time without the panel, once, with one expired notice', async () => {
    const sub = await w.newSubscription();
    await sql(`update subscription set expires_at = now() - interval '5 minutes' where id = ?`, [sub.id]);
    await pass();
    await pass();
    const after = await w.reload(sub.id);
    expect(after.status).toBe(SubscriptionStatus.EXPIRED);
    expect(after.endedAt).toBeInstanceOf(Date);
    const notes = await w.orm.em.fork().find(Notification, { subscription: sub.id });
    expect(notes.map((n) => [n.kind, n.threshold, n.params.reason])).toEqual([['SUBSCRIPTION_ENDED', 'expired', 'EXPIRED']]);
    const audit = await sql(`select count(*)::int as n from audit_log where resource_id = ? and action = 'job:schedule_usage_sync'`, [sub.id]);
    expect(audit[0].n).toBe(1);
    await w.drain('send_notification');
    const sent = w.sentTo(sub.customer.telegramId!);
    expect(sent).toHaveLength(1);
    expect(sent[0].buttons).toEqual([[expect.objectContaining({ callback_data: `renew:${sub.id}` })]]);
  });

  it('sends the 72-hour then the 24-hour expiry warning once each, and none a subscription never lived through', async () => {
    const sub = await w.newSubscription({ expiresAt: new Date(Date.now() + 60 * 3600_000) });
    const fresh = await w.newSubscription({ expiresAt: new Date(Date.now() + 20 * 3600_000), activatedAt: new Date() });
    await pass();
    await pass();
    await sql(`update subscription set expires_at = now() + interval '23 hours' where id = ?`, [sub.id]);
    await pass();
    await pass();
    const notes = await w.orm.em.fork().find(Notification, { subscription: sub.id }, { orderBy: { createdAt: 'asc' } });
    expect(notes.map((n) => n.threshold)).toEqual(['expiry:72h', 'expiry:24h']);
    expect(notes.map((n) => n.params.hoursLeft)).toEqual([60, 23]);
    // Bought 20 hours before its expiry: it never lived through a threshold, so no "expires soon" right after purchase.
    expect(await w.orm.em.fork().count(Notification, { subscription: fresh.id })).toBe(0);
  });

  it('deletes an ended subscription from the panel after grace_days and marks it REVOKED; not before', async () => {
    await w.orm.em.fork().transactional((em) => updateSetting(em, 'grace_days', 3));
    const within = await w.newSubscription({ quota: 1000 });
    const over = await w.newSubscription({ quota: 1000 });
    await sql(`update subscription set status = 'DEPLETED', ended_at = now() - interval '2 days' where id = ?`, [within.id]);
    await sql(`update subscription set status = 'DEPLETED', ended_at = now() - interval '4 days' where id = ?`, [over.id]);
    await pass();
    await pass();
    expect(await jobsFor(w.orm, 'revoke_subscription', within.id)).toEqual([]);
    const jobs = await jobsFor(w.orm, 'revoke_subscription', over.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].key).toBe(`revoke_subscription:${over.id}`);
    await w.drain('revoke_subscription');
    expect((await w.reload(over.id)).status).toBe(SubscriptionStatus.REVOKED);
    expect(w.sui.getClientDirect(over.panelName)).toBeUndefined();
    expect(w.sui.getClientDirect(within.panelName)).toBeDefined();
    await pass();
    expect(await jobsFor(w.orm, 'revoke_subscription', over.id)).toEqual([]);
  });

  it('revives the same panel client with the same link when a renewal is paid within the grace period', async () => {
    const sub = await w.newSubscription();
    const before = w.sui.getClientDirect(sub.panelName)!;
    const url = subscriptionUrl('https://shop.example', sub.subToken);
    await sql(`update subscription set expires_at = now() - interval '1 hour' where id = ?`, [sub.id]);
    await pass();
    await w.run('sync_server_usage', { serverId: w.suiServer.id });
    expect((await w.reload(sub.id)).status).toBe(SubscriptionStatus.EXPIRED);
    expect(w.sui.getClientDirect(sub.panelName)!.enable).toBe(false);

    await w.payRenewal(sub);
    await w.drain('apply_order');
    const after = await w.reload(sub.id);
    expect(after.status).toBe(SubscriptionStatus.ACTIVE);
    expect(after.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(after.usageEpoch).toBe(1);
    expect(subscriptionUrl('https://shop.example', after.subToken)).toBe(url);
    expect(after.clientUuid).toBe(sub.clientUuid);
    const clients = w.sui.state().clients.filter((c) => c.name === sub.panelName);
    expect(clients).toHaveLength(1);
    expect(clients[0].id).toBe(before.id);
    expect(clients[0].enable).toBe(true);
    expect(JSON.stringify(clients[0].config)).toContain(sub.clientUuid);

    // A grace revoke queued before the renewal was applied no longer applies.
    await sql(`update subscription set ended_at = now() - interval '10 days' where id = ?`, [sub.id]);
    await w.run('revoke_subscription', { subscriptionId: sub.id, reason: GRACE_REVOKE_REASON });
    expect((await w.reload(sub.id)).status).toBe(SubscriptionStatus.ACTIVE);
    expect(w.sui.getClientDirect(sub.panelName)).toBeDefined();
  });

  it('leaves a subscription with a paid renewal not applied yet on the panel after its grace period', async () => {
    const sub = await w.newSubscription();
    await sql(`update subscription set status = 'EXPIRED', ended_at = now() - interval '30 days' where id = ?`, [sub.id]);
    await w.payRenewal(sub);
    await pass();
    expect(await jobsFor(w.orm, 'revoke_subscription', sub.id)).toEqual([]);
    await w.drain('apply_order');
    expect((await w.reload(sub.id)).status).toBe(SubscriptionStatus.ACTIVE);
  });
});
