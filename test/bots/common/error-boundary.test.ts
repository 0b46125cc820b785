import { Bot, type Context } from 'grammy';
import type { I18nFlavor } from '@grammyjs/i18n';
import { Role } from '../../../src/entities/common';
import { errorBoundary } from '../../../src/bots/common/error-boundary';
import { toBotLanguage } from '../../../src/bots/common/format';
import { GraphqlClient } from '../../../src/bots/common/graphql-client';
import { createBotTexts } from '../../../src/bots/common/i18n';
import { withNavigation, MAIN_MENU_DATA } from '../../../src/bots/common/keyboards';
import { makeKey, startTestApi, type TestApi } from '../../helpers/api';
import { startFakeTelegram, type FakeTelegram } from '../../helpers/fake-telegram';
import { randomTelegramId } from '../../helpers/ids';

type Ctx = Context & I18nFlavor;
const TOKEN = '777:common-boundary-test-token';

describe('the bots error boundary', () => {
  let t: TestApi;
  let fake: FakeTelegram;
  let bot: Bot<Ctx>;
  const logged: string[] = [];
  let nextUpdate = 1;

  beforeAll(async () => {
    t = await startTestApi();
    const key = await makeKey(t.orm, Role.USER_BOT);
    fake = await startFakeTelegram({ tokens: [TOKEN] });
    const api = new GraphqlClient({ apiUrl: t.url, apiKey: key });
    const down = new GraphqlClient({ apiUrl: 'http://127.0.0.1:1', apiKey: key, timeoutMs: 2000 });
    const texts = createBotTexts<Ctx>([], (ctx) => toBotLanguage(ctx.from?.language_code));
    bot = new Bot<Ctx>(TOKEN, { client: { apiRoot: fake.apiRoot } });
    await bot.init();
    bot.use(texts.i18n);
    bot.use(errorBoundary<Ctx>({ has: texts.has, logger: { warn: (o, m) => logged.push(m), error: (o, m) => logged.push(m) } }));
    // A trial order with an unknown plan: the API refuses with a code.
    bot.command('bad', (ctx) => api.forUser(ctx.from!.id).request('mutation { createOrder(idempotencyKey: "boundary-test-1", input: { kind: NEW, planId: "00000000-0000-4000-8000-000000000000", paymentMethod: CARD_TO_CARD }) { id } }'));
    bot.command('down', (ctx) => down.forUser(ctx.from!.id).request('query { myCustomer { id } }'));
    bot.command('crash', () => {
      throw new Error('secret internal detail');
    });
    bot.command('menu', (ctx) => ctx.reply('menu', { reply_markup: withNavigation(ctx.t, undefined, 'sub:back') }));
  });
  afterAll(async () => {
    await fake.close();
    await t.close();
  });

  async function send(user: number, text: string, lang: string) {
    await bot.handleUpdate({
      update_id: nextUpdate++,
      message: {
        message_id: nextUpdate,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user, type: 'private', first_name: 'U' },
        from: { id: user, is_bot: false, first_name: 'U', language_code: lang },
        text,
        entities: [{ type: 'bot_command', offset: 0, length: text.length }],
      },
    });
    const sent = fake.sentTo(user, TOKEN);
    return sent[sent.length - 1];
  }

  it('answers an API refusal with the text of its code in the user language', async () => {
    const user = randomTelegramId();
    await t.gql('mutation { registerTelegramUser(input: {}) { id } }', {}, { key: await makeKey(t.orm, Role.USER_BOT), telegramId: user });
    const fa = await send(user, '/bad', 'fa');
    expect(fa.text).toBe('این پلن دیگر موجود نیست.');
    const en = await send(user, '/bad', 'en');
    expect(en.text).toBe('That plan is no longer available.');
  });

  it('tells the user to try again when the API is down, and never shows a raw error', async () => {
    const user = randomTelegramId();
    expect((await send(user, '/down', 'en')).text).toMatch(/not reachable right now\. Nothing was changed/);
    const crash = await send(user, '/crash', 'fa');
    expect(crash.text).toBe('مشکلی در سمت ما پیش آمد. لطفاً کمی بعد دوباره تلاش کنید.');
    expect(crash.text).not.toContain('secret');
    expect(logged).toContain('bot handler failed');
  });

  it('ends every inline screen with Back and Main menu in the user language', async () => {
    const user = randomTelegramId();
    const msg = await send(user, '/menu', 'en');
    expect(msg.buttons).toEqual([[{ text: '« Back', callback_data: 'sub:back' }, { text: '🏠 Main menu', callback_data: MAIN_MENU_DATA }]]);
  });
});
