import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { createTelegramSender } from '../../src/clients/telegram.client';
import { drainJobs } from '../helpers/jobs';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram';
import { CREATE_ORDER, newKey, startWorld, type World } from '../helpers/world';

const DAY = 86_400_000;

describe('delivery and renewal', () => {
  let w: World;
  let tg: FakeTelegram;
  const USER_TOKEN = '7001:user-bot-token-for-tests';

  beforeAll(async () => {
    w = await startWorld();
    tg = await startFakeTelegram({ tokens: [USER_TOKEN, '7002:admin-bot-token-for-tests'] });
    // Deliver through the fake Bot API with the same services the API uses.
    Object.assign(w.t.services, { telegram: createTelegramSender({ apiRoot: tg.apiRoot, tokens: { USER_BOT: USER_TOKEN, ADMIN_BOT: '7002:admin-bot-token-for-tests' } }) });
  });
  afterAll(async () => {
    await tg.close();
    await w.close();
  });

  async function buyWithWallet(user: number): Promise<string> {
    const me = await w.asUser<{ myCustomer: { id: string } }>(user, '{ myCustomer { id } }');
    await w.asAdmin('mutation($c: ID!, $a: Int!) { adjustWallet(customerId: $c, amount: $a, reason: "credit for test") { balance } }', {
      c: me.data!.myCustomer.id,
      a: w.plan.price * 3,
    });
    const res = await w.asUser<{ createOrder: { subscriptionId: string } }>(user, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'WALLET' }, k: newKey() });
    expect(res.errors).toBeUndefined();
    await drainJobs(w.t.orm, w.t.services);
    return res.data!.createOrder.subscriptionId;
  }

  it('sends one "config ready" message with the subscription URL, the links and a QR code', async () => {
    const user = await w.newUser();
    const subId = await buyWithWallet(user);
    await drainJobs(w.t.orm, w.t.services, { tasks: ['send_notification'] });
    const sub = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: subId });
    const messages = tg.sentTo(user, USER_TOKEN);
    const ready = messages.filter((m) => m.text.includes(`/sub/${sub.subToken}`));
    expect(ready).toHaveLength(1);
    expect(ready[0].text).toContain(sub.links[0].slice(0, 40));
    // With a QR code of the subscription URL, as a photo.
    const photos = messages.filter((m) => m.kind === 'photo');
    expect(photos).toHaveLength(1);
    expect(photos[0].photo!.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('serves /sub/:token as base64 of exactly the links the panel holds, with usage and expiry headers', async () => {
    const user = await w.newUser();
    const subId = await buyWithWallet(user);
    const sub = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: subId });
    const res = await fetch(`${w.t.url}/sub/${sub.subToken}`);
    expect(res.status).toBe(200);
    const links = Buffer.from(await res.text(), 'base64').toString('utf8').split('\n');
    const panelLinks = (w.sim.getClientDirect(sub.panelName)!.links as Array<{ type: string; uri: string }>).filter((l) => l.type === 'local').map((l) => l.uri);
    expect(links).toEqual(panelLinks);
    expect(res.headers.get('subscription-userinfo')).toBe(
      `upload=0; download=0; total=${w.plan.trafficBytes}; expire=${Math.floor(sub.expiresAt!.getTime() / 1000)}`,
    );
    expect(res.headers.get('profile-title')).toMatch(/^base64:/);
    expect((await fetch(`${w.t.url}/sub/unknown-token-123456789`)).status).toBe(404);
  });

  it('renews on the same panel client and URL, extending from the later of now and the current expiry', async () => {
    const user = await w.newUser();
    const subId = await buyWithWallet(user);
    const em = w.t.orm.em.fork();
    const before = await em.findOneOrFail(Subscription, { id: subId });
    const client = w.sim.getClientDirect(before.panelName)!;

    // Still valid for 10 days: the renewal extends from the current expiry.
    const current = new Date(Date.now() + 10 * DAY);
    await em.nativeUpdate(Subscription, { id: subId }, { expiresAt: current, usedDownBytes: 123 });
    const renew = await w.asUser(user, CREATE_ORDER, { i: { kind: 'RENEW', planId: w.plan.id, subscriptionId: subId, paymentMethod: 'WALLET' }, k: newKey() });
    expect(renew.errors).toBeUndefined();
    await drainJobs(w.t.orm, w.t.services);
    const after = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: subId });
    expect(after.expiresAt!.getTime()).toBe(current.getTime() + w.plan.durationDays * DAY);
    expect(after.subToken).toBe(before.subToken);
    expect(after.panelName).toBe(before.panelName);
    expect(after.usedDownBytes).toBe(0);
    const clients = w.sim.state().clients.filter((c) => c.name === before.panelName);
    expect(clients).toHaveLength(1);
    expect(clients[0].id).toBe(client.id);
    expect(clients[0].expiry).toBe(Math.floor(after.expiresAt!.getTime() / 1000));

    // Already expired: the renewal extends from now.
    await w.t.orm.em.fork().nativeUpdate(Subscription, { id: subId }, { expiresAt: new Date(Date.now() - 5 * DAY), status: SubscriptionStatus.EXPIRED });
    const start = Date.now();
    await w.asUser(user, CREATE_ORDER, { i: { kind: 'RENEW', planId: w.plan.id, subscriptionId: subId, paymentMethod: 'WALLET' }, k: newKey() });
    await drainJobs(w.t.orm, w.t.services);
    const again = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: subId });
    expect(again.status).toBe(SubscriptionStatus.ACTIVE);
    expect(again.expiresAt!.getTime()).toBeGreaterThanOrEqual(start + w.plan.durationDays * DAY);
    expect(again.expiresAt!.getTime()).toBeLessThan(Date.now() + w.plan.durationDays * DAY + 1000);
  });

  it('adds traffic as a new absolute quota on the same client', async () => {
    const user = await w.newUser();
    const subId = await buyWithWallet(user);
    const res = await w.asUser(user, CREATE_ORDER, { i: { kind: 'ADD_TRAFFIC', planId: w.plan.id, subscriptionId: subId, paymentMethod: 'WALLET' }, k: newKey() });
    expect(res.errors).toBeUndefined();
    await drainJobs(w.t.orm, w.t.services);
    await drainJobs(w.t.orm, w.t.services);
    const sub = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: subId });
    expect(sub.trafficLimitBytes).toBe(2 * w.plan.trafficBytes);
    expect(w.sim.getClientDirect(sub.panelName)!.volume).toBe(2 * w.plan.trafficBytes);
  });

  it('carries unused traffic over when the plan says so: quota grows, usage and panel counters are kept', async () => {
    await w.asAdmin('mutation($id: ID!) { updatePlan(id: $id, input: { renewalTraffic: CARRY_OVER }) { renewalTraffic } }', { id: w.plan.id });
    try {
      const user = await w.newUser();
      const subId = await buyWithWallet(user);
      const before = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: subId });
      w.sim.setTraffic(before.panelName, 1000, 5000);
      await w.t.orm.em.fork().nativeUpdate(Subscription, { id: subId }, { usedUpBytes: 1000, usedDownBytes: 5000, panelUpSeen: 1000, panelDownSeen: 5000 });
      const renew = await w.asUser(user, CREATE_ORDER, { i: { kind: 'RENEW', planId: w.plan.id, subscriptionId: subId, paymentMethod: 'WALLET' }, k: newKey() });
      expect(renew.errors).toBeUndefined();
      await drainJobs(w.t.orm, w.t.services);
      const after = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: subId });
      expect(after.trafficLimitBytes).toBe(2 * w.plan.trafficBytes);
      expect([after.usedUpBytes, after.usedDownBytes]).toEqual([1000, 5000]);
      const client = w.sim.getClientDirect(before.panelName)!;
      expect([client.up, client.down, client.volume]).toEqual([1000, 5000, 2 * w.plan.trafficBytes]);
    } finally {
      await w.asAdmin('mutation($id: ID!) { updatePlan(id: $id, input: { renewalTraffic: RESET }) { renewalTraffic } }', { id: w.plan.id });
    }
  });
});
