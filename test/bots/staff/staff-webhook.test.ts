import { AdminRole, Role } from '../../../src/entities/common';
import { createLogger } from '../../../src/logger';
import { adminBotWebhook } from '../../../src/main/admin-bot-wiring';
import { addAdmin } from '../../../src/services/admin.service';
import { makeKey, startTestApi, testConfig, type TestApi } from '../../helpers/api';
import { startFakeTelegram, type FakeTelegram } from '../../helpers/fake-telegram';
import { randomTelegramId } from '../../helpers/ids';

const TOKEN = '603:staff-webhook-test';
const SECRET = 'staff_hook-secret-1';

describe('admin bot in webhook mode (ADMIN_BOT_WEBHOOK_URL and secret, served by the API process)', () => {
  let t: TestApi;
  let fake: FakeTelegram;

  beforeAll(async () => {
    t = await startTestApi();
    fake = await startFakeTelegram({ tokens: [TOKEN] });
  });
  afterAll(async () => {
    await fake.close();
    await t.close();
  });

  it('registers the webhook with Telegram, handles an update posted with the secret and refuses one without it or with a wrong one', async () => {
    const admin = randomTelegramId();
    await addAdmin(t.orm.em.fork(), { telegramId: admin, role: AdminRole.ADMIN, displayName: 'Hooked' });
    const config = testConfig({
      ADMIN_BOT_TOKEN: TOKEN,
      ADMIN_BOT_API_KEY: await makeKey(t.orm, Role.ADMIN_BOT),
      TELEGRAM_API_ROOT: fake.apiRoot,
      BOT_API_URL: t.url,
      ADMIN_BOT_WEBHOOK_URL: 'https://ops.example.com/tg/staff-hook',
      ADMIN_BOT_WEBHOOK_SECRET: SECRET,
    });
    const hook = adminBotWebhook(config, t.orm, createLogger({ level: 'silent' }));
    expect(hook).not.toBeNull();
    // The route answers before the bot is ready (the API starts first), then serves the bot.
    const api = await startTestApi({ orm: t.orm, routes: [hook!.route] });
    try {
      const update = (id: number) => ({
        update_id: id,
        message: { message_id: id, date: 1, chat: { id: admin, type: 'private', first_name: 'H' }, from: { id: admin, is_bot: false, first_name: 'H' }, text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] },
      });
      const post = (id: number, secret?: string) =>
        fetch(`${api.url}/tg/staff-hook`, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) }, body: JSON.stringify(update(id)) });
      expect((await post(1, SECRET)).status).toBe(503);

      await hook!.start();
      const admins = fake.calls.filter((c) => c.token === TOKEN);
      expect(admins.find((c) => c.method === 'setWebhook')?.payload).toMatchObject({ url: 'https://ops.example.com/tg/staff-hook', secret_token: SECRET });
      expect(admins.some((c) => c.method === 'setMyCommands')).toBe(true);

      expect((await post(2)).status).toBe(401);
      expect((await post(3, 'wrong-secret')).status).toBe(401);
      expect(fake.sentTo(admin, TOKEN)).toEqual([]);

      expect((await post(4, SECRET)).status).toBe(200);
      const [menu] = fake.sentTo(admin, TOKEN);
      expect(menu.text).toContain('Hooked');
      expect(menu.buttons.flat().map((b) => b.callback_data)).toContain('ao:dash');
      const get = await fetch(`${api.url}/tg/staff-hook`);
      expect(get.status).toBe(405);
    } finally {
      await api.close();
    }
  });
});
