import { SubscriptionStatus } from '../../src/entities/subscription.entity';
import { errorCode, type TestApi } from '../helpers/api';
import { jobsFor, startLifecycleApi, type LifecycleWorld } from '../helpers/lifecycle';

const RESET = 'mutation($id: ID!) { resetSubscriptionTraffic(id: $id) { id status } }';
const MB = 1024 * 1024;

describe('resetSubscriptionTraffic (ADMIN)', () => {
  let w: LifecycleWorld;
  let t: TestApi;
  let adminKey: string;
  let supportKey: string;
  let close: () => Promise<void>;
  beforeAll(async () => ({ w, t, adminKey, supportKey, close } = await startLifecycleApi()));
  afterAll(() => close());

  const reset = (id: string, key = adminKey) => t.gql<{ resetSubscriptionTraffic: { id: string; status: string } }>(RESET, { id }, { key });
  const sync = () => w.run('sync_server_usage', { serverId: w.suiServer.id });

  it('zeroes a depleted subscription on the panel and in the database and makes it ACTIVE; later usage counts from zero', async () => {
    const sub = await w.newSubscription({ quota: 10 * MB });
    w.sui.setTraffic(sub.panelName, 4 * MB, 7 * MB);
    await sync();
    await w.run('schedule_usage_sync');
    expect((await w.reload(sub.id)).status).toBe(SubscriptionStatus.DEPLETED);

    expect((await reset(sub.id)).data).toEqual({ resetSubscriptionTraffic: { id: sub.id, status: 'DEPLETED' } });
    expect((await reset(sub.id)).data!.resetSubscriptionTraffic.id).toBe(sub.id);
    expect(await jobsFor(w.orm, 'reset_subscription_traffic', sub.id)).toHaveLength(1);
    await w.drain('reset_subscription_traffic');
    await w.drain('reset_subscription_traffic');

    const after = await w.reload(sub.id);
    expect(after.status).toBe(SubscriptionStatus.ACTIVE);
    expect(after.usedUpBytes + after.usedDownBytes).toBe(0);
    expect(after.usageEpoch).toBe(sub.usageEpoch + 1);
    const client = w.sui.getClientDirect(sub.panelName)!;
    expect([client.up, client.down, client.enable]).toEqual([0, 0, true]);

    w.sui.setTraffic(sub.panelName, 100, 200);
    await sync();
    await sync();
    const later = await w.reload(sub.id);
    expect(later.usedUpBytes + later.usedDownBytes).toBe(300);
  });

  it('keeps an admin-disabled subscription disabled on the panel after its reset', async () => {
    const sub = await w.newSubscription({ quota: 10 * MB });
    w.sui.setTraffic(sub.panelName, MB, MB);
    await sync();
    await t.gql('mutation($id: ID!) { setSubscriptionEnabled(id: $id, enabled: false) { id } }', { id: sub.id }, { key: adminKey });
    await w.drain('set_client_enabled');
    await reset(sub.id);
    await w.drain('reset_subscription_traffic');
    expect((await w.reload(sub.id)).status).toBe(SubscriptionStatus.DISABLED);
    const client = w.sui.getClientDirect(sub.panelName)!;
    expect([client.up, client.down, client.enable]).toEqual([0, 0, false]);
  });

  it('refuses SUPPORT, a revoked subscription and an unknown one', async () => {
    const sub = await w.newSubscription();
    expect(errorCode(await reset(sub.id, supportKey))).toBe('FORBIDDEN');
    expect(await jobsFor(w.orm, 'reset_subscription_traffic', sub.id)).toHaveLength(0);
    const revoked = await w.newSubscription({ status: SubscriptionStatus.REVOKED, onPanel: false });
    expect(errorCode(await reset(revoked.id))).toBe('SUBSCRIPTION_NOT_CHANGEABLE');
    expect(errorCode(await reset('00000000-0000-4000-8000-000000000000'))).toBe('SUBSCRIPTION_NOT_FOUND');
  });
});
