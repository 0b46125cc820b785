import type { MikroORM } from '@mikro-orm/postgresql';
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createTelegramSender } from '../../src/clients/telegram.client';
import type { TelegramSender } from '../../src/clients/telegram.types';
import { Customer, Language } from '../../src/entities/customer.entity';
import { Notification, NotificationStatus } from '../../src/entities/notification.entity';
import { Order, OrderKind, PaymentMethod } from '../../src/entities/order.entity';
import { Payment, PaymentStatus } from '../../src/entities/payment.entity';
import { Plan } from '../../src/entities/plan.entity';
import { Receipt } from '../../src/entities/receipt.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import sendNotification from '../../src/jobs/send_notification';
import { createLogger } from '../../src/logger';
import { resumeWaitingNotifications } from '../../src/notifications/notification.delivery';
import type { AppServices } from '../../src/services/app-services';
import { CHANNEL_OF, type NotificationKind, type NotificationParams } from '../../src/notifications/notification.queue';
import { buildCustomer, buildPlan } from '../factories/commerce';
import { openTestOrm } from '../helpers/db';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram';
import { randomTelegramId } from '../helpers/ids';
import { queuedJobs, runJob } from '../helpers/jobs';
import { testServices } from '../helpers/services';

// Shaped like bot tokens but never matching a real token's pattern (secrets scan).
const USER_TOKEN = '101:user-bot-token-for-tests';
const ADMIN_TOKEN = '202:admin-bot-token-for-tests';
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JOBS = [sendNotification];

describe('send_notification', () => {
  let orm: MikroORM;
  let fake: FakeTelegram;
  let services: AppServices;
  let plan: Plan;

  beforeAll(async () => {
    orm = await openTestOrm(4);
    fake = await startFakeTelegram({ tokens: [USER_TOKEN, ADMIN_TOKEN] });
    services = testServices(orm, { telegram: senderFor(fake, { USER_BOT: USER_TOKEN, ADMIN_BOT: ADMIN_TOKEN }) });
    plan = await buildPlan(orm);
  });
  afterAll(async () => {
    await fake.close();
    await orm.close(true);
  });

  function senderFor(f: FakeTelegram, tokens: { USER_BOT?: string; ADMIN_BOT?: string }): TelegramSender {
    return createTelegramSender({ apiRoot: f.apiRoot, tokens, timeoutSeconds: 5 });
  }

  async function queue<K extends NotificationKind>(kind: K, telegramId: number, params: NotificationParams[K]): Promise<Notification> {
    const em = orm.em.fork();
    const n = em.create(Notification, { channel: CHANNEL_OF[kind], recipientTelegramId: telegramId, kind, params: params as unknown as Record<string, unknown> });
    await em.flush();
    return n;
  }

  /** Runs the task as graphile-worker would; `attempt` is graphile's attempt number (1-based). */
  function run(n: Notification, opts: { attempt?: number; maxAttempts?: number; services?: AppServices } = {}): Promise<unknown> {
    const attempt = opts.attempt ?? 1;
    const job = { id: String(randomInt(1, 2 ** 40)), task: 'send_notification', payload: { notificationId: n.id }, attempts: attempt - 1, maxAttempts: opts.maxAttempts ?? 10 };
    return runJob(orm, opts.services ?? services, job, JOBS);
  }

  const reload = (n: Notification) => orm.em.fork().findOneOrFail(Notification, n.id);
  const sendCalls = (chatId: number) => fake.calls.filter((c) => /^send(Message|Photo)$/.test(c.method) && String(c.payload.chat_id) === String(chatId));

  async function subscriptionFor(customer: Customer): Promise<Subscription> {
    const em = orm.em.fork();
    const sub = em.create(Subscription, {
      customer: em.getReference(Customer, customer.id),
      plan: em.getReference(Plan, plan.id),
      panelName: `sub-${randomUUID().slice(0, 12)}`,
      status: SubscriptionStatus.ACTIVE,
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
      links: ['vless://abc@h.example.com:443?type=tcp&security=none#a'],
    });
    await em.flush();
    return sub;
  }

  it('sends the message once when the job runs twice', async () => {
    const customer = await buildCustomer(orm, { language: Language.EN });
    const sub = await subscriptionFor(customer);
    const n = await queue('CONFIG_READY', customer.telegramId!, { subscriptionId: sub.id });

    expect(await run(n)).toBeUndefined();
    expect(await run(n)).toBeUndefined();

    const sent = fake.sentTo(customer.telegramId!);
    expect(sent).toHaveLength(1);
    expect(sent[0].token).toBe(USER_TOKEN);
    expect(sent[0].text).toContain('Your subscription is ready!');
    expect(sent[0].text).toContain(`/sub/${sub.subToken}`);
    expect(sent[0].entities.some((e) => e.type === 'code')).toBe(true);
    const row = await reload(n);
    expect(row).toMatchObject({ status: NotificationStatus.SENT, attempts: 1, lastError: null });
    expect(row.sentAt).toBeInstanceOf(Date);
  });

  it('sends once when two runs of the job overlap', async () => {
    const customer = await buildCustomer(orm);
    const n = await queue('PAYMENT_EXPIRED', customer.telegramId!, { orderId: randomUUID(), orderNumber: 77 });

    const results = await Promise.all([run(n), run(n)]);

    expect(results).toEqual([undefined, undefined]);
    expect(fake.sentTo(customer.telegramId!)).toHaveLength(1);
    expect(await reload(n)).toMatchObject({ status: NotificationStatus.SENT, attempts: 1 });
  });

  it('waits out a short retry_after in-process, then sends once', async () => {
    const customer = await buildCustomer(orm);
    const n = await queue('WALLET_CREDITED', customer.telegramId!, { orderId: randomUUID(), orderNumber: 12, amount: 50_000 });
    fake.failNext('sendMessage', { status: 429, retryAfter: 1 }, { token: USER_TOKEN });

    const started = Date.now();
    expect(await run(n)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await run(n)).toBeUndefined();

    expect(sendCalls(customer.telegramId!).map((c) => c.status)).toEqual([429, 200]);
    expect(fake.sentTo(customer.telegramId!)).toHaveLength(1);
    expect(await reload(n)).toMatchObject({ status: NotificationStatus.SENT, attempts: 1 });
  });

  it('reschedules a long retry_after as a new job at now + retry_after and keeps the row PENDING', async () => {
    const customer = await buildCustomer(orm);
    const n = await queue('WALLET_CREDITED', customer.telegramId!, { orderId: randomUUID(), orderNumber: 13, amount: 50_000 });
    fake.failNext('sendMessage', { status: 429, retryAfter: 120 }, { token: USER_TOKEN });

    const before = Date.now();
    expect(await run(n)).toBeUndefined();

    const row = await reload(n);
    expect(row).toMatchObject({ status: NotificationStatus.PENDING, attempts: 1 });
    expect(row.lastError).toContain('retry after 120s');
    const jobs = (await queuedJobs(orm, 'send_notification')).filter((j) => j.payload.notificationId === n.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].key).toBe(`send_notification:${n.id}:a1`);
    expect(jobs[0].runAt.getTime()).toBeGreaterThanOrEqual(before + 120_000 - 1000);
    expect(fake.sentTo(customer.telegramId!)).toHaveLength(0);

    // The rescheduled job delivers it, once.
    expect(await runJob(orm, services, jobs[0], JOBS)).toBeUndefined();
    expect(await run(n)).toBeUndefined();
    expect(fake.sentTo(customer.telegramId!)).toHaveLength(1);
    expect(await reload(n)).toMatchObject({ status: NotificationStatus.SENT, attempts: 2 });
    await orm.em.fork().getConnection().execute(`delete from graphile_worker._private_jobs where id = ?`, [jobs[0].id]);
  });

  it('marks the notification UNDELIVERABLE and the customer as having blocked the bot on 403', async () => {
    const customer = await buildCustomer(orm);
    const n = await queue('PAYMENT_EXPIRED', customer.telegramId!, { orderId: randomUUID(), orderNumber: 14 });
    fake.blockChat(customer.telegramId!, USER_TOKEN);

    expect(await run(n)).toBeUndefined();
    expect(await run(n)).toBeUndefined();

    expect(sendCalls(customer.telegramId!).map((c) => c.status)).toEqual([403]);
    const row = await reload(n);
    expect(row).toMatchObject({ status: NotificationStatus.UNDELIVERABLE, attempts: 1 });
    expect(row.lastError).toContain('bot was blocked by the user');
    const c = await orm.em.fork().findOneOrFail(Customer, customer.id);
    expect(c.botBlockedAt).toBeInstanceOf(Date);
  });

  it('never sends bad HTML: a <script> in a reject reason reaches Telegram as text', async () => {
    const customer = await buildCustomer(orm, { language: Language.EN });
    const reason = '<script>alert("pwned")</script> & <b>unclosed';
    const n = await queue('PAYMENT_REJECTED', customer.telegramId!, { orderId: randomUUID(), orderNumber: 15, reason });

    expect(await run(n)).toBeUndefined();
    expect(await run(n)).toBeUndefined();

    expect(sendCalls(customer.telegramId!).map((c) => c.status)).toEqual([200]);
    const [msg] = fake.sentTo(customer.telegramId!);
    expect(msg.text).toContain(`Reason: ${reason}`);
    expect(msg.source).toContain('&lt;script&gt;');
    expect(await reload(n)).toMatchObject({ status: NotificationStatus.SENT });
  });

  it('delivers ADMIN_NEW_RECEIPT through the admin bot as a photo with Approve and Reject buttons', async () => {
    const adminChat = randomTelegramId();
    const customer = await buildCustomer(orm);
    const em = orm.em.fork();
    const receipt = em.create(Receipt, {
      customer: em.getReference(Customer, customer.id),
      contentHash: createHash('sha256').update(randomBytes(16)).digest('hex'),
      mimeType: 'image/png',
      size: PNG_1X1.length,
      data: PNG_1X1,
    });
    const [{ n: number }] = await em.execute<Array<{ n: string }>>(`select nextval('order_number_seq')::text as n`);
    const order = em.create(Order, {
      number: Number(number),
      customer: em.getReference(Customer, customer.id),
      plan: em.getReference(Plan, plan.id),
      kind: OrderKind.NEW,
      paymentMethod: PaymentMethod.CARD_TO_CARD,
      price: 150_000,
      amountDue: 150_000,
      principal: `tg:${customer.telegramId}`,
      idempotencyKey: randomUUID(),
    });
    const payableAmount = 2_000_000_000 + randomInt(0, 100_000_000);
    const payment = em.create(Payment, { order, method: PaymentMethod.CARD_TO_CARD, amount: 150_000, payableAmount, status: PaymentStatus.SUBMITTED, receipt, submittedAt: new Date() });
    await em.flush();
    const n = await queue('ADMIN_NEW_RECEIPT', adminChat, {
      paymentId: payment.id,
      orderNumber: order.number,
      receiptId: receipt.id,
      payableAmount,
      trackingCode: null,
      customerLabel: '@buyer',
    });

    expect(await run(n)).toBeUndefined();
    expect(await run(n)).toBeUndefined();

    const sent = fake.sentTo(adminChat);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ token: ADMIN_TOKEN, kind: 'photo' });
    expect(sent[0].photo!.bytes.equals(PNG_1X1)).toBe(true);
    expect(sent[0].text).toContain('درخواست پرداخت جدید');
    expect(sent[0].buttons).toEqual([
      [
        { text: '✅ تایید', callback_data: `pay:ok:${payment.id}` },
        { text: '❌ رد', callback_data: `pay:no:${payment.id}` },
      ],
    ]);
    expect(await reload(n)).toMatchObject({ status: NotificationStatus.SENT, attempts: 1 });
  });

  it('leaves the notification waiting (PENDING, no attempt, no error) while its bot has no token, and sends it once a process with the token resumes it', async () => {
    const adminChat = randomTelegramId();
    const userOnly = testServices(orm, { telegram: senderFor(fake, { USER_BOT: USER_TOKEN }) });
    const n = await queue('ADMIN_ALERT', adminChat, { code: 'NO_CAPACITY', message: 'full' });
    const lines: Array<{ level: string; msg: string; channel?: string }> = [];
    const logger = createLogger({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c)) as (typeof lines)[number]), cb()) }));

    expect(await run(n, { services: userOnly })).toBeUndefined();
    expect(await run(n, { services: userOnly })).toBeUndefined();
    expect(await reload(n)).toMatchObject({ status: NotificationStatus.PENDING, attempts: 0, lastError: null });
    expect(fake.calls.filter((c) => String(c.payload.chat_id) === String(adminChat))).toHaveLength(0);

    // Start without the token: one warning, nothing enqueued for that bot.
    await resumeWaitingNotifications(orm.em.fork(), userOnly.telegram, logger);
    expect(lines.filter((l) => l.level === 'warn' && l.channel === 'ADMIN_BOT')).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);

    // Start with the token: the waiting row gets its delivery job and is sent once.
    expect(await resumeWaitingNotifications(orm.em.fork(), services.telegram, logger)).toBeGreaterThanOrEqual(1);
    const jobs = (await queuedJobs(orm, 'send_notification')).filter((j) => (j.payload as { notificationId: string }).notificationId === n.id);
    expect(jobs).toHaveLength(1);
    expect(await run(n)).toBeUndefined();
    expect(await run(n)).toBeUndefined();
    expect(await reload(n)).toMatchObject({ status: NotificationStatus.SENT, attempts: 1 });
    expect(sendCalls(adminChat)).toHaveLength(1);
  });

  it('throws on a 5xx so graphile-worker retries, and marks FAILED on the last attempt', async () => {
    const customer = await buildCustomer(orm);
    const n = await queue('PAYMENT_EXPIRED', customer.telegramId!, { orderId: randomUUID(), orderNumber: 16 });
    fake.failNext('sendMessage', { status: 500 }, { token: USER_TOKEN });
    fake.failNext('sendMessage', { status: 502, description: 'Bad Gateway' }, { token: USER_TOKEN });

    const err = await run(n, { attempt: 1, maxAttempts: 2 });
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toContain('500');
    expect(await reload(n)).toMatchObject({ status: NotificationStatus.PENDING, attempts: 1 });

    expect(await run(n, { attempt: 2, maxAttempts: 2 })).toBeUndefined();
    const row = await reload(n);
    expect(row).toMatchObject({ status: NotificationStatus.FAILED, attempts: 2 });
    expect(row.lastError).toContain('Bad Gateway');
    expect(await run(n, { attempt: 2, maxAttempts: 2 })).toBeUndefined();
    expect(fake.sentTo(customer.telegramId!)).toHaveLength(0);
  });

  it('keeps bot tokens out of lastError when the connection drops', async () => {
    const customer = await buildCustomer(orm);
    const n = await queue('PAYMENT_EXPIRED', customer.telegramId!, { orderId: randomUUID(), orderNumber: 17 });
    fake.failNext('sendMessage', { status: 'drop' }, { token: USER_TOKEN });

    expect(await run(n)).toBeInstanceOf(Error);
    const row = await reload(n);
    expect(row.status).toBe(NotificationStatus.PENDING);
    expect(row.lastError).toContain("Network request for 'sendMessage' failed");
    expect(row.lastError).not.toContain(USER_TOKEN);
    expect(row.lastError).not.toContain('user-bot-token');

    expect(await run(n, { attempt: 2 })).toBeUndefined();
    expect(await run(n, { attempt: 3 })).toBeUndefined();
    expect(fake.sentTo(customer.telegramId!)).toHaveLength(1);
  });

  it('sends a text too long for a caption after the photo, with the buttons on the text', async () => {
    const chat = randomTelegramId();
    const sender = senderFor(fake, { ADMIN_BOT: ADMIN_TOKEN });
    const html = `<b>long</b> ${'x'.repeat(1500)}`;
    const result = await sender.send('ADMIN_BOT', chat, { html, photo: { bytes: PNG_1X1, filename: 'r.png' }, buttons: [[{ text: 'ok', callbackData: 'pay:ok:1' }]] });

    const sent = fake.sentTo(chat);
    expect(sent.map((m) => m.kind)).toEqual(['photo', 'text']);
    expect(sent[0]).toMatchObject({ text: '', buttons: [] });
    expect(sent[1].buttons).toEqual([[{ text: 'ok', callback_data: 'pay:ok:1' }]]);
    expect(result).toEqual({ ok: true, messageId: sent[1].messageId, captioned: false });
  });

  it('marks a notification whose subscription is gone FAILED without sending', async () => {
    const customer = await buildCustomer(orm);
    const n = await queue('CONFIG_READY', customer.telegramId!, { subscriptionId: randomUUID() });

    expect(await run(n)).toBeUndefined();
    expect(await run(n)).toBeUndefined();

    const row = await reload(n);
    expect(row).toMatchObject({ status: NotificationStatus.FAILED, attempts: 1 });
    expect(row.lastError).toMatch(/^render: Subscription .* not found\.$/);
    expect(fake.sentTo(customer.telegramId!)).toHaveLength(0);
  });
});
