import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { createTelegramSender } from '../../src/clients/telegram.client';
import { Broadcast } from '../../src/entities/broadcast.entity';
import { AdminRole, Role } from '../../src/entities/common';
import { Customer } from '../../src/entities/customer.entity';
import { Notification, NotificationStatus } from '../../src/entities/notification.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { addAdmin } from '../../src/services/admin.service';
import { sendDailyReportIfDue } from '../../src/services/daily-report.service';
import { buildCustomer, buildPlan } from '../factories/commerce';
import { errorCode, makeKey } from '../helpers/api';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram';
import { randomTelegramId } from '../helpers/ids';
import { drainJobs, queuedJobs, runJob } from '../helpers/jobs';
import { CREATE_ORDER, newKey, startWorld, type World } from '../helpers/world';

const USER_TOKEN = '501:backoffice-user-bot';
const ADMIN_TOKEN = '502:backoffice-admin-bot';
/** A well-formed PNG no other test uploaded (receipts are de-duplicated by content). */
const uniquePng = (): Promise<Buffer> => QRCode.toBuffer(randomUUID(), { type: 'png', width: 64 });

describe('admin-bot API: receipts, grants, messages, broadcasts, settings', () => {
  let w: World;
  let fake: FakeTelegram;
  let botKey: string;
  const adminA = randomTelegramId();
  const adminB = randomTelegramId();
  const support = randomTelegramId();

  beforeAll(async () => {
    w = await startWorld();
    fake = await startFakeTelegram({ tokens: [USER_TOKEN, ADMIN_TOKEN] });
    Object.assign(w.t.services, { telegram: createTelegramSender({ apiRoot: fake.apiRoot, tokens: { USER_BOT: USER_TOKEN, ADMIN_BOT: ADMIN_TOKEN }, timeoutSeconds: 5 }) });
    botKey = await makeKey(w.t.orm, Role.ADMIN_BOT);
    const em = w.t.orm.em.fork();
    await addAdmin(em, { telegramId: adminA, role: AdminRole.ADMIN, displayName: 'Sara' });
    await addAdmin(em, { telegramId: adminB, role: AdminRole.ADMIN, displayName: 'Reza' });
    await addAdmin(em, { telegramId: support, role: AdminRole.SUPPORT, displayName: 'Helper' });
  });
  afterAll(async () => {
    await fake.close();
    await w.close();
  });

  const asBot = <T = Record<string, unknown>>(tg: number, query: string, variables?: Record<string, unknown>) => w.t.gql<T>(query, variables, { key: botKey, telegramId: tg });

  async function submittedReceipt(): Promise<{ tg: number; paymentId: string; orderId: string }> {
    const tg = await w.newUser();
    const order = await w.asUser<{ createOrder: { id: string; payment: { id: string } } }>(tg, CREATE_ORDER, {
      i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' },
      k: newKey(),
    });
    const bytes = await uniquePng();
    const up = await fetch(`${w.t.url}/receipts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.userBotKey}`, 'x-telegram-user-id': String(tg), 'content-type': 'image/png' },
      body: new Uint8Array(bytes),
    });
    const { receiptId } = (await up.json()) as { receiptId: string };
    const paymentId = order.data!.createOrder.payment.id;
    const sub = await w.asUser(tg, 'mutation($p: ID!, $r: ID) { submitPaymentReceipt(paymentId: $p, receiptId: $r) { status } }', { p: paymentId, r: receiptId });
    expect(sub.errors).toBeUndefined();
    return { tg, paymentId, orderId: order.data!.createOrder.id };
  }

  it('pushes a receipt photo to every active admin, then edits every copy to say who approved, and refuses a second decision naming the reviewer', async () => {
    const { tg, paymentId, orderId } = await submittedReceipt();
    await drainJobs(w.t.orm, w.t.services, { tasks: ['send_notification'] });
    for (const admin of [adminA, adminB, support]) {
      const [msg] = fake.sentTo(admin, ADMIN_TOKEN);
      expect(msg.kind).toBe('photo');
      expect(msg.text).toContain('درخواست پرداخت جدید');
      expect(msg.buttons.flat().map((b) => b.callback_data)).toEqual([`pay:ok:${paymentId}`, `pay:no:${paymentId}`]);
    }
    const rows = await w.t.orm.em.fork().find(Notification, { kind: 'ADMIN_NEW_RECEIPT', recipientTelegramId: { $in: [adminA, adminB] } });
    expect(rows.every((n) => n.status === NotificationStatus.SENT && n.telegramMessageId && n.captioned)).toBe(true);

    const ok = await asBot(adminA, 'mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: paymentId });
    expect(ok.data).toEqual({ approvePayment: { status: 'APPROVED' } });
    const again = await asBot(adminB, 'mutation($p: ID!) { approvePayment(paymentId: $p) { status } }', { p: paymentId });
    expect(errorCode(again)).toBe('PAYMENT_ALREADY_REVIEWED');
    expect(again.errors![0].extensions!.details).toMatchObject({ status: 'APPROVED', reviewedBy: 'Sara' });

    const [job] = await queuedJobs(w.t.orm, 'update_receipt_messages');
    expect(await runJob(w.t.orm, w.t.services, job)).toBeUndefined();
    expect(await runJob(w.t.orm, w.t.services, job)).toBeUndefined();
    for (const admin of [adminA, adminB, support]) {
      const [msg] = fake.sentTo(admin, ADMIN_TOKEN);
      expect(msg.text).toContain('تایید شد توسط Sara');
      expect(msg.buttons).toEqual([]);
    }
    // The approval queued the provisioning (the bot acceptance test follows it to the customer's config).
    expect((await queuedJobs(w.t.orm, 'provision_subscription')).map((j) => j.payload.orderId)).toContain(orderId);
    expect(await w.t.orm.em.fork().count(Subscription, { customer: { telegramId: tg } })).toBe(1);
  });

  it('renders a receipt in the admin’s own language once they choose English', async () => {
    const set = await asBot(adminB, 'mutation { setMyAdminLanguage(language: EN) { language role } }');
    expect(set.data).toEqual({ setMyAdminLanguage: { language: 'EN', role: 'ADMIN' } });
    const { paymentId } = await submittedReceipt();
    await drainJobs(w.t.orm, w.t.services, { tasks: ['send_notification'] });
    const msg = fake.sentTo(adminB, ADMIN_TOKEN).at(-1)!;
    expect(msg.text).toContain('New payment request');
    const no = await asBot(adminA, 'mutation($p: ID!) { rejectPayment(paymentId: $p, reason: "Amount does not match") { status } }', { p: paymentId });
    expect(no.data).toEqual({ rejectPayment: { status: 'REJECTED' } });
    await drainJobs(w.t.orm, w.t.services, { tasks: ['update_receipt_messages'] });
    expect(fake.sentTo(adminB, ADMIN_TOKEN).at(-1)!.text).toContain('Rejected by Sara');
    expect(fake.sentTo(adminB, ADMIN_TOKEN).at(-1)!.text).toContain('Amount does not match');
  });

  it('grants a plan for free once per idempotency key, for ADMIN only, never a trial plan', async () => {
    const tg = await w.newUser();
    const customer = await w.t.orm.em.fork().findOneOrFail(Customer, { telegramId: tg });
    const key = randomUUID();
    const grant = 'mutation($c: ID!, $p: ID!, $k: String!) { grantPlan(customerId: $c, planId: $p, idempotencyKey: $k) { id status amountDue payment { method } } }';
    const first = await asBot<{ grantPlan: { id: string; status: string; amountDue: number; payment: { method: string } } }>(adminA, grant, { c: customer.id, p: w.plan.id, k: key });
    expect(first.data!.grantPlan).toMatchObject({ status: 'PAID', amountDue: 0, payment: { method: 'FREE' } });
    const second = await asBot<{ grantPlan: { id: string } }>(adminA, grant, { c: customer.id, p: w.plan.id, k: key });
    expect(second.data!.grantPlan.id).toBe(first.data!.grantPlan.id);
    expect(errorCode(await asBot(support, grant, { c: customer.id, p: w.plan.id, k: randomUUID() }))).toBe('FORBIDDEN');
    const trial = await buildPlan(w.t.orm, { isTrial: true, price: 0, serverGroup: w.plan.serverGroup });
    expect(errorCode(await asBot(adminA, grant, { c: customer.id, p: trial.id, k: randomUUID() }))).toBe('PLAN_NOT_PURCHASABLE');
    await drainJobs(w.t.orm, w.t.services);
    const subs = await w.t.orm.em.fork().find(Subscription, { customer: customer.id });
    expect(subs.map((s) => s.status)).toEqual([SubscriptionStatus.ACTIVE]);
    expect(fake.sentTo(tg, USER_TOKEN).some((m) => m.kind === 'photo')).toBe(true);
  });

  it('sends a customer a message from support, escaped, through the shop bot', async () => {
    const tg = await w.newUser();
    const customer = await w.t.orm.em.fork().findOneOrFail(Customer, { telegramId: tg });
    const res = await asBot(support, 'mutation($c: ID!, $t: String!) { messageCustomer(customerId: $c, text: $t) }', { c: customer.id, t: 'Your <b> config is ready' });
    expect(res.data).toEqual({ messageCustomer: true });
    expect(errorCode(await asBot(support, 'mutation($c: ID!) { messageCustomer(customerId: $c, text: "  ") }', { c: customer.id }))).toBe('BAD_USER_INPUT');
    await drainJobs(w.t.orm, w.t.services, { tasks: ['send_notification'] });
    expect(fake.sentTo(tg, USER_TOKEN).at(-1)!.text).toContain('Your <b> config is ready');
  });

  it('sends every admin the daily report once, in the configured UTC hour only', async () => {
    const em = w.t.orm.em.fork();
    const before = (await em.getConnection().execute(`select 1 from notification where kind = 'ADMIN_ALERT' and params->>'code' = 'DAILY_REPORT'`)).length;
    expect(errorCode(await asBot(adminA, 'mutation { updateSetting(key: "daily_report_hour_utc", value: 24) { value } }'))).toBe('BAD_USER_INPUT');
    expect((await asBot(adminA, 'mutation { updateSetting(key: "daily_report_hour_utc", value: 6) { value } }')).data).toEqual({ updateSetting: { value: 6 } });
    const at = (h: number) => new Date(Date.UTC(2031, 0, 15, h, 5));
    expect(await w.t.orm.em.fork().transactional((tx) => sendDailyReportIfDue(tx, at(5)))).toBe(false);
    expect(await w.t.orm.em.fork().transactional((tx) => sendDailyReportIfDue(tx, at(6)))).toBe(true);
    expect(await w.t.orm.em.fork().transactional((tx) => sendDailyReportIfDue(tx, at(6)))).toBe(false);
    const rows = await w.t.orm.em.fork().getConnection().execute(`select recipient_telegram_id from notification where kind = 'ADMIN_ALERT' and params->>'code' = 'DAILY_REPORT'`);
    expect(rows.length - before).toBe(3);
    await drainJobs(w.t.orm, w.t.services, { tasks: ['send_notification'] });
    expect(fake.sentTo(adminA, ADMIN_TOKEN).at(-1)!.text).toContain('گزارش روزانه');
    expect(fake.sentTo(adminA, ADMIN_TOKEN).at(-1)!.text).toMatch(/درآمد امروز: .+ · ۷ روز: .+ · ۳۰ روز: /);
  });

  it('accepts only a plan marked as trial as the trial plan, with a message that says why', async () => {
    const paid = await buildPlan(w.t.orm);
    const trial = await buildPlan(w.t.orm, { isTrial: true, price: 0 });
    const set = 'mutation($v: JSON) { updateSetting(key: "trial_plan_code", value: $v) { value } }';
    const refused = await asBot(adminA, set, { v: paid.code });
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].message).toContain('is not a trial plan');
    expect(errorCode(await asBot(adminA, set, { v: 'no-such-plan' }))).toBe('PLAN_NOT_FOUND');
    expect((await asBot(adminA, set, { v: trial.code })).data).toEqual({ updateSetting: { value: trial.code } });
  });

  it("lists one customer's tickets in every status for staff, most recently active first", async () => {
    const tg = await w.newUser();
    const customer = await w.t.orm.em.fork().findOneOrFail(Customer, { telegramId: tg });
    const open = async (subject: string) => (await w.asUser<{ openTicket: { id: string } }>(tg, `mutation { openTicket(subject: "${subject}", message: "details") { id } }`)).data!.openTicket.id;
    const first = await open('First');
    const second = await open('Second');
    await asBot(adminA, 'mutation($id: ID!) { closeTicket(id: $id) { status } }', { id: second });
    await w.asUser(await w.newUser(), 'mutation { openTicket(subject: "Someone else", message: "x") { id } }');
    const q = 'query($c: ID!) { customerTickets(customerId: $c) { id subject status } }';
    const res = await asBot<{ customerTickets: Array<{ id: string; subject: string; status: string }> }>(support, q, { c: customer.id });
    expect(res.data!.customerTickets).toEqual([
      { id: second, subject: 'Second', status: 'CLOSED' },
      { id: first, subject: 'First', status: 'OPEN' },
    ]);
    expect(errorCode(await asBot(support, q, { c: randomUUID() }))).toBe('CUSTOMER_NOT_FOUND');
  });

  it('broadcasts to 200 customers of whom 10 blocked the bot: 190 sent, 10 blocked, a 429 in the middle loses nothing, and the next broadcast skips the blocked', async () => {
    // Only this test's customers: everyone else is marked blocked first.
    await w.t.orm.em.fork().nativeUpdate(Customer, {}, { botBlockedAt: new Date() });
    const ids: number[] = [];
    for (let i = 0; i < 200; i++) ids.push((await buildCustomer(w.t.orm)).telegramId!);
    for (const id of ids.slice(50, 60)) fake.blockChat(id, USER_TOKEN);
    const created = await asBot<{ createBroadcast: { id: string; status: string } }>(adminA, 'mutation { createBroadcast(text: "Nowruz <sale>", audience: ALL) { id status } }');
    expect(created.data!.createBroadcast.status).toBe('QUEUED');
    expect((await asBot(support, 'mutation { createBroadcast(text: "x", audience: ALL) { id } }')).errors![0].extensions!.code).toBe('FORBIDDEN');
    const sentBefore = fake.calls.filter((c) => c.token === USER_TOKEN && c.method === 'sendMessage' && c.status === 200).length;
    // The 120th send is refused with 429: it is waited out and sent again.
    let seen = 0;
    const original = w.t.services.telegram.send.bind(w.t.services.telegram);
    Object.assign(w.t.services.telegram, {
      send: async (...args: Parameters<typeof original>) => {
        if (args[0] === 'USER_BOT' && ++seen === 120) fake.failNext('sendMessage', { status: 429, retryAfter: 1 }, { token: USER_TOKEN });
        return original(...args);
      },
    });
    const [job] = await queuedJobs(w.t.orm, 'broadcast');
    expect(await runJob(w.t.orm, w.t.services, job)).toBeUndefined();
    expect(await runJob(w.t.orm, w.t.services, job)).toBeUndefined();
    const b = await w.t.orm.em.fork().findOneOrFail(Broadcast, { id: created.data!.createBroadcast.id });
    expect({ status: b.status, total: b.total, sent: b.sent, blocked: b.blocked, failed: b.failed }).toEqual({ status: 'DONE', total: 200, sent: 190, blocked: 10, failed: 0 });
    const delivered = fake.calls.filter((c) => c.token === USER_TOKEN && c.method === 'sendMessage' && c.status === 200).length - sentBefore;
    expect(delivered).toBe(190);
    expect(fake.calls.some((c) => c.token === USER_TOKEN && c.status === 429)).toBe(true);
    for (const id of ids.filter((_, i) => i < 50 || i >= 60)) expect(fake.sentTo(id, USER_TOKEN).map((m) => m.text)).toEqual(['Nowruz <sale>']);
    const report = fake.sentTo(adminA, ADMIN_TOKEN).at(-1)!.text;
    expect(report).toContain('ارسال همگانی تمام شد');
    expect(report).toContain('۱۹۰');
    expect(await w.t.orm.em.fork().count(Customer, { telegramId: { $in: ids }, botBlockedAt: { $ne: null } })).toBe(10);
    expect((await asBot(adminA, '{ broadcastAudienceSize(audience: ALL) }')).data).toEqual({ broadcastAudienceSize: 190 });
  }, 40_000);
});
