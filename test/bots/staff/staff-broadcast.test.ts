import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { createTelegramSender } from '../../../src/clients/telegram.client';
import { Broadcast } from '../../../src/entities/broadcast.entity';
import { AdminRole, Role } from '../../../src/entities/common';
import { Customer } from '../../../src/entities/customer.entity';
import { encodeCallback } from '../../../src/notifications/callback-data';
import { addAdmin } from '../../../src/services/admin.service';
import { buildCustomer } from '../../factories/commerce';
import { makeKey } from '../../helpers/api';
import { startFakeTelegram, type FakeMessage, type FakeTelegram } from '../../helpers/fake-telegram';
import { randomTelegramId } from '../../helpers/ids';
import { queuedJobs, runJob } from '../../helpers/jobs';
import { startStaffHarness, type StaffHarness } from '../../helpers/staff-bot';
import { startWorld, type World } from '../../helpers/world';

const USER_TOKEN = '605:staff-broadcast-shop';
const STAFF_TOKEN = '606:staff-broadcast-bot';

const step = (w: string) => encodeCallback('adminStep', w);

describe('admin bot broadcast through its screens, delivered by the worker job', () => {
  let w: World;
  let fake: FakeTelegram;
  let h: StaffHarness;
  const sara = randomTelegramId();

  beforeAll(async () => {
    w = await startWorld();
    fake = await startFakeTelegram({ tokens: [USER_TOKEN] });
    Object.assign(w.t.services, { telegram: createTelegramSender({ apiRoot: fake.apiRoot, tokens: { USER_BOT: USER_TOKEN, ADMIN_BOT: STAFF_TOKEN }, timeoutSeconds: 5 }) });
    await addAdmin(w.t.orm.em.fork(), { telegramId: sara, role: AdminRole.ADMIN, displayName: 'Sara' });
    h = await startStaffHarness({ fake, orm: w.t.orm, apiUrl: w.t.url, apiKey: await makeKey(w.t.orm, Role.ADMIN_BOT), token: STAFF_TOKEN });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
    await w.close();
  });

  const text = (out: FakeMessage[]) => out.map((m) => m.text).join('\n');

  it('sends a photo with a caption to the chosen audience after a preview and a confirmation; the progress message is edited to the final report', async () => {
    // This world's customers: 30 who never bought, 2 of whom blocked the shop bot.
    const customers: number[] = [];
    for (let i = 0; i < 30; i++) customers.push((await buildCustomer(w.t.orm)).telegramId!);
    for (const id of customers.slice(10, 12)) fake.blockChat(id, USER_TOKEN);
    const png = await QRCode.toBuffer(randomUUID(), { type: 'png', width: 64 });

    expect(text(await h.send(sara, '/broadcast'))).toContain('پیام را بفرستید');
    const choose = (await h.photo(sara, png, 'Nowruz <sale>: 30% off')).at(-1)!;
    expect(choose.buttons.flat().map((b) => b.callback_data)).toEqual([step('ALL'), step('ACTIVE'), step('EXPIRED'), step('NEVER_BOUGHT'), step('back'), step('cancel')]);
    // Expired: nobody. Back to the audience, then everyone who never bought.
    expect(text(await h.press(sara, step('EXPIRED'), choose))).toContain('۰ مشتری');
    await h.press(sara, step('back'), h.last(sara));
    const preview = await h.press(sara, step('NEVER_BOUGHT'), h.last(sara));
    const [photo, confirm] = preview.slice(-2);
    expect(photo.kind).toBe('photo');
    expect(photo.text).toBe('Nowruz <sale>: 30% off');
    expect(confirm.text).toContain('۳۰ مشتری');
    expect(await w.t.orm.em.fork().count(Broadcast, {})).toBe(0);

    expect(text(await h.press(sara, step('ok'), confirm))).toContain('در صف قرار گرفت');
    // A second press of the same button creates nothing more.
    await h.press(sara, step('ok'), confirm);
    const rows = await w.t.orm.em.fork().find(Broadcast, {});
    expect(rows.map((b) => [b.status, b.audience])).toEqual([['QUEUED', 'NEVER_BOUGHT']]);

    const [job] = await queuedJobs(w.t.orm, 'broadcast');
    expect(await runJob(w.t.orm, w.t.services, job)).toBeUndefined();
    expect(await runJob(w.t.orm, w.t.services, job)).toBeUndefined();

    const done = await w.t.orm.em.fork().findOneOrFail(Broadcast, { id: rows[0].id });
    expect({ status: done.status, total: done.total, sent: done.sent, blocked: done.blocked, failed: done.failed }).toEqual({ status: 'DONE', total: 30, sent: 28, blocked: 2, failed: 0 });
    for (const id of customers.filter((_, i) => i < 10 || i >= 12)) {
      expect(fake.sentTo(id, USER_TOKEN).map((m) => [m.kind, m.text])).toEqual([['photo', 'Nowruz <sale>: 30% off']]);
    }
    expect(await w.t.orm.em.fork().count(Customer, { telegramId: { $in: customers }, botBlockedAt: { $ne: null } })).toBe(2);

    // One progress message, edited after each batch (25 + 5) and once more into the final report.
    const progress = fake.sentTo(sara, STAFF_TOKEN).filter((m) => m.text.includes('ارسال همگانی'));
    expect(progress).toHaveLength(1);
    expect(progress[0].edits).toBe(3);
    expect(progress[0].text).toContain('ارسال همگانی تمام شد');
    expect(progress[0].text).toContain('✅ ارسال شد: ۲۸');
    expect(progress[0].text).toContain('⛔ ربات را مسدود کرده‌اند: ۲');
    expect(progress[0].text).toContain('⚠️ ناموفق: ۰');
    expect(h.errors).toEqual([]);
  }, 60_000);

  it('offers Back and Cancel on every broadcast step; Cancel sends nothing', async () => {
    await h.send(sara, '/broadcast');
    const choose = (await h.send(sara, 'Short text')).at(-1)!;
    expect(text(await h.press(sara, step('back'), choose))).toContain('پیام را بفرستید');
    await h.send(sara, 'Short text');
    const confirm = (await h.press(sara, step('ALL'), h.last(sara))).at(-1)!;
    expect(confirm.buttons.flat().map((b) => b.callback_data)).toEqual([step('ok'), step('back'), step('cancel')]);
    expect(text(await h.press(sara, step('cancel'), confirm))).toContain('لغو شد');
    expect(await w.t.orm.em.fork().count(Broadcast, { html: 'Short text' })).toBe(0);
  });
});
