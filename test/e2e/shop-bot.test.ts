import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { createTelegramSender } from '../../src/clients/telegram.client';
import { Order } from '../../src/entities/order.entity';
import { Payment } from '../../src/entities/payment.entity';
import { Receipt } from '../../src/entities/receipt.entity';
import { Subscription } from '../../src/entities/subscription.entity';
import { encodeCallback } from '../../src/notifications/callback-data';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram';
import { drainJobs } from '../helpers/jobs';
import { randomTelegramId } from '../helpers/ids';
import { buttonData, startShopHarness, type ShopHarness } from '../helpers/shop-bot';
import { startWorld, type World } from '../helpers/world';
import { buildPlan } from '../factories/commerce';
import { updateSetting } from '../../src/services/setting.service';

const TOKEN = '201:shop-e2e-bot';

/** A well-formed, unique PNG (the API checks the whole file). */
function png(): Promise<Buffer> {
  return QRCode.toBuffer(randomBytes(16).toString('hex'), { type: 'png', width: 64 });
}

describe('shop bot end to end (fake Bot API, real API, database, worker jobs and panel simulator)', () => {
  let w: World;
  let fake: FakeTelegram;
  let h: ShopHarness;

  beforeAll(async () => {
    w = await startWorld({ plan: { price: 150_000, titleFa: 'یک ماهه <ویژه>', titleEn: '1 month <special>' } });
    fake = await startFakeTelegram({ tokens: [TOKEN] });
    // The worker's notifications go out with the shop bot's token to the same fake.
    (w.t.services as { telegram: unknown }).telegram = createTelegramSender({ apiRoot: fake.apiRoot, tokens: { USER_BOT: TOKEN } });
    h = await startShopHarness({ fake, orm: w.t.orm, apiUrl: w.t.url, apiKey: w.userBotKey, token: TOKEN });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
    await w.close();
  });

  const count = async () => {
    const em = w.t.orm.em.fork();
    return { orders: await em.count(Order), payments: await em.count(Payment), receipts: await em.count(Receipt), subs: await em.count(Subscription) };
  };

  async function persianUser(): Promise<number> {
    const user = randomTelegramId();
    await h.send(user, '/start');
    await h.press(user, encodeCallback('shopLanguage', 'fa'));
    return user;
  }

  it('sells in Persian: /start → language → Buy → plan → card to card → receipt photo → approval → links, URL and QR; one panel client', async () => {
    const user = await persianUser();
    const list = await h.send(user, '🛒 خرید اشتراک');
    const planMsg = list[list.length - 1];
    expect(planMsg.text).toContain('یک پلن انتخاب کنید');
    expect(planMsg.buttons[0][0].text).toContain('یک ماهه <ویژه>');
    expect(planMsg.buttons[0][0].text).toContain('۱۵۰٬۰۰۰ تومان');
    const detail = await h.press(user, encodeCallback('shopPlan', w.plan.id), planMsg);
    expect(detail[detail.length - 1].text).toContain('یک ماهه <ویژه>');
    expect(detail[detail.length - 1].source).toContain('یک ماهه &lt;ویژه&gt;');
    const summary = await h.press(user, encodeCallback('shopFlow', 'skip'));
    const sum = summary[summary.length - 1];
    expect(sum.text).toContain('مبلغ قابل پرداخت: ۱۵۰٬۰۰۰ تومان');
    expect(sum.buttons.flat().map((b) => b.callback_data)).not.toContain(encodeCallback('shopFlow', 'wallet'));
    const card = await h.press(user, encodeCallback('shopFlow', 'card'));
    const instructions = card[card.length - 1];
    const payment = await w.t.orm.em.fork().findOneOrFail(Payment, { order: { customer: { telegramId: user } } });
    expect(instructions.text).toContain('6037');
    expect(instructions.source).toContain(`<code>${payment.payableAmount}</code>`);
    const prompt = await h.press(user, encodeCallback('shopFlow', 'paid'));
    expect(prompt[prompt.length - 1].text).toContain('عکس رسید');
    const done = await h.photo(user, await png(), 'TRK12345');
    expect(done[done.length - 1].text).toContain('دریافت شد');
    const submitted = await w.t.orm.em.fork().findOneOrFail(Payment, { id: payment.id });
    expect(submitted.status).toBe('SUBMITTED');
    expect(submitted.trackingCode).toBe('TRK12345');

    const approve = await w.asAdmin('mutation($id: ID!) { approvePayment(paymentId: $id) { status } }', { id: payment.id });
    expect(approve.errors).toBeUndefined();
    await drainJobs(w.t.orm, w.t.services);
    const inbox = h.inbox(user);
    const qr = inbox.find((m) => m.kind === 'photo');
    expect(qr).toBeDefined();
    const sub = await w.t.orm.em.fork().findOneOrFail(Subscription, { customer: { telegramId: user } });
    const all = inbox.map((m) => m.text).join('\n');
    expect(all).toContain(`/sub/${sub.subToken}`);
    expect(all).toMatch(/vless:\/\//);
    expect(w.sim.state().clients.filter((c) => c.name === sub.panelName)).toHaveLength(1);

    // My subscriptions → detail with the URL in <code>, a usage bar and a QR photo.
    const subs = await h.send(user, '📦 اشتراک‌های من');
    const open = await h.press(user, buttonData(subs[subs.length - 1], /یک ماهه/));
    const detailMsg = open.find((m) => m.kind === 'text')!;
    expect(detailMsg.source).toContain(`/sub/${sub.subToken}</code>`);
    expect(detailMsg.text).toMatch(/[▰▱]|—/);
    expect(detailMsg.text).toContain('🟢 فعال');
    expect(open.some((m) => m.kind === 'photo')).toBe(true);
  });

  it('refuses an invalid discount code with its reason, then applies a valid one', async () => {
    const user = await persianUser();
    await w.asAdmin('mutation { createDiscountCode(input: { code: "OFF20", percent: 20 }) { id } }');
    await h.send(user, '/buy');
    await h.press(user, encodeCallback('shopPlan', w.plan.id));
    const bad = await h.send(user, 'NOPE');
    expect(bad[bad.length - 1].text).toContain('کد تخفیف معتبر نیست');
    const good = await h.send(user, 'off20');
    expect(good.map((m) => m.text).join('\n')).toContain('مبلغ قابل پرداخت: ۱۲۰٬۰۰۰ تومان');
  });

  it('gives the free trial once and refuses the second time from the API error code', async () => {
    const user = await persianUser();
    const trialPlan = await buildPlan(w.t.orm, { isTrial: true, price: 0, serverGroup: w.plan.serverGroup, trafficBytes: 1e9, durationDays: 1 });
    await w.t.orm.em.fork().transactional((em) => updateSetting(em, 'trial_plan_code', trialPlan.code));
    const before = await count();
    const first = await h.send(user, '🎁 اکانت تست');
    expect(first[first.length - 1].text).toContain('اکانت تست شما در حال آماده‌سازی است');
    const second = await h.send(user, '🎁 اکانت تست');
    expect(second[second.length - 1].text).toBe('شما قبلاً از اشتراک تست رایگان استفاده کرده‌اید.');
    expect((await count()).orders).toBe(before.orders + 1);
  });

  it('accepts the receipt photo after a bot restart between "I have paid" and the photo', async () => {
    const user = await persianUser();
    await h.send(user, '/buy');
    await h.press(user, encodeCallback('shopPlan', w.plan.id));
    await h.press(user, encodeCallback('shopFlow', 'skip'));
    await h.press(user, encodeCallback('shopFlow', 'card'));
    await h.press(user, encodeCallback('shopFlow', 'paid'));
    await h.restart();
    const done = await h.photo(user, await png());
    expect(done[done.length - 1].text).toContain('دریافت شد');
    const p = await w.t.orm.em.fork().findOneOrFail(Payment, { order: { customer: { telegramId: user } } });
    expect(p.status).toBe('SUBMITTED');
  });

  it('at the receipt step answers a text and a document with hints, takes one photo, and refuses a second receipt', async () => {
    const user = await persianUser();
    await h.send(user, '/buy');
    await h.press(user, encodeCallback('shopPlan', w.plan.id));
    await h.press(user, encodeCallback('shopFlow', 'skip'));
    await h.press(user, encodeCallback('shopFlow', 'card'));
    await h.press(user, encodeCallback('shopFlow', 'paid'));
    const before = await count();
    const text = await h.send(user, 'واریز کردم');
    expect(text[text.length - 1].text).toContain('لطفاً رسید را به صورت عکس بفرستید');
    const doc = await h.raw(user, { document: { file_id: 'doc', file_unique_id: 'docu', file_name: 'receipt.pdf', mime_type: 'application/pdf' } });
    expect(doc[doc.length - 1].text).toContain('این یک فایل است');
    expect(await count()).toEqual(before);
    const ok = await h.photo(user, await png());
    expect(ok[ok.length - 1].text).toContain('دریافت شد');
    const again = await h.photo(user, await png());
    expect(again[again.length - 1].text).toContain('دیگر منتظر پرداخت نیست');
    expect(await count()).toEqual({ ...before, receipts: before.receipts + 1 });
  });

  it('opens a plan from a /start deep link after the language choice, and records a referral code', async () => {
    const referrer = await persianUser();
    const code = (await w.asUser<{ myCustomer: { referralCode: string } }>(referrer, '{ myCustomer { referralCode } }')).data!.myCustomer.referralCode;
    const referred = randomTelegramId();
    await h.send(referred, `/start ${code}`);
    const row = await w.t.orm.em.fork().getConnection().execute(`select r.telegram_id as ref from customer c join customer r on r.id = c.referred_by_id where c.telegram_id = ?`, [referred]);
    expect((row as Array<{ ref: unknown }>).map((r) => Number(r.ref))).toEqual([referrer]);
    const user = randomTelegramId();
    await h.send(user, `/start p_${w.plan.code}`);
    const opened = await h.press(user, encodeCallback('shopLanguage', 'en'));
    expect(opened[opened.length - 1].text).toContain('Do you have a discount code?');
  });

  it('answers garbage at every step and changes nothing', async () => {
    const user = await persianUser();
    const before = await count();
    await h.send(user, 'سلام');
    await h.raw(user, { sticker: { file_id: 'x', file_unique_id: 'y', width: 1, height: 1, is_animated: false, is_video: false, type: 'regular' } });
    await h.send(user, '/buy');
    await h.raw(user, { sticker: { file_id: 'x', file_unique_id: 'y', width: 1, height: 1, is_animated: false, is_video: false, type: 'regular' } });
    await h.press(user, encodeCallback('shopPlan', w.plan.id));
    const sticker = await h.raw(user, { sticker: { file_id: 'x', file_unique_id: 'y', width: 1, height: 1, is_animated: false, is_video: false, type: 'regular' } });
    expect(sticker[sticker.length - 1].text).toContain('کد تخفیف را به صورت متن');
    await h.press(user, encodeCallback('shopFlow', 'skip'));
    const words = await h.send(user, 'blah');
    expect(words[words.length - 1].text).toContain('از دکمه‌های آخرین پیام');
    const cancel = await h.send(user, '/cancel');
    expect(cancel[cancel.length - 1].text).toContain('لغو شد');
    const stale = await h.press(user, encodeCallback('shopFlow', 'card'));
    expect(stale).toBeDefined();
    expect(await count()).toEqual(before);
    expect(fake.calls.filter((c) => c.token === TOKEN && c.status !== 200 && c.method !== 'getUpdates')).toEqual([]);
  });
});
