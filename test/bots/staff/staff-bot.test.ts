import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { createTelegramSender } from '../../../src/clients/telegram.client';
import { AdminRole, Role } from '../../../src/entities/common';
import { Customer } from '../../../src/entities/customer.entity';
import { Server } from '../../../src/entities/server.entity';
import { Subscription, SubscriptionStatus } from '../../../src/entities/subscription.entity';
import { encodeCallback } from '../../../src/notifications/callback-data';
import { addAdmin } from '../../../src/services/admin.service';
import { startXuiSimulator, type XuiSimulator } from '../../../src/simulators/xui/xui.simulator';
import { makeKey } from '../../helpers/api';
import { startFakeTelegram, type FakeMessage, type FakeTelegram } from '../../helpers/fake-telegram';
import { randomTelegramId } from '../../helpers/ids';
import { drainJobs } from '../../helpers/jobs';
import { startStaffHarness, type StaffHarness } from '../../helpers/staff-bot';
import { CREATE_ORDER, newKey, startWorld, type World } from '../../helpers/world';

const USER_TOKEN = '601:staff-test-user-bot';
const STAFF_TOKEN = '602:staff-test-admin-bot';
/** A well-formed PNG no other test uploaded (receipts are de-duplicated by content). */
const uniquePng = (): Promise<Buffer> => QRCode.toBuffer(randomUUID(), { type: 'png', width: 64 });

const open = (w: string) => encodeCallback('adminOpen', w);
const act = (w: string, id: string) => encodeCallback('adminDo', w, id);
const step = (w: string) => encodeCallback('adminStep', w);

describe('admin bot (through the fake Bot API, the real API, database, jobs and panel simulators)', () => {
  let w: World;
  let fake: FakeTelegram;
  let h: StaffHarness;
  let xui: XuiSimulator;
  const sara = randomTelegramId();
  const reza = randomTelegramId();
  const helper = randomTelegramId();

  beforeAll(async () => {
    w = await startWorld();
    fake = await startFakeTelegram({ tokens: [USER_TOKEN] });
    Object.assign(w.t.services, { telegram: createTelegramSender({ apiRoot: fake.apiRoot, tokens: { USER_BOT: USER_TOKEN, ADMIN_BOT: STAFF_TOKEN }, timeoutSeconds: 5 }) });
    const em = w.t.orm.em.fork();
    await addAdmin(em, { telegramId: sara, role: AdminRole.ADMIN, displayName: 'Sara' });
    await addAdmin(em, { telegramId: reza, role: AdminRole.ADMIN, displayName: 'Reza' });
    await addAdmin(em, { telegramId: helper, role: AdminRole.SUPPORT, displayName: 'Helper' });
    h = await startStaffHarness({ fake, orm: w.t.orm, apiUrl: w.t.url, apiKey: await makeKey(w.t.orm, Role.ADMIN_BOT), token: STAFF_TOKEN });
    xui = await startXuiSimulator({ profile: 'G6', basePath: '/secret-path/', username: 'boss', password: 'right-pass' });
  });
  afterAll(async () => {
    await h.close();
    await xui.close();
    await fake.close();
    await w.close();
  });

  function answers(): string[] {
    return fake.calls.filter((c) => c.token === STAFF_TOKEN && c.method === 'answerCallbackQuery').map((c) => String(c.payload.text ?? ''));
  }

  it('refuses anyone who is not an active admin once, politely, without naming anything', async () => {
    const stranger = randomTelegramId();
    const first = await h.send(stranger, '/start');
    expect(first.map((m) => m.text)).toEqual([expect.stringContaining('staff only')]);
    expect(first[0].buttons).toEqual([]);
    expect(await h.send(stranger, '/servers')).toEqual([]);
    expect(await h.press(stranger, open('srv'), first[0])).toEqual([]);
  });

  it('shows a receipt to two admins as a photo; one approves, both messages say who, the other press is refused, the customer gets the config', async () => {
    const tg = await w.newUser();
    const order = await w.asUser<{ createOrder: { payment: { id: string } } }>(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    const paymentId = order.data!.createOrder.payment.id;
    const up = await fetch(`${w.t.url}/receipts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.userBotKey}`, 'x-telegram-user-id': String(tg), 'content-type': 'image/png' },
      body: new Uint8Array(await uniquePng()),
    });
    const { receiptId } = (await up.json()) as { receiptId: string };
    await w.asUser(tg, 'mutation($p: ID!, $r: ID) { submitPaymentReceipt(paymentId: $p, receiptId: $r) { status } }', { p: paymentId, r: receiptId });
    await drainJobs(w.t.orm, w.t.services, { tasks: ['send_notification'] });
    const saraMsg = h.withButton(sara, encodeCallback('paymentApprove', paymentId));
    const rezaMsg = h.withButton(reza, encodeCallback('paymentApprove', paymentId));
    expect([saraMsg.kind, rezaMsg.kind]).toEqual(['photo', 'photo']);

    await h.press(sara, encodeCallback('paymentApprove', paymentId), saraMsg);
    await drainJobs(w.t.orm, w.t.services, { tasks: ['update_receipt_messages'] });
    for (const admin of [sara, reza]) {
      const m = h.inbox(admin).find((x) => x.messageId === (admin === sara ? saraMsg : rezaMsg).messageId)!;
      expect(m.text).toContain('تایید شد توسط Sara');
      expect(m.buttons).toEqual([]);
    }
    await h.press(reza, encodeCallback('paymentApprove', paymentId), rezaMsg);
    expect(answers().at(-1)).toBe('قبلاً بررسی شده: Sara تایید کرده است.');

    await drainJobs(w.t.orm, w.t.services);
    const sub = await w.t.orm.em.fork().findOneOrFail(Subscription, { customer: { telegramId: tg } });
    expect(sub.status).toBe(SubscriptionStatus.ACTIVE);
    expect(fake.sentTo(tg, USER_TOKEN).some((m) => m.kind === 'photo' && m.text.includes('/sub/'))).toBe(true);
  });

  it('adds a server through the wizard: a wrong password is explained and nothing saved, the right one is saved; drift dry run, then repair', async () => {
    const count = () => w.t.orm.em.fork().count(Server, {});
    const before = await count();
    await h.press(sara, open('srvadd'), (await h.send(sara, '/servers')).at(-1));
    await h.press(sara, step('XUI'));
    await h.send(sara, 'nl-1');
    await h.send(sara, xui.url);
    await h.send(sara, 'boss');
    await h.send(sara, 'wrong-pass');
    await h.press(sara, step('skip'));
    const wrong = await h.press(sara, step('skip'));
    expect(wrong.map((m) => m.text).join('\n')).toContain('پنل در دسترس است، اما نام کاربری و رمز (یا توکن) را نپذیرفت. چیزی ذخیره نشد.');
    expect(await count()).toBe(before);
    // Asked for the username again; the rest of the draft is kept.
    await h.send(sara, 'boss');
    await h.send(sara, 'right-pass');
    await h.press(sara, step('skip'));
    const saved = await h.press(sara, step('skip'));
    expect(saved.map((m) => m.text).join('\n')).toContain('✅ nl-1 ذخیره شد');
    expect(await count()).toBe(before + 1);
    // A wrong web base path is told apart from a wrong password.
    await h.press(sara, open('srvadd'), (await h.send(sara, '/servers')).at(-1));
    await h.press(sara, step('XUI'));
    await h.send(sara, 'nl-2');
    await h.send(sara, xui.url.replace('/secret-path/', '/wrong-path/'));
    await h.send(sara, 'boss');
    await h.send(sara, 'right-pass');
    await h.press(sara, step('skip'));
    const path = await h.press(sara, step('skip'));
    expect(path.map((m) => m.text).join('\n')).toContain('در این مسیر پنلی نیست');
    expect(await count()).toBe(before + 1);
    await h.send(sara, '/cancel');

    // Drift on the shop's S-UI server: the client of the subscription sold above disappears from the panel.
    const sub = await w.t.orm.em.fork().findOneOrFail(Subscription, { server: w.server.id, status: SubscriptionStatus.ACTIVE });
    w.sim.deleteClientDirect(sub.panelName);
    const report = await h.press(sara, act('drift', w.server.id), (await h.press(sara, act('srv', w.server.id), h.last(sara))).at(-1));
    const dry = report.at(-1)!;
    expect(dry.text).toMatch(/بدون کلاینت روی پنل: ۱|Missing on the panel: 1/);
    expect(w.sim.getClientDirect(sub.panelName)).toBeUndefined();
    const repaired = await h.press(sara, act('repair', w.server.id), dry);
    expect(repaired.at(-1)!.text).toMatch(/ترمیم شد: ۱|Repaired: 1/);
    expect(w.sim.getClientDirect(sub.panelName)).toBeDefined();
  });

  it('keeps SUPPORT out of servers, plans, settings, keys and wallet adjustments by buttons, commands and replayed callback data', async () => {
    const menu = (await h.send(helper, '/start')).at(-1)!;
    const sections = menu.buttons.flat().map((b) => b.callback_data);
    expect(sections).toEqual(expect.arrayContaining([open('dash'), open('pay'), open('cust')]));
    for (const forbidden of ['srv', 'plans', 'codes', 'set', 'bc', 'fail', 'srvadd']) expect(sections).not.toContain(open(forbidden));
    for (const command of ['/servers', '/plans', '/settings', '/broadcast', '/failed', '/addserver']) {
      const out = await h.send(helper, command);
      expect(out.map((m) => m.text)).toEqual([expect.stringContaining('⛔')]);
    }
    const customer = (await w.t.orm.em.fork().findOneOrFail(Subscription, { server: w.server.id })).customer.id;
    const replayed = [open('srv'), open('plans'), open('set'), open('bc'), act('wal', customer), act('grant', customer), act('srvoff', w.server.id), act('repair', w.server.id), encodeCallback('adminNum', 'set', 0)];
    for (const data of replayed) {
      const out = await h.press(helper, data, menu);
      expect(out.filter((m) => m.text.includes('Server') || m.text.includes('سرور'))).toEqual([]);
      expect(answers().at(-1)).toContain('⛔');
    }
    expect((await w.t.orm.em.fork().findOneOrFail(Server, { id: w.server.id })).active).toBe(true);
    // SUPPORT does reach customer lookup, and the profile offers no wallet or grant buttons.
    await h.press(helper, open('cust'), menu);
    const profile = (await h.send(helper, String((await w.t.orm.em.fork().findOneOrFail(Subscription, { server: w.server.id }, { populate: ['customer'] })).customer.telegramId))).at(-1)!;
    expect(profile.text).toMatch(/Telegram|تلگرام/);
    const data = profile.buttons.flat().map((b) => b.callback_data ?? '');
    expect(data.some((d) => d.startsWith('ad:wal:') || d.startsWith('ad:grant:'))).toBe(false);
    expect(data.some((d) => d.startsWith('ad:msg:'))).toBe(true);
  });

  it('lists open tickets, shows the thread from the new-ticket notification, replies (the customer is told) and closes', async () => {
    const tg = await w.newUser();
    const opened = await w.asUser<{ openTicket: { id: string } }>(tg, 'mutation { openTicket(subject: "No internet", message: "My config stopped working") { id } }');
    const ticketId = opened.data!.openTicket.id;
    await drainJobs(w.t.orm, w.t.services, { tasks: ['send_notification'] });
    const alert = h.withButton(helper, encodeCallback('ticketOpen', ticketId));
    const thread = (await h.press(helper, encodeCallback('ticketOpen', ticketId), alert)).at(-1)!;
    expect(thread.text).toContain('My config stopped working');
    await h.press(helper, act('tkr', ticketId), thread);
    await h.send(helper, 'Please update the subscription in your app');
    await drainJobs(w.t.orm, w.t.services, { tasks: ['send_notification'] });
    expect(fake.sentTo(tg, USER_TOKEN).at(-1)!.text).toContain('Please update the subscription in your app');
    const list = (await h.send(helper, '/tickets')).at(-1)!;
    expect(list.buttons.flat().some((b) => b.callback_data === act('tk', ticketId))).toBe(false);
    const closed = (await h.press(helper, act('tkc', ticketId), h.withButton(helper, act('tkc', ticketId)))).at(-1)!;
    expect(closed.text).toContain('بسته');
  });

  it('shows revenue of today, 7 and 30 days on the dashboard', async () => {
    const dash = (await h.send(sara, '/dashboard')).at(-1)!;
    expect(dash.text).toMatch(/💵 درآمد امروز: .+ · ۷ روز اخیر: .+ · ۳۰ روز اخیر: .+/);
  });

  it("shows a customer's tickets in the profile and opens a thread from there", async () => {
    const tg = await w.newUser();
    const opened = await w.asUser<{ openTicket: { id: string } }>(tg, 'mutation { openTicket(subject: "Slow at night", message: "Speed drops after 22:00") { id } }');
    const ticketId = opened.data!.openTicket.id;
    await h.send(helper, '/customers');
    const profile = (await h.send(helper, String(tg))).at(-1)!;
    expect(profile.text).toContain('آخرین تیکت‌ها');
    expect(profile.text).toContain('Slow at night — در انتظار پاسخ');
    const thread = (await h.press(helper, act('tk', ticketId), profile)).at(-1)!;
    expect(thread.text).toContain('Speed drops after 22:00');
    const customerId = (await w.t.orm.em.fork().findOneOrFail(Customer, { telegramId: tg })).id;
    expect(thread.buttons.flat().map((b) => b.callback_data)).toEqual(expect.arrayContaining([act('tkr', ticketId), act('prof', customerId)]));
  });

  it('answers every screen of the main menu in both languages without a Bot API error', async () => {
    const SKIP = /^(ad:(srvoff|srvon|ban|unban|ploff|plon|cdoff|repair|evac|evacgo|sync|ford|subrst|suboff|subon|rcpt)|an:fjob|ao:lang)/;
    const openSection = async (admin: number, data: string): Promise<FakeMessage> => {
      const menu = (await h.send(admin, '/menu')).at(-1)!;
      const out = await h.press(admin, data, menu);
      return out.at(-1) ?? h.inbox(admin).find((m) => m.messageId === menu.messageId)!;
    };
    const walk = async (admin: number): Promise<string[]> => {
      const seen: string[] = [];
      const menu = (await h.send(admin, '/menu')).at(-1)!;
      for (const b of menu.buttons.flat()) {
        if (!b.callback_data || b.callback_data === open('lang')) continue;
        const screen = await openSection(admin, b.callback_data);
        seen.push(screen.text.split('\n')[0]);
        // One level deeper: every button of the screen except those that change something.
        for (const inner of screen.buttons.flat()) {
          const d = inner.callback_data ?? '';
          if (SKIP.test(d) || d === '') continue;
          const again = await openSection(admin, b.callback_data);
          if (again.buttons.flat().some((x) => x.callback_data === d)) await h.press(admin, d, again);
          await h.send(admin, '/cancel');
        }
        await h.send(admin, '/cancel');
      }
      return seen;
    };
    const firstCall = fake.calls.length;
    const fa = await walk(reza);
    await h.press(reza, open('lang'), (await h.send(reza, '/menu')).at(-1));
    const en = await walk(reza);
    expect(fa).toContain('📊 داشبورد');
    expect(en).toContain('📊 Dashboard');
    expect(fa.length).toBe(en.length);
    // Refresh on an unchanged screen is answered "message is not modified" by Telegram: coped with, not an error.
    const failed = fake.calls.slice(firstCall).filter((c) => c.token === STAFF_TOKEN && c.status !== 200 && c.method !== 'getUpdates' && !/message is not modified/.test(c.description ?? ''));
    expect(failed.map((c) => `${c.method}: ${c.description}`)).toEqual([]);
    expect(h.errors.filter((e) => !e.includes('refused by role'))).toEqual([]);
  }, 120_000);
});
