import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { OutgoingMessage } from '../../src/clients/telegram.types';
import { Admin } from '../../src/entities/admin.entity';
import { AdminRole } from '../../src/entities/common';
import { Customer, Language } from '../../src/entities/customer.entity';
import { Notification, NotificationChannel } from '../../src/entities/notification.entity';
import { Order, OrderKind, OrderStatus, PaymentMethod } from '../../src/entities/order.entity';
import { Payment, PaymentStatus } from '../../src/entities/payment.entity';
import { Plan } from '../../src/entities/plan.entity';
import { Receipt } from '../../src/entities/receipt.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import {
  escapeHtml,
  formatBytes,
  formatDate,
  formatMoney,
  telegramTextLength,
} from '../../src/services/format';
import { CHANNEL_OF, type NotificationKind, type NotificationParams } from '../../src/notifications/notification.queue';
import { NotificationRenderError, recipientLanguage, renderNotification } from '../../src/notifications/notification.render';
import { buildCustomer, buildPlan } from '../factories/commerce';
import { openTestOrm } from '../helpers/db';
import { randomTelegramId } from '../helpers/ids';

const GB = 1024 ** 3;
const PUBLIC_URL = 'https://vpn.example.com';
/** 2025-04-03 15:30 in Tehran = 14 Farvardin 1404. */
const APPROVED_AT = new Date('2025-04-03T12:00:00Z');
const NOW = new Date('2025-04-05T12:00:00Z');
/** A 1×1 PNG. */
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

async function nextOrderNumber(em: EntityManager): Promise<number> {
  const rows = await em.execute<Array<{ n: string }>>(`select nextval('order_number_seq')::text as n`);
  return Number(rows[0].n);
}

interface Fixture {
  fa: Customer;
  en: Customer;
  plan: Plan;
  order: Order;
  payment: Payment;
  receiptPayment: Payment;
  receipt: Receipt;
  sub: Subscription;
  manyLinksSub: Subscription;
  renewOrder: Order;
}

async function buildFixture(orm: MikroORM): Promise<Fixture> {
  const fa = await buildCustomer(orm, { language: Language.FA, displayName: 'علی <b>' });
  const en = await buildCustomer(orm, { language: Language.EN, displayName: 'Sam & Co', username: 'sam_co' });
  const plan = await buildPlan(orm, { titleFa: 'پلن یک ماهه ۵۰ گیگ', titleEn: 'One month 50 GB', price: 1_250_000, trafficBytes: 50 * GB });
  const em = orm.em.fork();
  const order = em.create(Order, {
    number: await nextOrderNumber(em),
    customer: em.getReference(Customer, en.id),
    plan: em.getReference(Plan, plan.id),
    kind: OrderKind.NEW,
    status: OrderStatus.PAID,
    paymentMethod: PaymentMethod.CARD_TO_CARD,
    price: 1_250_000,
    discount: 100_000,
    amountDue: 1_150_000,
    principal: `tg:${en.telegramId}`,
    idempotencyKey: randomUUID(),
    paidAt: APPROVED_AT,
  });
  const payment = em.create(Payment, {
    order,
    method: PaymentMethod.CARD_TO_CARD,
    amount: 1_150_000,
    payableAmount: 1_150_370,
    status: PaymentStatus.APPROVED,
    trackingCode: `TR-${randomUUID().slice(0, 8)}`,
    reviewedAt: APPROVED_AT,
  });
  const receipt = em.create(Receipt, {
    customer: em.getReference(Customer, fa.id),
    contentHash: createHash('sha256').update(randomBytes(16)).digest('hex'),
    mimeType: 'image/png',
    size: PNG_1X1.length,
    data: PNG_1X1,
  });
  const receiptOrder = em.create(Order, {
    number: await nextOrderNumber(em),
    customer: em.getReference(Customer, fa.id),
    plan: em.getReference(Plan, plan.id),
    kind: OrderKind.NEW,
    paymentMethod: PaymentMethod.CARD_TO_CARD,
    price: 1_250_000,
    amountDue: 1_250_000,
    principal: `tg:${fa.telegramId}`,
    idempotencyKey: randomUUID(),
  });
  const receiptPayment = em.create(Payment, {
    order: receiptOrder,
    method: PaymentMethod.CARD_TO_CARD,
    amount: 1_250_000,
    payableAmount: 1_000_000_000 + randomInt(0, 1_000_000_000),
    status: PaymentStatus.SUBMITTED,
    receipt,
    submittedAt: APPROVED_AT,
  });
  const links = ['vless://11111111-2222-3333-4444-555555555555@host.example.com:443?type=tcp&security=reality&sni=a.example.com#sub-1'];
  const sub = em.create(Subscription, {
    customer: em.getReference(Customer, en.id),
    plan: em.getReference(Plan, plan.id),
    panelName: `sub-${randomUUID().slice(0, 12)}`,
    status: SubscriptionStatus.ACTIVE,
    trafficLimitBytes: 50 * GB,
    usedUpBytes: 10 * GB,
    usedDownBytes: 30 * GB,
    deviceLimit: 2,
    expiresAt: new Date('2025-05-03T12:00:00Z'),
    links,
  });
  // 40 links of ~400 characters cannot all fit in 4096 characters.
  const longLinks = Array.from({ length: 40 }, (_, i) => `vless://${randomUUID()}@h${i}.example.com:443?${'x=y&'.repeat(80)}#n${i}`);
  const manyLinksSub = em.create(Subscription, {
    customer: em.getReference(Customer, fa.id),
    plan: em.getReference(Plan, plan.id),
    panelName: `sub-${randomUUID().slice(0, 12)}`,
    status: SubscriptionStatus.ACTIVE,
    trafficLimitBytes: 0,
    expiresAt: new Date('2025-05-03T12:00:00Z'),
    links: longLinks,
  });
  const renewOrder = em.create(Order, {
    number: await nextOrderNumber(em),
    customer: em.getReference(Customer, en.id),
    plan: em.getReference(Plan, plan.id),
    kind: OrderKind.RENEW,
    subscription: sub,
    status: OrderStatus.FULFILLED,
    paymentMethod: PaymentMethod.WALLET,
    price: 1_250_000,
    amountDue: 1_250_000,
    principal: `tg:${en.telegramId}`,
    idempotencyKey: randomUUID(),
  });
  await em.flush();
  return { fa, en, plan, order, payment, receiptPayment, receipt, sub, manyLinksSub, renewOrder };
}

/** An outbox row that is not persisted (rendering only reads it). */
function notification<K extends NotificationKind>(kind: K, params: NotificationParams[K], telegramId: number = randomTelegramId()): Notification {
  return Object.assign(new Notification(), { channel: CHANNEL_OF[kind], recipientTelegramId: telegramId, kind, params });
}

describe('notification rendering', () => {
  let orm: MikroORM;
  let f: Fixture;
  let samples: Array<{ [K in NotificationKind]: { kind: K; params: NotificationParams[K] } }[NotificationKind]>;

  beforeAll(async () => {
    orm = await openTestOrm(3);
    f = await buildFixture(orm);
    samples = [
      { kind: 'PAYMENT_APPROVED', params: { orderId: f.order.id, orderNumber: f.order.number, amount: 1_150_000 } },
      { kind: 'PAYMENT_REJECTED', params: { orderId: f.order.id, orderNumber: f.order.number, reason: 'Amount does not match' } },
      { kind: 'PAYMENT_EXPIRED', params: { orderId: f.order.id, orderNumber: f.order.number } },
      { kind: 'CONFIG_READY', params: { subscriptionId: f.sub.id } },
      { kind: 'SUBSCRIPTION_UPDATED', params: { subscriptionId: f.sub.id, orderNumber: f.renewOrder.number } },
      { kind: 'PROVISIONING_FAILED', params: { orderId: f.order.id, orderNumber: f.order.number, refunded: 1_150_000 } },
      { kind: 'WALLET_CREDITED', params: { orderId: f.order.id, orderNumber: f.order.number, amount: 500_000 } },
      {
        kind: 'ADMIN_NEW_RECEIPT',
        params: {
          paymentId: f.receiptPayment.id,
          orderNumber: f.receiptPayment.order.number,
          receiptId: f.receipt.id,
          payableAmount: f.receiptPayment.payableAmount!,
          trackingCode: '12345678',
          customerLabel: 'Ali <@ali>',
        },
      },
      { kind: 'ADMIN_ALERT', params: { code: 'NO_CAPACITY', facts: { plan: 'basic', group: '<default>' }, orderNumber: f.order.number, serverName: 'de-1' } },
      { kind: 'USAGE_WARNING', params: { subscriptionId: f.sub.id, percent: 80 } },
      { kind: 'EXPIRY_WARNING', params: { subscriptionId: f.sub.id, hoursLeft: 72 } },
      { kind: 'SUBSCRIPTION_ENDED', params: { subscriptionId: f.sub.id, reason: 'EXPIRED' } },
      { kind: 'TICKET_REPLY', params: { ticketId: randomUUID(), subject: 'Slow <b>', body: 'Use the "other" config & update' } },
      { kind: 'ADMIN_TICKET_MESSAGE', params: { ticketId: randomUUID(), subject: 'Help', customerLabel: 'Ali <@ali>', body: 'It <does> not connect', isNew: true } },
      { kind: 'CUSTOMER_MESSAGE', params: { text: 'Hello <there> & welcome' } },
    ];
  });
  afterAll(async () => {
    await orm.close(true);
  });

  const render = (n: Notification, lang: Language) => renderNotification(orm.em.fork(), n, lang, { publicUrl: PUBLIC_URL, now: NOW });

  it('renders an alert in one language from its facts, and an old row from its stored text', async () => {
    const alert = notification('ADMIN_ALERT', { code: 'NO_CAPACITY', facts: { plan: 'basic', group: '<default>' } });
    const fa = (await render(alert, Language.FA)).html;
    expect(fa).toContain('هیچ سروری برای پلن <code>basic</code> (گروه <code>&lt;default&gt;</code>) جا ندارد.');
    expect(fa).not.toContain('No server');
    expect((await render(alert, Language.EN)).html).toContain('No server can host plan basic (group &lt;default&gt;).');
    const old = notification('ADMIN_ALERT', { code: 'NO_CAPACITY', message: 'No server has room in group <default>' });
    expect((await render(old, Language.FA)).html).toContain('No server has room in group &lt;default&gt;');
  });

  it('has a sample for every notification kind', () => {
    expect(samples.map((s) => s.kind).sort()).toEqual(Object.keys(CHANNEL_OF).sort());
  });

  for (const lang of [Language.FA, Language.EN]) {
    it(`renders every kind in ${lang} within Telegram's limits, with callback data of at most 64 bytes`, async () => {
      for (const s of samples) {
        const msg: OutgoingMessage = await render(notification(s.kind, s.params as never), lang);
        const length = telegramTextLength(msg.html);
        expect({ kind: s.kind, ok: length > 0 && length <= 4096 }).toEqual({ kind: s.kind, ok: true });
        expect(msg.html).not.toMatch(/<(?!\/?(b|i|u|s|code|pre|a|blockquote)\b)[^>]*>/);
        for (const row of msg.buttons ?? []) {
          for (const b of row) if ('callbackData' in b) expect(Buffer.byteLength(b.callbackData)).toBeLessThanOrEqual(64);
        }
        // Persian texts use Persian digits for amounts; English ones Latin digits and separators.
        if (lang === Language.FA) expect(msg.html).toMatch(/[\u0600-\u06FF]/);
        else expect(msg.html).not.toMatch(/[\u0600-\u06FF]{3}/);
      }
    });
  }

  it('renders the invoice in Persian with the Jalali date, Persian digits and separators', async () => {
    const msg = await render(notification('PAYMENT_APPROVED', { orderId: f.order.id, orderNumber: f.order.number, amount: 1_150_000 }), Language.FA);
    expect(msg.html).toContain('پرداخت شما تایید شد');
    expect(msg.html).toContain('۱۴ فروردین ۱۴۰۴');
    expect(msg.html).toContain('۱٬۲۵۰٬۰۰۰ تومان');
    expect(msg.html).toContain('۱۰۰٬۰۰۰ تومان');
    expect(msg.html).toContain('۱٬۱۵۰٬۰۰۰ تومان');
    expect(msg.html).toContain('۱٬۱۵۰٬۳۷۰ تومان');
    expect(msg.html).toContain('کارت به کارت');
    expect(msg.html).toContain(`<code>${f.payment.trackingCode}</code>`);
    expect(msg.html).toContain('Sam &amp; Co @sam_co');
    expect(msg.html).toContain('پلن یک ماهه ۵۰ گیگ');
  });

  it('renders the invoice in English with the Gregorian date and comma separators', async () => {
    const msg = await render(notification('PAYMENT_APPROVED', { orderId: f.order.id, orderNumber: f.order.number, amount: 1_150_000 }), Language.EN);
    expect(msg.html).toContain(`Invoice No. #${f.order.number}`);
    expect(msg.html).toContain('Apr 3, 2025');
    expect(msg.html).toContain('Price: 1,250,000 Toman');
    expect(msg.html).toContain('Discount: 100,000 Toman');
    expect(msg.html).toContain('Amount paid: <b>1,150,000 Toman</b>');
    expect(msg.html).toContain('Amount transferred: 1,150,370 Toman');
    expect(msg.html).toContain('Card to card');
    expect(msg.html).toContain('One month 50 GB');
  });

  it('escapes user text: a <script> in a reject reason becomes text', async () => {
    const msg = await render(
      notification('PAYMENT_REJECTED', { orderId: f.order.id, orderNumber: f.order.number, reason: '<script>alert("x")</script> & more' }),
      Language.EN,
    );
    expect(msg.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(msg.html).not.toContain('<script>');
  });

  it('puts the subscription URL first and every link in a code block', async () => {
    const msg = await render(notification('CONFIG_READY', { subscriptionId: f.sub.id }), Language.EN);
    const subUrl = `<code>${PUBLIC_URL}/sub/${f.sub.subToken}</code>`;
    const link = `<code>${escapeHtml(f.sub.links[0])}</code>`;
    expect(msg.html).toContain(subUrl);
    expect(msg.html).toContain(link);
    expect(msg.html.indexOf(subUrl)).toBeLessThan(msg.html.indexOf(link));
    expect(msg.html).toContain('Traffic: 50 GB');
    expect(msg.html).toContain('Used: 40 GB');
    expect(msg.html).toContain('Left: 10 GB');
    expect(msg.html).toContain('Expires: May 3, 2025 (28 days left)');
  });

  it('shortens a long link list to fit one message and says how many were left out', async () => {
    const msg = await render(notification('CONFIG_READY', { subscriptionId: f.manyLinksSub.id }), Language.FA);
    expect(telegramTextLength(msg.html)).toBeLessThanOrEqual(4096);
    const shown = (msg.html.match(/<code>vless:\/\//g) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(40);
    expect(msg.html).toContain(`و ${(40 - shown).toLocaleString('fa-IR')} کانفیگ دیگر`);
    expect(msg.html.indexOf(`/sub/${f.manyLinksSub.subToken}`)).toBeLessThan(msg.html.indexOf('vless://'));
    expect(msg.html).toContain('حجم: نامحدود');
  });

  it('renders a new receipt for admins as a photo with Approve and Reject buttons', async () => {
    const msg = await render(notification('ADMIN_NEW_RECEIPT', samples[7].params as NotificationParams['ADMIN_NEW_RECEIPT']), Language.FA);
    expect(msg.photo?.bytes.equals(PNG_1X1)).toBe(true);
    expect(msg.photo?.filename).toMatch(/\.png$/);
    expect(msg.buttons).toEqual([
      [
        { text: '✅ تایید', callbackData: `pay:ok:${f.receiptPayment.id}` },
        { text: '❌ رد', callbackData: `pay:no:${f.receiptPayment.id}` },
      ],
    ]);
    expect(msg.html).toContain('درخواست پرداخت جدید');
    expect(msg.html).toContain('Ali &lt;@ali&gt;');
    expect(telegramTextLength(msg.html)).toBeLessThanOrEqual(1024);
  });

  it('renders a receipt without an image as text, still with the buttons', async () => {
    const params = { ...(samples[7].params as NotificationParams['ADMIN_NEW_RECEIPT']), receiptId: null };
    const msg = await render(notification('ADMIN_NEW_RECEIPT', params), Language.FA);
    expect(msg.photo).toBeUndefined();
    expect(msg.html).toContain('تصویر رسید پیوست نیست');
    expect(msg.buttons?.[0]).toHaveLength(2);
  });

  it('names the order kind of an applied renewal', async () => {
    const msg = await render(notification('SUBSCRIPTION_UPDATED', { subscriptionId: f.sub.id, orderNumber: f.renewOrder.number }), Language.EN);
    expect(msg.html).toContain('Your subscription was renewed.');
    expect(msg.html).toContain(`${PUBLIC_URL}/sub/${f.sub.subToken}`);
  });

  it('renders usage, expiry and end-of-subscription warnings in Persian', async () => {
    const usage = await render(notification('USAGE_WARNING', { subscriptionId: f.sub.id, percent: 80 }), Language.FA);
    expect(usage.html).toContain('۸۰٪ از حجم اشتراک شما مصرف شده است');
    const depleted = await render(notification('USAGE_WARNING', { subscriptionId: f.sub.id, percent: 100 }), Language.FA);
    expect(depleted.html).toContain('حجم اشتراک شما تمام شد');
    const expiry = await render(notification('EXPIRY_WARNING', { subscriptionId: f.sub.id, hoursLeft: 24 }), Language.FA);
    expect(expiry.html).toContain('۲۴ ساعت دیگر منقضی می‌شود');
    const ended = await render(notification('SUBSCRIPTION_ENDED', { subscriptionId: f.sub.id, reason: 'DEPLETED' }), Language.EN);
    expect(ended.html).toContain('used all its traffic');
  });

  it('refuses rows that can never be rendered with NotificationRenderError', async () => {
    await expect(render(notification('CONFIG_READY', { subscriptionId: randomUUID() }), Language.FA)).rejects.toBeInstanceOf(NotificationRenderError);
    const unknown = Object.assign(new Notification(), { channel: NotificationChannel.USER_BOT, recipientTelegramId: 1, kind: 'NOPE', params: {} });
    await expect(render(unknown, Language.FA)).rejects.toThrow('Unknown notification kind');
    const invalid = notification('PAYMENT_REJECTED', { orderId: f.order.id } as never);
    await expect(render(invalid, Language.FA)).rejects.toThrow(/Invalid params for PAYMENT_REJECTED/);
  });

  it("picks the customer's language for customer messages and Persian for admins", async () => {
    const em = orm.em.fork();
    expect(await recipientLanguage(em, notification('CONFIG_READY', { subscriptionId: f.sub.id }, f.en.telegramId!))).toBe(Language.EN);
    expect(await recipientLanguage(em, notification('CONFIG_READY', { subscriptionId: f.sub.id }, f.fa.telegramId!))).toBe(Language.FA);
    expect(await recipientLanguage(em, notification('CONFIG_READY', { subscriptionId: f.sub.id }, randomTelegramId()))).toBe(Language.FA);
    const admin = em.create(Admin, { telegramId: f.en.telegramId!, role: AdminRole.ADMIN });
    expect(await recipientLanguage(em, notification('ADMIN_ALERT', { code: 'X', message: 'y' }, admin.telegramId))).toBe(Language.FA);
  });
});

describe('format', () => {
  it('formats money as integer Toman with separators', () => {
    expect(formatMoney(1_250_000, Language.FA)).toBe('۱٬۲۵۰٬۰۰۰ تومان');
    expect(formatMoney(1_250_000, Language.EN)).toBe('1,250,000 Toman');
    expect(formatMoney(0, Language.EN)).toBe('0 Toman');
  });

  it('formats traffic in GB or MB, and 0 as unlimited', () => {
    expect(formatBytes(0, Language.FA)).toBe('نامحدود');
    expect(formatBytes(0, Language.EN)).toBe('Unlimited');
    expect(formatBytes(50 * GB, Language.EN)).toBe('50 GB');
    expect(formatBytes(1.5 * GB, Language.FA)).toBe('۱٫۵ گیگابایت');
    expect(formatBytes(500 * 1024 ** 2, Language.EN)).toBe('500 MB');
  });

  it('formats dates in the Jalali calendar for Persian and the Gregorian one for English, in Tehran time', () => {
    expect(formatDate(new Date('2025-03-20T21:00:00Z'), Language.FA)).toBe('۱ فروردین ۱۴۰۴');
    expect(formatDate(new Date('2025-03-20T21:00:00Z'), Language.EN)).toBe('Mar 21, 2025');
  });

  it('escapes the characters Telegram HTML reserves', () => {
    expect(escapeHtml(`<a href="x">&</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });
});
