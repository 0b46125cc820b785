import type { MikroORM } from '@mikro-orm/postgresql';
import type { BotHandle } from '../../src/bots/common';
import { createShopBot, type ShopBot } from '../../src/bots/shop/bot';
import { postgresStateStore } from '../../src/main/bot-state.pg';
import { botChat } from './bot-chat';
import type { FakeMessage, FakeTelegram } from './fake-telegram';

/**
 * The real shop bot, long polling (the runner) against the fake Bot API, with its state in the
 * test database and the real API behind it. Updates are pushed into the fake like Telegram would
 * deliver them; each helper resolves once the bot has finished handling that update.
 */
export interface ShopHarness {
  token: string;
  shop: ShopBot;
  /** GraphQL requests the bot made, by operation name. */
  requests: string[];
  /** What the bot logged as warnings and errors. */
  errors: string[];
  /** Sends a text (a command when it starts with `/`). Returns the messages the user got for it. */
  send(user: number, text: string, opts?: { lang?: string }): Promise<FakeMessage[]>;
  /** Presses an inline button (callback data) on a message (default: the last one with that button). */
  press(user: number, data: string, message?: FakeMessage): Promise<FakeMessage[]>;
  /** Sends a photo (largest size last, as Telegram does) with an optional caption. */
  photo(user: number, bytes: Buffer, caption?: string): Promise<FakeMessage[]>;
  /** Sends a document, a sticker or any raw message fields. */
  raw(user: number, fields: Record<string, unknown>): Promise<FakeMessage[]>;
  /** Every message the user received from the shop bot, in their current state. */
  inbox(user: number): FakeMessage[];
  last(user: number): FakeMessage;
  /** The last message carrying a button with this data. */
  withButton(user: number, data: string): FakeMessage;
  /** Stops the bot and starts a new instance on the same database (a process restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

let nextMessageId = 1_000_000;

export async function startShopHarness(opts: { fake: FakeTelegram; orm: MikroORM; apiUrl: string; apiKey: string; token?: string; flood?: { limit: number; windowMs: number } }): Promise<ShopHarness> {
  const token = opts.token ?? '101:shop-bot-test';
  opts.fake.addBot(token, { username: 'shop_test_bot' });
  const chat = botChat(opts.fake, token);
  const requests: string[] = [];
  let shop: ShopBot;
  let handle: BotHandle;

  async function boot(): Promise<void> {
    shop = createShopBot(
      { token, apiRoot: opts.fake.apiRoot, apiUrl: opts.apiUrl, apiKey: opts.apiKey, flood: opts.flood },
      {
        store: postgresStateStore(opts.orm, `shop-test-${token}`),
        logger: chat.logger,
        onGraphqlRequest: (name) => requests.push(name ?? '?'),
        onUpdateDone: chat.onUpdateDone,
      },
    );
    handle = await shop.startPolling({ timeoutSeconds: 30 });
  }
  await boot();

  const { push, inbox } = chat;

  const person = (user: number, lang = 'fa') => ({ id: user, is_bot: false, first_name: 'Test <User>', username: `u${user}`, language_code: lang });
  const message = (user: number, fields: Record<string, unknown>, lang?: string) => ({
    message: { message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: user, type: 'private', first_name: 'Test' }, from: person(user, lang), ...fields },
  });

  const harness: ShopHarness = {
    token,
    get shop() {
      return shop;
    },
    requests,
    errors: chat.errors,
    send(user, text, o = {}) {
      const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0].length }] : undefined;
      return push(message(user, { text, ...(entities ? { entities } : {}) }, o.lang), user);
    },
    press(user, data, msg) {
      const m = msg ?? harness.withButton(user, data);
      const apiMessage = { message_id: m.messageId, date: m.date, chat: { id: user, type: 'private', first_name: 'Test' }, from: { id: Number(token.split(':')[0]), is_bot: true, first_name: 'Shop' }, ...(m.kind === 'text' ? { text: m.text } : { photo: [{ file_id: m.photo!.fileId, file_unique_id: m.photo!.fileUniqueId, width: 1, height: 1 }], caption: m.text }) };
      return push({ callback_query: { id: `cq${nextMessageId++}`, from: person(user), chat_instance: `ci${user}`, data, message: apiMessage } }, user);
    },
    photo(user, bytes, caption) {
      const small = opts.fake.addFile(token, Buffer.concat([bytes.subarray(0, 16), Buffer.from('small')]));
      const large = opts.fake.addFile(token, bytes);
      const sizes = [
        { file_id: small.fileId, file_unique_id: small.fileUniqueId, width: 90, height: 90, file_size: 21 },
        { file_id: large.fileId, file_unique_id: large.fileUniqueId, width: 1280, height: 960, file_size: bytes.length },
      ];
      return push(message(user, { photo: sizes, ...(caption ? { caption } : {}) }), user);
    },
    raw(user, fields) {
      return push(message(user, fields), user);
    },
    inbox,
    last: chat.last,
    withButton: chat.withButton,
    async restart() {
      await handle.stop();
      await boot();
    },
    async close() {
      await handle.stop();
    },
  };
  return harness;
}

/** The text of every button of a message, row by row. */
export function buttonTexts(m: FakeMessage): string[][] {
  return m.buttons.map((row) => row.map((b) => b.text));
}

/** The callback data of the button with this text (exact), or throws. */
export function buttonData(m: FakeMessage, text: string | RegExp): string {
  for (const row of m.buttons) for (const b of row) if ((typeof text === 'string' ? b.text === text : text.test(b.text)) && b.callback_data) return b.callback_data;
  throw new Error(`no button ${String(text)} in ${JSON.stringify(m.buttons)}`);
}
