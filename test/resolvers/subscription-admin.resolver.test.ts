import { SubscriptionStatus } from '../../src/entities/subscription.entity';
import { errorCode, type TestApi } from '../helpers/api';
import { jobsFor, startLifecycleApi, type LifecycleWorld } from '../helpers/lifecycle';

const SET = 'mutation($id: ID!, $on: Boolean!) { setSubscriptionEnabled(id: $id, enabled: $on) { id status } }';

describe('setSubscriptionEnabled (ADMIN)', () => {
  let w: LifecycleWorld;
  let t: TestApi;
  let adminKey: string;
  let close: () => Promise<void>;
  beforeAll(async () => ({ w, t, adminKey, close } = await startLifecycleApi()));
  afterAll(() => close());

  const set = (id: string, on: boolean) => t.gql<{ setSubscriptionEnabled: { id: string; status: string } }>(SET, { id, on }, { key: adminKey });

  it('disables a subscription and its panel client, and enables both again; repeating a call changes nothing', async () => {
    const sub = await w.newSubscription();
    expect((await set(sub.id, false)).data).toEqual({ setSubscriptionEnabled: { id: sub.id, status: 'DISABLED' } });
    expect((await set(sub.id, false)).data!.setSubscriptionEnabled.status).toBe('DISABLED');
    expect(await jobsFor(w.orm, 'set_client_enabled', sub.id)).toHaveLength(1);
    await w.drain('set_client_enabled');
    expect(w.sui.getClientDirect(sub.panelName)!.enable).toBe(false);

    // An admin-disabled subscription stays DISABLED whatever the lifecycle pass and the sync see.
    await w.run('schedule_usage_sync');
    await w.run('sync_server_usage', { serverId: w.suiServer.id });
    expect((await w.reload(sub.id)).status).toBe(SubscriptionStatus.DISABLED);

    expect((await set(sub.id, true)).data!.setSubscriptionEnabled.status).toBe('ACTIVE');
    await w.drain('set_client_enabled');
    await w.drain('set_client_enabled');
    expect(w.sui.getClientDirect(sub.panelName)!.enable).toBe(true);
    expect(w.sui.state().clients.filter((c) => c.name === sub.panelName)).toHaveLength(1);
  });

  it('enables a disabled subscription straight into EXPIRED when its time is up', async () => {
    const sub = await w.newSubscription({ expiresAt: new Date(Date.now() + 3600_000) });
    await set(sub.id, false);
    await w.orm.em.fork().getConnection().execute(`update subscription set expires_at = now() - interval '1 minute' where id = ?`, [sub.id]);
    expect((await set(sub.id, true)).data!.setSubscriptionEnabled.status).toBe('EXPIRED');
    await w.drain('set_client_enabled');
    expect(w.sui.getClientDirect(sub.panelName)!.enable).toBe(false);
  });

  it('refuses a revoked subscription with SUBSCRIPTION_NOT_CHANGEABLE and an unknown one with SUBSCRIPTION_NOT_FOUND', async () => {
    const sub = await w.newSubscription({ status: SubscriptionStatus.REVOKED, onPanel: false });
    expect(errorCode(await set(sub.id, true))).toBe('SUBSCRIPTION_NOT_CHANGEABLE');
    expect(errorCode(await set('00000000-0000-4000-8000-000000000000', false))).toBe('SUBSCRIPTION_NOT_FOUND');
  });
});
