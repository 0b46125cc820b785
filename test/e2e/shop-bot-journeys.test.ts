import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { createTelegramSender } from '../../src/clients/telegram.client';
import { LedgerEntry } from '../../src/entities/ledger-entry.entity';
import { OrderKind } from '../../src/entities/order.entity';
import { Payment } from '../../src/entities/payment.entity';
import { Subscription } from '../../src/entities/subscription.entity';
import { encodeCallback } from '../../src/notifications/callback-data';
import { queueNotification } from '../../src/notifications/notification.queue';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram';
import { drainJobs } from '../helpers/jobs';
import { randomTelegramId } from '../helpers/ids';
import { startShopHarness, type ShopHarness } from '../helpers/shop-bot';
import { startWorld, type World } from '../helpers/world';

const TOKEN = '202:shop-journeys-bot';

const png = () => QRCode.toBuffer(randomBytes(16).toString('hex'), { type: 'png', width: 64 });

describe('shop bot journeys (fake Bot API, real API, jobs and panel simulator)', () => {
  let w: World;
  let fake: FakeTelegram;
  let h: ShopHarness;

  beforeAll(async () => {
    w = await startWorld({ plan: { price: 150_000 } });
    fake = await startFakeTelegram({ tokens: [TOKEN] });
    (w.t.services as { telegram: unknown }).telegram = createTelegramSender({ apiRoot: fake.apiRoot, tokens: { USER_BOT: TOKEN } });
    h = await startShopHarness({ fake, orm: w.t.orm, apiUrl: w.t.url, apiKey: w.userBotKey, token: TOKEN });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
    await w.close();
  });

  async function user(lang: 'fa' | 'en'): Promise<number> {
    const u = randomTelegramId();
    await h.send(u, '/start');
    await h.press(u, encodeCallback('shopLanguage', lang));
    return u;
  }
  const lastText = (msgs: Array<{ text: string }>) => msgs[msgs.length - 1].text;
  const balance = async (tg: number) => (await w.t.orm.em.fork().find(LedgerEntry, { customer: { telegramId: tg } })).reduce((s, e) => s + e.amount, 0);

  it('tops up the wallet by card, then buys from the wallet; Renew from the notification button keeps the subscription URL', async () => {
    const u = await user('fa');
    await h.send(u, '👛 کیف پول');
    const ask = await h.press(u, encodeCallback('shopTopUp'));
    expect(lastText(ask)).toContain('چه مبلغی');
    expect(lastText(await h.send(u, 'صد تومن'))).toContain('لطفاً یک عدد صحیح');
    const card = await h.send(u, '۳۰۰٬۰۰۰');
    const payment = await w.t.orm.em.fork().findOneOrFail(Payment, { order: { customer: { telegramId: u }, kind: OrderKind.TOP_UP } });
    expect(card[card.length - 1].source).toContain(`<code>${payment.payableAmount}</code>`);
    // The photo right away (without pressing "I have paid") is accepted too.
    expect(lastText(await h.photo(u, await png()))).toContain('دریافت شد');
    expect((await w.asAdmin('mutation($id: ID!) { approvePayment(paymentId: $id) { status } }', { id: payment.id })).errors).toBeUndefined();
    await drainJobs(w.t.orm, w.t.services);
    expect(await balance(u)).toBe(payment.payableAmount);
    const wallet = await h.send(u, '👛 کیف پول');
    expect(lastText(wallet)).toContain('شارژ');

    await h.send(u, '/buy');
    await h.press(u, encodeCallback('shopPlan', w.plan.id));
    const summary = await h.press(u, encodeCallback('shopFlow', 'skip'));
    expect(summary[summary.length - 1].buttons.flat().map((b) => b.callback_data)).toContain(encodeCallback('shopFlow', 'wallet'));
    expect(lastText(await h.press(u, encodeCallback('shopFlow', 'wallet')))).toContain('پرداخت شد');
    await drainJobs(w.t.orm, w.t.services);
    const sub = await w.t.orm.em.fork().findOneOrFail(Subscription, { customer: { telegramId: u } });
    expect(sub.status).toBe('ACTIVE');
    expect(await balance(u)).toBe(payment.payableAmount! - 150_000);

    // A usage warning from the worker carries renew:<id>; pressing it on that message renews.
    await w.t.orm.em.fork().transactional((em) => queueNotification(em, { kind: 'USAGE_WARNING', telegramId: u, params: { subscriptionId: sub.id, percent: 80 }, subscription: em.getReference(Subscription, sub.id), threshold: '80', period: 'p1' }));
    await drainJobs(w.t.orm, w.t.services);
    const warning = h.withButton(u, encodeCallback('subscriptionRenew', sub.id));
    const renew = await h.press(u, encodeCallback('subscriptionRenew', sub.id), warning);
    expect(lastText(renew)).toContain('تمدید اشتراک');
    await h.press(u, encodeCallback('shopFlow', 'skip'));
    expect(lastText(await h.press(u, encodeCallback('shopFlow', 'wallet')))).toContain('پرداخت شد');
    await drainJobs(w.t.orm, w.t.services);
    const after = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: sub.id });
    expect(after.subToken).toBe(sub.subToken);
    expect(after.expiresAt!.getTime()).toBeGreaterThan(sub.expiresAt!.getTime());
    expect(await w.t.orm.em.fork().count(Subscription, { customer: { telegramId: u } })).toBe(1);
    expect(w.sim.state().clients.filter((c) => c.name === sub.panelName)).toHaveLength(1);
  });

  it('runs a support ticket round trip: open from the bot, staff reply arrives as a notification, open the thread, close', async () => {
    const u = await user('en');
    const support = await h.send(u, '💬 Support');
    expect(lastText(support)).toContain('Support');
    expect(lastText(await h.press(u, encodeCallback('shopTicketNew')))).toContain('short subject');
    expect(lastText(await h.raw(u, { sticker: { file_id: 'x', file_unique_id: 'y', width: 1, height: 1, is_animated: false, is_video: false, type: 'regular' } }))).toContain('Please send text');
    await h.send(u, 'VPN <slow>');
    const created = await h.send(u, 'Nothing loads since yesterday & today');
    expect(lastText(created)).toContain('VPN <slow>');
    const { data } = await w.asAdmin<{ tickets: Array<{ id: string; subject: string }> }>('{ tickets { id subject } }');
    const ticket = data!.tickets.find((t) => t.subject === 'VPN <slow>')!;
    expect((await w.asAdmin('mutation($id: ID!) { replyTicket(ticketId: $id, body: "Update the subscription <please>") { status } }', { id: ticket.id })).errors).toBeUndefined();
    await drainJobs(w.t.orm, w.t.services);
    const reply = h.withButton(u, encodeCallback('ticketOpen', ticket.id));
    expect(reply.text).toContain('Update the subscription <please>');
    const thread = await h.press(u, encodeCallback('ticketOpen', ticket.id), reply);
    expect(lastText(thread)).toContain('🎧 Support');
    const closed = await h.press(u, encodeCallback('shopTicketClose', ticket.id));
    expect(lastText(closed)).toContain('⚪️ Closed');
  });

  it('opens one ticket when the update that completes it is handled again after a crash (same message, same idempotency key)', async () => {
    const u = await user('en');
    await h.send(u, '💬 Support');
    await h.press(u, encodeCallback('shopTicketNew'));
    await h.send(u, 'Crash <test>');
    const conversationRow = async () =>
      (await w.t.orm.em.getConnection().execute<Array<{ value: unknown }>>(`select value from bot_session where bot = ? and key = ?`, [`shop-test-${TOKEN}`, `c:${u}`]))[0]?.value;
    const waitingForBody = await conversationRow();
    expect(waitingForBody).toBeDefined();
    const body = { message_id: 777_000 + (u % 1000), text: 'Opened once, handled twice' };
    expect(lastText(await h.raw(u, body))).toContain('Crash <test>');
    // The bot dies before its conversation state is saved; Telegram hands the same update to the new process.
    await w.t.orm.em
      .getConnection()
      .execute(`insert into bot_session (bot, key, value, updated_at) values (?, ?, ?::jsonb, now()) on conflict (bot, key) do update set value = excluded.value`, [`shop-test-${TOKEN}`, `c:${u}`, JSON.stringify(waitingForBody)]);
    await h.restart();
    expect(lastText(await h.raw(u, body))).toContain('Crash <test>');
    const { data } = await w.asAdmin<{ tickets: Array<{ id: string; subject: string }> }>('{ tickets { id subject } }');
    expect(data!.tickets.filter((t) => t.subject === 'Crash <test>')).toHaveLength(1);
  });

  it('switches the language and every screen follows', async () => {
    const u = await user('fa');
    expect(lastText(await h.send(u, '👛 کیف پول'))).toContain('کیف پول شما');
    await h.send(u, '🌐 زبان');
    const switched = await h.press(u, encodeCallback('shopLanguage', 'en'));
    expect(lastText(switched)).toBe('Language set to English.');
    // The old Persian keyboard still works, and answers in English.
    expect(lastText(await h.send(u, '👛 کیف پول'))).toContain('Your wallet');
    expect(lastText(await h.send(u, '📦 My subscriptions'))).toContain('You have no subscriptions yet');
    expect(lastText(await h.send(u, '/buy'))).toContain('Choose a plan');
    expect(lastText(await h.send(u, '📚 Help'))).toContain('Help');
    expect(lastText(await h.send(u, 'random words'))).toBe('I did not understand that. Please use the menu buttons below.');
  });
});
