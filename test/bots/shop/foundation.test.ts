import { Role } from '../../../src/entities/common';
import { memoryStateStore } from '../../../src/bots/common';
import { createShopBot } from '../../../src/bots/shop/bot';
import { postgresStateStore } from '../../../src/main/bot-state.pg';
import { botWebhookRoute } from '../../../src/main/shop-bot';
import { makeKey, startTestApi, type TestApi } from '../../helpers/api';
import { startFakeTelegram, type FakeTelegram } from '../../helpers/fake-telegram';
import { randomTelegramId } from '../../helpers/ids';
import { startShopHarness, type ShopHarness } from '../../helpers/shop-bot';
import { encodeCallback } from '../../../src/notifications/callback-data';

describe('shop bot foundation', () => {
  let t: TestApi;
  let fake: FakeTelegram;
  let h: ShopHarness;
  let key: string;

  beforeAll(async () => {
    t = await startTestApi();
    fake = await startFakeTelegram();
    key = await makeKey(t.orm, Role.USER_BOT);
    h = await startShopHarness({ fake, orm: t.orm, apiUrl: t.url, apiKey: key });
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
    await t.close();
  });

  it('keeps sessions and conversation state in PostgreSQL, per bot', async () => {
    const a = postgresStateStore(t.orm, 'store-test-a');
    const b = postgresStateStore(t.orm, 'store-test-b');
    await a.write('s:1', { lang: 'en', n: 1 });
    await a.write('s:1', { lang: 'fa', n: 2 });
    expect(await a.read('s:1')).toEqual({ lang: 'fa', n: 2 });
    expect(await b.read('s:1')).toBeUndefined();
    await a.delete('s:1');
    expect(await a.read('s:1')).toBeUndefined();
  });

  it('registers on /start, asks the language once, then shows the main menu in that language', async () => {
    const user = randomTelegramId();
    const first = await h.send(user, '/start');
    expect(first[first.length - 1].text).toContain('Please choose your language');
    const menu = await h.press(user, encodeCallback('shopLanguage', 'en'));
    const welcome = menu[menu.length - 1];
    expect(welcome.text).toMatch(/^👋 Welcome!/);
    expect((welcome.replyMarkup as { keyboard: Array<Array<{ text: string }>> }).keyboard.flat().map((b) => b.text)).toEqual([
      '🛒 Buy', '📦 My subscriptions', '🎁 Free trial', '👛 Wallet', '💬 Support', '📚 Help', '🌐 Language',
    ]);
    const rows = await t.orm.em.fork().getConnection().execute(`select language, username from customer where telegram_id = ?`, [user]);
    expect(rows).toEqual([{ language: 'en', username: `u${user}` }]);
    // A second /start does not ask again.
    const again = await h.send(user, '/start');
    expect(again.map((m) => m.text)).toEqual([expect.stringMatching(/^👋 Welcome!/)]);
  });

  it('answers every callback query, including stale and unknown buttons', async () => {
    const user = randomTelegramId();
    await h.send(user, '/start');
    await h.press(user, encodeCallback('shopLanguage', 'fa'));
    const before = fake.calls.filter((c) => c.method === 'answerCallbackQuery' && c.status === 200).length;
    const msg = h.last(user);
    await h.press(user, 'garbage:data', msg);
    await h.press(user, encodeCallback('subscriptionRenew', '00000000-0000-4000-8000-000000000000'), msg);
    const answered = fake.calls.filter((c) => c.method === 'answerCallbackQuery');
    expect(answered.filter((c) => c.status === 200).length - before).toBe(2);
    expect(answered.filter((c) => c.status !== 200)).toEqual([]);
  });

  it('publishes its commands in Persian and English', async () => {
    await h.shop.setCommands();
    const fa = await h.shop.bot.api.getMyCommands();
    const en = await h.shop.bot.api.getMyCommands({ language_code: 'en' });
    expect(fa.map((c) => c.command)).toEqual(['start', 'buy', 'subs', 'wallet', 'support', 'help', 'language', 'cancel']);
    expect(fa[0].description).toBe('منوی اصلی');
    expect(en[0].description).toBe('Main menu');
  });

  it('remembers the chosen language across a restart (session in the database)', async () => {
    const user = randomTelegramId();
    await h.send(user, '/start');
    await h.press(user, encodeCallback('shopLanguage', 'en'));
    await h.restart();
    const after = await h.send(user, '/help');
    expect(after[0].text).toMatch(/^📚 Help/);
  });

  it('serves webhook updates only with the secret token', async () => {
    const token = '102:shop-webhook-test';
    fake.addBot(token);
    const shop = createShopBot({ token, apiRoot: fake.apiRoot, apiUrl: t.url, apiKey: key }, { store: memoryStateStore(), logger: { info() {}, warn() {}, error() {} } });
    const { path, handler } = await shop.startWebhook({ url: 'https://shop.example.com/tg/shop-hook', secret: 'hook_secret-1' });
    expect(path).toBe('/tg/shop-hook');
    expect((await shop.bot.api.getWebhookInfo()).url).toBe('https://shop.example.com/tg/shop-hook');
    const hook = botWebhookRoute(path);
    hook.attach(handler);
    const api = await startTestApi({ routes: [hook.route] });
    try {
      const user = randomTelegramId();
      const update = { update_id: 1, message: { message_id: 1, date: 1, chat: { id: user, type: 'private', first_name: 'W' }, from: { id: user, is_bot: false, first_name: 'W' }, text: '/help', entities: [{ type: 'bot_command', offset: 0, length: 5 }] } };
      const post = (secret?: string) => fetch(`${api.url}/tg/shop-hook`, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) }, body: JSON.stringify(update) });
      expect((await post()).status).toBe(401);
      expect((await post('wrong')).status).toBe(401);
      expect(fake.sentTo(user, token)).toEqual([]);
      expect((await post('hook_secret-1')).status).toBe(200);
      expect(fake.sentTo(user, token).map((m) => m.text)[0]).toMatch(/^📚 راهنما/);
    } finally {
      await api.close();
    }
  });
});
