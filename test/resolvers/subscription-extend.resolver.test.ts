import { SubscriptionStatus } from '../../src/entities/subscription.entity';
import { errorCode, type TestApi } from '../helpers/api';
import { jobsFor, startLifecycleApi, type LifecycleWorld } from '../helpers/lifecycle';

const EXTEND = 'mutation($id: ID!, $days: Int!) { extendSubscription(id: $id, days: $days) { id status } }';
const DAY = 86_400_000;

describe('extendSubscription (ADMIN)', () => {
  let w: LifecycleWorld;
  let t: TestApi;
  let adminKey: string;
  let supportKey: string;
  let close: () => Promise<void>;
  beforeAll(async () => ({ w, t, adminKey, supportKey, close } = await startLifecycleApi()));
  afterAll(() => close());

  const extend = (id: string, days: number, key = adminKey) =>
    t.gql<{ extendSubscription: { id: string; status: string } }>(EXTEND, { id, days }, { key });

  it('adds days to the expiry of an active subscription and the panel client gets the new expiry', async () => {
    const expiresAt = new Date(Date.now() + 5 * DAY);
    const sub = await w.newSubscription({ expiresAt });
    expect((await extend(sub.id, 10)).data).toEqual({ extendSubscription: { id: sub.id, status: 'ACTIVE' } });
    const after = await w.reload(sub.id);
    expect(after.expiresAt!.getTime()).toBe(expiresAt.getTime() + 10 * DAY);
    expect(await jobsFor(w.orm, 'set_client_enabled', sub.id)).toHaveLength(1);
    await w.drain('set_client_enabled');
    await w.drain('set_client_enabled');
    const client = w.sui.getClientDirect(sub.panelName)!;
    expect(client.enable).toBe(true);
    expect(client.expiry).toBe(Math.floor(after.expiresAt!.getTime() / 1000));
  });

  it('revives an expired subscription from now, and its panel client is enabled again', async () => {
    const sub = await w.newSubscription({ expiresAt: new Date(Date.now() + 3600_000) });
    await w.orm.em.fork().getConnection().execute(`update subscription set expires_at = now() - interval '2 days' where id = ?`, [sub.id]);
    await w.run('schedule_usage_sync');
    expect((await w.reload(sub.id)).status).toBe(SubscriptionStatus.EXPIRED);
    const before = Date.now();
    expect((await extend(sub.id, 3)).data!.extendSubscription.status).toBe('ACTIVE');
    const after = await w.reload(sub.id);
    expect(after.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 3 * DAY);
    expect(after.endedAt ?? null).toBeNull();
    await w.drain('set_client_enabled');
    expect(w.sui.getClientDirect(sub.panelName)!.enable).toBe(true);
  });

  it('refuses bad day counts, revoked and unknown subscriptions, and SUPPORT, changing nothing', async () => {
    const expiresAt = new Date(Date.now() + 5 * DAY);
    const sub = await w.newSubscription({ expiresAt });
    expect(errorCode(await extend(sub.id, 0))).toBe('BAD_USER_INPUT');
    expect(errorCode(await extend(sub.id, 3651))).toBe('BAD_USER_INPUT');
    expect(errorCode(await extend(sub.id, 5, supportKey))).toBe('FORBIDDEN');
    expect((await w.reload(sub.id)).expiresAt!.getTime()).toBe(expiresAt.getTime());
    const revoked = await w.newSubscription({ status: SubscriptionStatus.REVOKED, onPanel: false, expiresAt });
    expect(errorCode(await extend(revoked.id, 5))).toBe('SUBSCRIPTION_NOT_CHANGEABLE');
    expect(errorCode(await extend('00000000-0000-4000-8000-000000000000', 5))).toBe('SUBSCRIPTION_NOT_FOUND');
  });
});
