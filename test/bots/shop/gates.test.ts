import { Role } from '../../../src/entities/common';
import { Customer, CustomerStatus } from '../../../src/entities/customer.entity';
import { encodeCallback } from '../../../src/notifications/callback-data';
import { updateSetting } from '../../../src/services/setting.service';
import { makeKey, startTestApi, type TestApi } from '../../helpers/api';
import { startFakeTelegram, type FakeTelegram } from '../../helpers/fake-telegram';
import { randomTelegramId } from '../../helpers/ids';
import { startShopHarness, type ShopHarness } from '../../helpers/shop-bot';

const TOKEN = '103:shop-gates-test';
const CHANNEL = '@shop_news_channel';

describe('shop bot gates: required channel, banned users, blocked bot, flood', () => {
  let t: TestApi;
  let fake: FakeTelegram;
  let h: ShopHarness;

  beforeAll(async () => {
    t = await startTestApi({ isolated: true });
    await t.orm.em.fork().transactional((em) => updateSetting(em, 'required_channel', CHANNEL));
    fake = await startFakeTelegram({ tokens: [TOKEN] });
    h = await startShopHarness({ fake, orm: t.orm, apiUrl: t.url, apiKey: await makeKey(t.orm, Role.USER_BOT), token: TOKEN, flood: { limit: 8, windowMs: 60_000 } });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
    await t.close();
  });

  const last = (user: number) => h.last(user).text;

  it('asks to join the required channel first, and lets the user in after "I have joined"', async () => {
    const user = randomTelegramId();
    fake.setChatMember(CHANNEL, user, 'left');
    await h.send(user, '/start');
    // The language comes first (the request must be readable), then every screen asks to join.
    await h.press(user, encodeCallback('shopLanguage', 'en'));
    const gate = await h.send(user, '🛒 Buy');
    expect(gate[gate.length - 1].text).toBe(`To use the shop, please join our channel ${CHANNEL} first, then press "I have joined".`);
    expect(gate[gate.length - 1].buttons.flat().map((b) => b.url ?? b.callback_data)).toEqual(['https://t.me/shop_news_channel', encodeCallback('shopJoinCheck')]);
    await h.send(user, '📚 Help');
    expect(last(user)).toContain('please join our channel');
    const notYet = fake.calls.length;
    await h.press(user, encodeCallback('shopJoinCheck'));
    expect(fake.calls.slice(notYet).find((c) => c.method === 'answerCallbackQuery')?.payload.text).toBe('You have not joined the channel yet.');
    fake.setChatMember(CHANNEL, user, 'member');
    await h.press(user, encodeCallback('shopJoinCheck'));
    expect(last(user)).toBe('🏠 Main menu. What would you like to do?');
    await h.send(user, '📚 Help');
    expect(last(user)).toContain('📚 Help');
  });

  it('gives a banned user one polite message and nothing else', async () => {
    const user = randomTelegramId();
    const em = t.orm.em.fork();
    em.create(Customer, { telegramId: user, status: CustomerStatus.BANNED });
    await em.flush();
    const first = await h.send(user, '/start');
    expect(first.map((m) => m.text)).toEqual(['حساب شما مسدود شده است و امکان استفاده از فروشگاه را ندارید. اگر فکر می‌کنید اشتباهی رخ داده، لطفاً با پشتیبانی تماس بگیرید.']);
    expect(await h.send(user, '🛒 خرید اشتراک')).toEqual([]);
    expect(await h.send(user, '/buy')).toEqual([]);
  });

  it('records a 403 from a user who blocked the bot through the API, without retrying', async () => {
    const user = randomTelegramId();
    fake.setChatMember(CHANNEL, user, 'member');
    await h.send(user, '/start');
    await h.press(user, encodeCallback('shopLanguage', 'fa'));
    fake.blockChat(user, TOKEN);
    const before = fake.calls.length;
    await h.send(user, '/help');
    const sends = fake.calls.slice(before).filter((c) => c.method === 'sendMessage');
    expect(sends.map((c) => c.status)).toEqual([403]);
    const c = await t.orm.em.fork().findOneOrFail(Customer, { telegramId: user });
    expect(c.botBlockedAt).toBeInstanceOf(Date);
    fake.unblockChat(user, TOKEN);
  });

  it('throttles a user who floods', async () => {
    const user = randomTelegramId();
    fake.setChatMember(CHANNEL, user, 'member');
    await h.send(user, '/start');
    await h.press(user, encodeCallback('shopLanguage', 'fa'));
    const before = h.inbox(user).length;
    for (let i = 0; i < 10; i++) await h.send(user, `spam ${i}`);
    // 8 updates per minute in this test: /start and the language press used 2.
    expect(h.inbox(user).length - before).toBe(6);
  });
});
