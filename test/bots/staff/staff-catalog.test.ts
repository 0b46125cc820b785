import { AdminRole, Role } from '../../../src/entities/common';
import { DiscountCode } from '../../../src/entities/discount-code.entity';
import { Plan } from '../../../src/entities/plan.entity';
import { encodeCallback } from '../../../src/notifications/callback-data';
import { addAdmin } from '../../../src/services/admin.service';
import { makeKey } from '../../helpers/api';
import { startFakeTelegram, type FakeMessage, type FakeTelegram } from '../../helpers/fake-telegram';
import { randomTelegramId } from '../../helpers/ids';
import { startStaffHarness, type StaffHarness } from '../../helpers/staff-bot';
import { startWorld, type World } from '../../helpers/world';

const STAFF_TOKEN = '604:staff-catalog-bot';
const GIB = 1024 ** 3;

const open = (w: string) => encodeCallback('adminOpen', w);
const act = (w: string, id: string) => encodeCallback('adminDo', w, id);
const step = (w: string) => encodeCallback('adminStep', w);

describe('admin bot plans and discount codes (through the fake Bot API and the real API)', () => {
  let w: World;
  let fake: FakeTelegram;
  let h: StaffHarness;
  const sara = randomTelegramId();
  const helper = randomTelegramId();

  beforeAll(async () => {
    w = await startWorld();
    fake = await startFakeTelegram();
    const em = w.t.orm.em.fork();
    await addAdmin(em, { telegramId: sara, role: AdminRole.ADMIN, displayName: 'Sara' });
    await addAdmin(em, { telegramId: helper, role: AdminRole.SUPPORT, displayName: 'Helper' });
    h = await startStaffHarness({ fake, orm: w.t.orm, apiUrl: w.t.url, apiKey: await makeKey(w.t.orm, Role.ADMIN_BOT), token: STAFF_TOKEN });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
    await w.close();
  });

  const text = (out: FakeMessage[]) => out.map((m) => m.text).join('\n');
  const buttonWithText = (m: FakeMessage, label: string) => m.buttons.flat().find((b) => b.text === label)!.callback_data!;

  it('adds a plan through the wizard; the API refusals (days out of range, a code taken) are told in words and fixed in place; Back goes one step back', async () => {
    const list = (await h.send(sara, '/plans')).at(-1)!;
    expect(list.buttons.flat().map((b) => b.callback_data)).toEqual(expect.arrayContaining([act('pl', w.plan.id), open('pladd')]));
    await h.press(sara, open('pladd'), list);
    // A code the local check refuses is asked again with the reason.
    expect(text(await h.send(sara, 'no spaces allowed'))).toContain('کد باید ۱ تا ۵۰ حرف لاتین');
    await h.send(sara, w.plan.code);
    await h.send(sara, 'ماهانه ۵۰ گیگ');
    await h.send(sara, 'Monthly 50 GB');
    await h.send(sara, '۵۰');
    await h.send(sara, '5000');
    const devices = (await h.press(sara, step('zero'))).at(-1)!;
    expect(devices.text).toContain('قیمت به تومان');
    // Back from the price step asks for the devices again; the draft is kept.
    expect(text(await h.press(sara, step('back'), devices))).toContain('چند دستگاه همزمان');
    await h.send(sara, '3');
    await h.send(sara, '۱۵۰٬۰۰۰');
    const group = h.last(sara);
    await h.press(sara, buttonWithText(group, w.plan.serverGroup), group);
    const confirm = (await h.press(sara, step('no'))).at(-1)!;
    expect(confirm.text).toContain('این پلن ساخته شود؟');
    expect(confirm.text).toContain('۱۵۰٬۰۰۰ تومان');

    // The API refuses 5000 days (BAD_USER_INPUT on durationDays): told in words, asked again, then straight back to the confirmation.
    expect(text(await h.press(sara, step('ok'), confirm))).toContain('مدت باید عدد صحیحی از ۱ تا ۳۶۵۰ روز باشد');
    expect(text(await h.send(sara, '30'))).toContain('این پلن ساخته شود؟');
    // Then the code is taken (PLAN_CODE_TAKEN): the code is asked again.
    const taken = text(await h.press(sara, step('ok')));
    expect(taken).toContain('پلنی با این کد از قبل وجود دارد');
    expect(taken).toContain('یک کد کوتاه بفرستید');
    expect(await w.t.orm.em.fork().count(Plan, {})).toBe(1);
    await h.send(sara, 'month-50');
    const saved = text(await h.press(sara, step('ok')));
    expect(saved).toContain('month-50');
    expect(saved).toContain('ساخته شد');
    const plan = await w.t.orm.em.fork().findOneOrFail(Plan, { code: 'month-50' });
    expect({ titleFa: plan.titleFa, titleEn: plan.titleEn, trafficBytes: plan.trafficBytes, durationDays: plan.durationDays, deviceLimit: plan.deviceLimit, price: plan.price, serverGroup: plan.serverGroup, isTrial: plan.isTrial, active: plan.active }).toEqual({
      titleFa: 'ماهانه ۵۰ گیگ',
      titleEn: 'Monthly 50 GB',
      trafficBytes: 50 * GIB,
      durationDays: 30,
      deviceLimit: 3,
      price: 150_000,
      serverGroup: w.plan.serverGroup,
      isTrial: false,
      active: true,
    });
  });

  it('edits the titles, price and limits of a plan, explains a refused value, and takes a plan off sale and back', async () => {
    const list = (await h.send(sara, '/plans')).at(-1)!;
    const detail = (await h.press(sara, act('pl', w.plan.id), list)).at(-1)!;
    expect(detail.text).toContain(w.plan.code);
    await h.press(sara, act('plp', w.plan.id), detail);
    expect(text(await h.send(sara, 'cheap'))).toContain('قیمت باید عدد صحیحی');
    expect(text(await h.send(sara, '99000'))).toContain('ذخیره شد');
    await h.press(sara, act('plt', w.plan.id), h.withButton(sara, act('plt', w.plan.id)));
    await h.send(sara, '0.5');
    await h.press(sara, act('plv', w.plan.id), h.withButton(sara, act('plv', w.plan.id)));
    // 5000 devices passes the bot's number check; the API's range check refuses it, in words.
    expect(text(await h.send(sara, '5000'))).toContain('تعداد دستگاه باید عدد صحیحی از ۰ (نامحدود) تا ۱۰۰۰ باشد');
    await h.send(sara, '2');
    const edited = await w.t.orm.em.fork().findOneOrFail(Plan, { id: w.plan.id });
    expect({ price: edited.price, trafficBytes: edited.trafficBytes, deviceLimit: edited.deviceLimit, durationDays: edited.durationDays }).toEqual({ price: 99_000, trafficBytes: GIB / 2, deviceLimit: 2, durationDays: w.plan.durationDays });
    // Back from an edit question returns to the plan and forgets the question.
    await h.press(sara, act('pld', w.plan.id), h.withButton(sara, act('pld', w.plan.id)));
    await h.press(sara, act('pl', w.plan.id), h.last(sara));
    await h.send(sara, '45');
    expect((await w.t.orm.em.fork().findOneOrFail(Plan, { id: w.plan.id })).durationDays).toBe(w.plan.durationDays);

    // Titles: an empty or too long title is refused in words; a good one is what customers see next.
    await h.press(sara, act('plen', w.plan.id), h.withButton(sara, act('plen', w.plan.id)));
    expect(text(await h.send(sara, 'x'.repeat(101)))).toContain('عنوان باید');
    expect(text(await h.send(sara, '  Gold <30 days>  '))).toContain('ذخیره شد');
    // Sent as HTML with the title escaped (the fake Bot API parses it as Telegram does).
    expect(h.last(sara).text).toContain('Gold <30 days>');
    await h.press(sara, act('plfa', w.plan.id), h.withButton(sara, act('plfa', w.plan.id)));
    await h.send(sara, 'طلایی ۳۰ روزه');
    const retitled = await w.t.orm.em.fork().findOneOrFail(Plan, { id: w.plan.id });
    expect({ titleFa: retitled.titleFa, titleEn: retitled.titleEn }).toEqual({ titleFa: 'طلایی ۳۰ روزه', titleEn: 'Gold <30 days>' });
    // The later tests find the plan by its original titles.
    await w.t.orm.em.fork().nativeUpdate(Plan, { id: w.plan.id }, { titleFa: w.plan.titleFa, titleEn: w.plan.titleEn });

    await h.press(sara, act('ploff', w.plan.id), h.withButton(sara, act('ploff', w.plan.id)));
    expect((await w.t.orm.em.fork().findOneOrFail(Plan, { id: w.plan.id })).active).toBe(false);
    await h.press(sara, act('plon', w.plan.id), h.withButton(sara, act('plon', w.plan.id)));
    expect((await w.t.orm.em.fork().findOneOrFail(Plan, { id: w.plan.id })).active).toBe(true);
  });

  it('creates a discount code through the wizard (a start date in days, a refused percent told in words), lists it and disables it', async () => {
    const list = (await h.send(sara, '/codes')).at(-1)!;
    await h.press(sara, open('cdadd'), list);
    expect(text(await h.send(sara, 'x'))).toContain('کد باید ۳ تا ۳۲ حرف لاتین');
    await h.send(sara, 'spring-26');
    await h.press(sara, step('percent'));
    await h.send(sara, '150');
    await h.press(sara, step('none'));
    // It starts in 3 days (400 is out of range, told in words) and lasts 10 days from then.
    expect(text(await h.send(sara, '400'))).toContain('شروع باید عدد صحیحی از ۱ تا ۳۶۵');
    await h.send(sara, '3');
    // Plans: a toggle per plan on sale; the world's plan is chosen, pressed twice it is off again, then on.
    const plans = (await h.send(sara, '10')).at(-1)!;
    const toggle = buttonWithText(plans, `▫️ ${w.plan.titleFa}`);
    await h.press(sara, toggle, plans);
    expect(plans.buttons.flat().map((b) => b.text)).toContain(`✅ ${w.plan.titleFa}`);
    await h.press(sara, toggle, plans);
    await h.press(sara, toggle, plans);
    const confirm = (await h.press(sara, step('done'), plans)).at(-1)!;
    expect(confirm.text).toContain('SPRING-26');
    expect(confirm.text).toContain(`پلن‌ها: ${w.plan.titleFa}`);
    expect(text(await h.press(sara, step('ok'), confirm))).toContain('درصد باید عدد صحیحی از ۱ تا ۱۰۰ باشد');
    await h.send(sara, '20');
    expect(text(await h.press(sara, step('ok')))).toContain('ساخته شد');
    const code = await w.t.orm.em.fork().findOneOrFail(DiscountCode, { code: 'SPRING-26' });
    expect({ percent: code.percent, amount: code.amount, maxUses: code.maxUses, active: code.active, planIds: code.planIds }).toEqual({ percent: 20, amount: null, maxUses: null, active: true, planIds: [w.plan.id] });
    const daysFromNow = (d: Date | null | undefined) => (d!.getTime() - Date.now()) / 86_400_000;
    expect(daysFromNow(code.validFrom)).toBeGreaterThan(2.9);
    expect(daysFromNow(code.validFrom)).toBeLessThanOrEqual(3);
    expect(daysFromNow(code.validUntil)).toBeGreaterThan(12.9);
    expect(daysFromNow(code.validUntil)).toBeLessThanOrEqual(13);

    // The same code again, as an amount: DISCOUNT_CODE_TAKEN sends the admin back to the code.
    await h.press(sara, open('cdadd'), h.withButton(sara, open('cdadd')));
    await h.send(sara, 'Spring-26');
    await h.press(sara, step('amount'));
    await h.send(sara, '20000');
    await h.send(sara, '100');
    await h.press(sara, step('now'));
    await h.press(sara, step('none'));
    const summary = text(await h.press(sara, step('done')));
    expect(summary).toContain('همهٔ پلن‌ها');
    expect(summary).toContain('شروع: از همین حالا');
    expect(text(await h.press(sara, step('ok')))).toContain('کد تخفیفی با این کد از قبل وجود دارد');
    await h.send(sara, '/cancel');

    const codes = (await h.send(sara, '/codes')).at(-1)!;
    expect(codes.text).toContain('SPRING-26');
    await h.press(sara, act('cdoff', code.id), codes);
    expect((await w.t.orm.em.fork().findOneOrFail(DiscountCode, { id: code.id })).active).toBe(false);
  });

  it('keeps SUPPORT out of the plan and code wizards and edits, by buttons, commands and replayed callback data', async () => {
    for (const command of ['/addplan', '/addcode', '/codes']) expect(text(await h.send(helper, command))).toContain('⛔');
    const menu = (await h.send(helper, '/menu')).at(-1)!;
    for (const data of [open('pladd'), open('cdadd'), act('pl', w.plan.id), act('plp', w.plan.id), act('ploff', w.plan.id)]) await h.press(helper, data, menu);
    const refusals = fake.calls.filter((c) => c.token === STAFF_TOKEN && c.method === 'answerCallbackQuery' && String(c.payload.text ?? '').includes('⛔'));
    expect(refusals.length).toBeGreaterThanOrEqual(5);
    expect((await w.t.orm.em.fork().findOneOrFail(Plan, { id: w.plan.id })).active).toBe(true);
  });

  it('shows the wizards in English too', async () => {
    await h.press(sara, open('lang'), (await h.send(sara, '/menu')).at(-1));
    expect(text(await h.send(sara, '/addplan'))).toContain('New plan (1/9)');
    expect(text(await h.send(sara, 'month-x'))).toContain('The title customers see in Persian');
    expect(text(await h.press(sara, step('back')))).toContain('New plan (1/9)');
    expect(text(await h.send(sara, '/addcode'))).toContain('New discount code');
    await h.send(sara, '/cancel');
    expect(h.errors.filter((e) => !e.includes('refused by role') && !e.includes('api error shown'))).toEqual([]);
  });
});
