import { Customer } from '../../src/entities/customer.entity';
import { Order, OrderKind } from '../../src/entities/order.entity';
import { Subscription } from '../../src/entities/subscription.entity';
import { SUBS_PAGE_SIZE } from '../../src/bots/shop/subscriptions';
import { decodeCallback, encodeCallback } from '../../src/notifications/callback-data';
import { startFakeTelegram, type FakeMessage, type FakeTelegram } from '../helpers/fake-telegram';
import { drainJobs } from '../helpers/jobs';
import { randomTelegramId } from '../helpers/ids';
import { startShopHarness, type ShopHarness } from '../helpers/shop-bot';
import { startWorld, type World } from '../helpers/world';

const TOKEN = '203:shop-subscriptions-bot';

/** The subscriptions a list page links to, in order. */
const listed = (m: FakeMessage) =>
  m.buttons.flat().flatMap((b) => {
    const d = decodeCallback(b.callback_data);
    return d?.name === 'subscriptionOpen' ? [d.args[0]] : [];
  });
const buttonTexts = (m: FakeMessage) => m.buttons.flat().map((b) => b.text);

describe('shop bot: My subscriptions (paging, Add traffic) and Telegram 429 (fake Bot API, real API, jobs, panel simulator)', () => {
  let w: World;
  let fake: FakeTelegram;
  let h: ShopHarness;

  beforeAll(async () => {
    w = await startWorld({ plan: { price: 100_000 } });
    fake = await startFakeTelegram({ tokens: [TOKEN] });
    h = await startShopHarness({ fake, orm: w.t.orm, apiUrl: w.t.url, apiKey: w.userBotKey, token: TOKEN });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
    await w.close();
  });

  async function englishUser(): Promise<number> {
    const u = randomTelegramId();
    await h.send(u, '/start');
    await h.press(u, encodeCallback('shopLanguage', 'en'));
    return u;
  }

  /** `n` active subscriptions bought from the wallet through the API (the bot is not what is tested here). */
  async function subscriptionsOf(u: number, n: number): Promise<string[]> {
    const customer = await w.t.orm.em.fork().findOneOrFail(Customer, { telegramId: u });
    const credit = await w.asAdmin('mutation($c: ID!, $a: Int!) { adjustWallet(customerId: $c, amount: $a, reason: "test credit") { balance } }', { c: customer.id, a: (n + 1) * 100_000 });
    expect(credit.errors).toBeUndefined();
    for (let i = 0; i < n; i++) {
      const r = await w.asUser(u, 'mutation($p: ID!, $k: String!) { createOrder(input: { kind: NEW, planId: $p, paymentMethod: WALLET }, idempotencyKey: $k) { id } }', { p: w.plan.id, k: `subs-test-${u}-${i}` });
      expect(r.errors).toBeUndefined();
    }
    await drainJobs(w.t.orm, w.t.services);
    const subs = await w.t.orm.em.fork().find(Subscription, { customer: { telegramId: u } });
    expect(subs.map((s) => s.status)).toEqual(Array(n).fill('ACTIVE'));
    return subs.map((s) => s.id);
  }

  it('pages My subscriptions: Next shows the rest on the same message, Previous goes back, every subscription appears once', async () => {
    const u = await englishUser();
    const all = await subscriptionsOf(u, SUBS_PAGE_SIZE + 2);
    const first = (await h.send(u, '📦 My subscriptions')).at(-1)!;
    expect(first.text).toContain('page 1 of 2');
    expect(listed(first)).toHaveLength(SUBS_PAGE_SIZE);
    expect(buttonTexts(first)).toContain('Next ›');
    expect(buttonTexts(first)).not.toContain('‹ Previous');
    const page1 = listed(first);

    const next = await h.press(u, encodeCallback('shopSubsPage', 1), first);
    expect(next).toHaveLength(1);
    expect(next[0].messageId).toBe(first.messageId);
    expect(next[0].text).toContain('page 2 of 2');
    expect(buttonTexts(next[0])).toContain('‹ Previous');
    expect(buttonTexts(next[0])).not.toContain('Next ›');
    const page2 = listed(next[0]);
    expect(page2).toHaveLength(2);
    expect([...page1, ...page2].sort()).toEqual([...all].sort());

    const back = await h.press(u, encodeCallback('shopSubsPage', 0), next[0]);
    expect(back[0].text).toContain('page 1 of 2');
    expect(listed(back[0])).toEqual(page1);
    // A page beyond the end (an old message after subscriptions went away) shows the last page.
    const beyond = await h.press(u, encodeCallback('shopSubsPage', 7), back[0]);
    expect(beyond[0].text).toContain('page 2 of 2');
    expect(buttonTexts(beyond[0])).toContain('‹ Previous');
  });

  it('buys extra traffic for the subscription whose detail it was pressed on: same subscription and URL, one panel client', async () => {
    const u = await englishUser();
    const [other, id] = await subscriptionsOf(u, 2);
    const before = await w.t.orm.em.fork().findOneOrFail(Subscription, { id });
    const list = (await h.send(u, '/subs')).at(-1)!;
    const detail = await h.press(u, encodeCallback('subscriptionOpen', id), list);
    const detailMsg = detail.find((m) => m.buttons.flat().some((b) => b.callback_data === encodeCallback('subscriptionAddTraffic', id)))!;
    expect(detailMsg).toBeDefined();

    const add = await h.press(u, encodeCallback('subscriptionAddTraffic', id), detailMsg);
    expect(add.at(-1)!.text).toContain('Extra traffic for your subscription');
    const methods = await h.press(u, encodeCallback('shopFlow', 'skip'));
    expect(methods.at(-1)!.buttons.flat().map((b) => b.callback_data)).toContain(encodeCallback('shopFlow', 'wallet'));
    expect((await h.press(u, encodeCallback('shopFlow', 'wallet'))).at(-1)!.text).toContain('✅ Paid.');
    await drainJobs(w.t.orm, w.t.services);

    const orders = await w.t.orm.em.fork().find(Order, { customer: { telegramId: u }, kind: OrderKind.ADD_TRAFFIC }, { populate: ['subscription'] });
    expect(orders.map((o) => [o.subscription?.id, o.status])).toEqual([[id, 'FULFILLED']]);
    const after = await w.t.orm.em.fork().findOneOrFail(Subscription, { id });
    expect(after.trafficLimitBytes).toBe(before.trafficLimitBytes + w.plan.trafficBytes);
    expect(after.subToken).toBe(before.subToken);
    expect(after.panelName).toBe(before.panelName);
    expect(after.clientUuid).toBe(before.clientUuid);
    expect((await w.t.orm.em.fork().findOneOrFail(Subscription, { id: other })).trafficLimitBytes).toBe(before.trafficLimitBytes);
    expect(await w.t.orm.em.fork().count(Subscription, { customer: { telegramId: u } })).toBe(2);
    expect(w.sim.state().clients.filter((c) => c.name === before.panelName)).toHaveLength(1);
  });

  it('delivers a message after Telegram answers 429 with retry_after, outside and inside a conversation', async () => {
    const u = randomTelegramId();
    fake.failNext('sendMessage', { status: 429, retryAfter: 1 }, { token: TOKEN });
    const start = await h.send(u, '/start');
    expect(start.at(-1)!.buttons.flat().map((b) => b.callback_data)).toContain(encodeCallback('shopLanguage', 'en'));
    await h.press(u, encodeCallback('shopLanguage', 'en'));
    await h.send(u, '💬 Support');
    fake.failNext('sendMessage', { status: 429, retryAfter: 1 }, { token: TOKEN });
    const ask = await h.press(u, encodeCallback('shopTicketNew'));
    expect(ask.at(-1)!.text).toContain('short subject');

    const sends = fake.calls.filter((c) => c.token === TOKEN && c.method === 'sendMessage' && c.payload.chat_id === u);
    const statuses = sends.map((c) => c.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    // Each refused message was sent again with the same text, and each arrived exactly once.
    for (const i of statuses.flatMap((s, k) => (s === 429 ? [k] : []))) {
      expect(sends[i + 1]).toMatchObject({ status: 200, payload: { text: sends[i].payload.text } });
      expect(h.inbox(u).filter((m) => m.source === sends[i].payload.text)).toHaveLength(1);
    }
    expect(h.errors.filter((e) => e.includes(String(u)))).toEqual([]);
  });
});
