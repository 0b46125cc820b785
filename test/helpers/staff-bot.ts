import type { MikroORM } from '@mikro-orm/postgresql';
import type { BotHandle } from '../../src/bots/common';
import { createAdminBot, type AdminBot } from '../../src/bots/admin/bot';
import { postgresStateStore } from '../../src/main/bot-state.pg';
import { botChat } from './bot-chat';
import type { FakeMessage, FakeTelegram } from './fake-telegram';

/**
 * The real admin bot, long polling against the fake Bot API, state in the test database, the real
 * API behind it. Each helper resolves once the bot has finished handling that update.
 */
export interface StaffHarness {
  token: string;
  bot: AdminBot;
  /** Warnings and errors the bot logged. */
  errors: string[];
  send(user: number, text: string): Promise<FakeMessage[]>;
  press(user: number, data: string, message?: FakeMessage): Promise<FakeMessage[]>;
  photo(user: number, bytes: Buffer, caption?: string): Promise<FakeMessage[]>;
  inbox(user: number): FakeMessage[];
  last(user: number): FakeMessage;
  withButton(user: number, data: string): FakeMessage;
  close(): Promise<void>;
}

let nextId = 2_000_000;

export async function startStaffHarness(opts: { fake: FakeTelegram; orm: MikroORM; apiUrl: string; apiKey: string; token: string }): Promise<StaffHarness> {
  const { token, fake } = opts;
  fake.addBot(token, { username: 'staff_test_bot' });
  const chat = botChat(fake, token);
  const bot = createAdminBot(
    { token, apiRoot: fake.apiRoot, apiUrl: opts.apiUrl, apiKey: opts.apiKey },
    {
      store: postgresStateStore(opts.orm, `staff-test-${token}`),
      logger: chat.logger,
      onUpdateDone: chat.onUpdateDone,
    },
  );
  const handle: BotHandle = await bot.startPolling({ timeoutSeconds: 30 });
  const { push, inbox } = chat;
  const person = (user: number) => ({ id: user, is_bot: false, first_name: 'Staff', username: `s${user}` });
  const message = (user: number, fields: Record<string, unknown>) => ({
    message: { message_id: nextId++, date: Math.floor(Date.now() / 1000), chat: { id: user, type: 'private', first_name: 'Staff' }, from: person(user), ...fields },
  });
  const h: StaffHarness = {
    token,
    bot,
    errors: chat.errors,
    send(user, text) {
      const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0].length }] : undefined;
      return push(message(user, { text, ...(entities ? { entities } : {}) }), user);
    },
    press(user, data, msg) {
      const m = msg ?? h.withButton(user, data);
      const apiMessage = {
        message_id: m.messageId,
        date: m.date,
        chat: { id: user, type: 'private', first_name: 'Staff' },
        from: { id: Number(token.split(':')[0]), is_bot: true, first_name: 'Staff bot' },
        ...(m.kind === 'text' ? { text: m.text } : { photo: [{ file_id: m.photo!.fileId, file_unique_id: m.photo!.fileUniqueId, width: 1, height: 1 }], caption: m.text }),
      };
      return push({ callback_query: { id: `cq${nextId++}`, from: person(user), chat_instance: `ci${user}`, data, message: apiMessage } }, user);
    },
    photo(user, bytes, caption) {
      const file = fake.addFile(token, bytes);
      return push(message(user, { photo: [{ file_id: file.fileId, file_unique_id: file.fileUniqueId, width: 800, height: 600 }], ...(caption ? { caption } : {}) }), user);
    },
    inbox,
    last: chat.last,
    withButton: chat.withButton,
    async close() {
      await handle.stop();
    },
  };
  return h;
}
