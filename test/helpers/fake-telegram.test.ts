import { Api, Bot, GrammyError, InputFile } from 'grammy';
import { parseHtml, startFakeTelegram, type FakeTelegram } from './fake-telegram';

const TOKEN = '303:fake-server-test-token';
const OTHER = '404:other-bot-test-token';
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

async function apiError(p: Promise<unknown>): Promise<{ code: number; description: string; retryAfter?: number }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GrammyError) return { code: err.error_code, description: err.description, retryAfter: err.parameters.retry_after };
    throw err;
  }
  throw new Error('expected a Telegram error');
}

describe('fake Telegram Bot API', () => {
  let fake: FakeTelegram;
  let api: Api;

  beforeAll(async () => {
    fake = await startFakeTelegram({ tokens: [TOKEN, OTHER] });
    api = new Api(TOKEN, { apiRoot: fake.apiRoot });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('answers 401 Unauthorized to an unknown token and 404 to an unknown method', async () => {
    expect(await apiError(new Api('999:unknown-token', { apiRoot: fake.apiRoot }).getMe())).toEqual({ code: 401, description: 'Unauthorized' });
    const res = await fetch(`${fake.apiRoot}/bot${TOKEN}/sendTelepathy`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });

  it('parses Telegram HTML into text and entities and refuses what Telegram refuses', async () => {
    const msg = await api.sendMessage(1, '<b>Hi</b> &lt;you&gt; <a href="https://x.example">link</a> <code>a&amp;b</code>', { parse_mode: 'HTML' });
    expect(msg.text).toBe('Hi <you> link a&b');
    expect(msg.entities).toEqual([
      { type: 'bold', offset: 0, length: 2 },
      { type: 'text_link', offset: 9, length: 4, url: 'https://x.example' },
      { type: 'code', offset: 14, length: 3 },
    ]);
    expect(await apiError(api.sendMessage(1, 'a<br>b', { parse_mode: 'HTML' }))).toEqual({
      code: 400,
      description: `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 1`,
    });
    expect((await apiError(api.sendMessage(1, '<b>open', { parse_mode: 'HTML' }))).description).toBe(
      `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
    );
    expect((await apiError(api.sendMessage(1, '<b><i>x</b></i>', { parse_mode: 'HTML' }))).description).toMatch(/Unmatched end tag at byte offset 7, expected "<\/i>", found "<\/b>"/);
    expect((await apiError(api.sendMessage(1, 'x</b>', { parse_mode: 'HTML' }))).description).toMatch(/Unexpected end tag at byte offset 1/);
    expect((await apiError(api.sendMessage(1, '<span>x</span>', { parse_mode: 'HTML' }))).description).toMatch(/must have class "tg-spoiler"/);
    expect(parseHtml('<pre><code class="language-ts">x</code></pre>').entities).toEqual([{ type: 'pre', offset: 0, length: 1, language: 'ts' }]);
  });

  it('checks lengths, chat_id and inline keyboards like Telegram', async () => {
    expect((await apiError(api.sendMessage(1, 'x'.repeat(4097)))).description).toBe('Bad Request: message is too long');
    expect((await apiError(api.sendMessage(1, '  '))).description).toBe('Bad Request: message text is empty');
    expect((await apiError(api.raw.sendMessage({ text: 'x' } as never))).description).toBe('Bad Request: chat_id is empty');
    const long = 'x'.repeat(65);
    expect((await apiError(api.sendMessage(1, 'x', { reply_markup: { inline_keyboard: [[{ text: 'b', callback_data: long }]] } }))).description).toBe(
      'Bad Request: BUTTON_DATA_INVALID',
    );
    expect((await apiError(api.sendMessage(1, 'x', { reply_markup: { inline_keyboard: [[{ text: 'b' } as never]] } }))).description).toMatch(/Text buttons are unallowed/);
    expect((await apiError(api.sendMessage(1, 'x', { reply_markup: { inline_keyboard: [[{ text: 'b', url: 'http://localhost:4000/x' }]] } }))).description).toBe(
      'Bad Request: BUTTON_URL_INVALID',
    );
  });

  it('receives photos as multipart uploads, keeps their bytes and limits captions to 1024 characters', async () => {
    const msg = await api.sendPhoto(5, new InputFile(PNG_1X1, 'r.png'), {
      caption: '<b>receipt</b>',
      parse_mode: 'HTML',
      reply_markup: { inline_keyboard: [[{ text: 'ok', callback_data: 'pay:ok:1' }]] },
    });
    expect(msg.caption).toBe('receipt');
    const [stored] = fake.sentTo(5);
    expect(stored).toMatchObject({ kind: 'photo', text: 'receipt', buttons: [[{ text: 'ok', callback_data: 'pay:ok:1' }]] });
    expect(stored.photo!.bytes.equals(PNG_1X1)).toBe(true);
    expect(stored.photo!.filename).toBe('r.png');
    expect((await apiError(api.sendPhoto(5, new InputFile(PNG_1X1), { caption: 'x'.repeat(1025) }))).description).toBe('Bad Request: message caption is too long');
    expect((await apiError(api.sendPhoto(5, new InputFile(Buffer.from('not an image at all'))))).description).toBe('Bad Request: IMAGE_PROCESS_FAILED');
    // File ids belong to the bot that holds the file.
    const fileId = msg.photo[0].file_id;
    expect((await api.sendPhoto(6, fileId)).photo[0].file_id).toBe(fileId);
    const other = new Api(OTHER, { apiRoot: fake.apiRoot });
    expect((await apiError(other.sendPhoto(6, fileId))).description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
  });

  it('serves files through getFile and the /file/bot<token>/ path', async () => {
    const file = fake.addFile(TOKEN, PNG_1X1);
    const info = await api.getFile(file.fileId);
    const res = await fetch(`${fake.apiRoot}/file/bot${TOKEN}/${info.file_path}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    expect((await apiError(new Api(OTHER, { apiRoot: fake.apiRoot }).getFile(file.fileId))).description).toBe('Bad Request: invalid file_id');
  });

  it('refuses edits that change nothing, removes buttons on an edit without markup, and answers a callback once', async () => {
    const kb = { inline_keyboard: [[{ text: 'a', callback_data: 'a' }]] };
    const msg = await api.sendMessage(7, 'hello', { reply_markup: kb });
    expect((await apiError(api.editMessageText(7, msg.message_id, 'hello', { reply_markup: kb }))).description).toMatch(/^Bad Request: message is not modified/);
    await api.editMessageText(7, msg.message_id, 'hello again');
    expect(fake.sentTo(7)[0]).toMatchObject({ text: 'hello again', buttons: [], edits: 1 });
    expect((await apiError(api.editMessageText(7, 999, 'x'))).description).toBe('Bad Request: message to edit not found');
    await api.deleteMessage(7, msg.message_id);
    expect((await apiError(api.deleteMessage(7, msg.message_id))).description).toBe('Bad Request: message to delete not found');

    fake.pushUpdate(TOKEN, { callback_query: { id: 'cq1', from: { id: 7, is_bot: false, first_name: 'U' }, chat_instance: '1', data: 'a' } });
    expect(await api.answerCallbackQuery('cq1')).toBe(true);
    expect((await apiError(api.answerCallbackQuery('cq1'))).description).toMatch(/query is too old/);
  });

  it('answers 403 for blocked chats and injects 429 and 500 failures on demand', async () => {
    fake.blockChat(8);
    expect(await apiError(api.sendMessage(8, 'x'))).toEqual({ code: 403, description: 'Forbidden: bot was blocked by the user' });
    fake.unblockChat(8);
    fake.failNext('sendMessage', { status: 429, retryAfter: 7 });
    expect(await apiError(api.sendMessage(8, 'x'))).toEqual({ code: 429, description: 'Too Many Requests: retry after 7', retryAfter: 7 });
    fake.failNext('sendMessage', { status: 500 });
    expect((await apiError(api.sendMessage(8, 'x'))).code).toBe(500);
    await api.sendMessage(8, 'x');
    expect(fake.sentTo(8)).toHaveLength(1);
  });

  it('validates bot commands', async () => {
    await api.setMyCommands([{ command: 'start', description: 'Start' }]);
    expect(await api.getMyCommands()).toEqual([{ command: 'start', description: 'Start' }]);
    expect((await apiError(api.setMyCommands([{ command: 'Start', description: 'x' }]))).description).toBe('Bad Request: BOT_COMMAND_INVALID');
  });

  it('long-polls getUpdates, honours offset, and ends a concurrent poll with 409', async () => {
    const poller = new Api(OTHER, { apiRoot: fake.apiRoot });
    const pending = poller.getUpdates({ timeout: 5 });
    await new Promise((r) => setTimeout(r, 50));
    const id = fake.pushUpdate(OTHER, { message: { message_id: 1, date: 0, chat: { id: 9, type: 'private' }, text: 'hi' } });
    const updates = await pending;
    expect(updates.map((u) => u.update_id)).toEqual([id]);
    expect(await poller.getUpdates({ offset: id + 1, timeout: 0 })).toEqual([]);

    const first = poller.getUpdates({ timeout: 5 });
    await new Promise((r) => setTimeout(r, 50));
    const second = poller.getUpdates({ timeout: 1 });
    expect((await apiError(first)).code).toBe(409);
    const started = Date.now();
    expect(await second).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
  });

  it('drives a grammY bot with long polling', async () => {
    const token = '505:polling-bot-test-token';
    fake.addBot(token);
    const bot = new Bot(token, { client: { apiRoot: fake.apiRoot } });
    bot.command('start', (ctx) => ctx.reply('<b>Welcome</b>', { parse_mode: 'HTML' }));
    const polling = bot.start({ timeout: 1 });
    fake.pushUpdate(token, {
      message: { message_id: 1, date: 0, chat: { id: 10, type: 'private', first_name: 'U' }, from: { id: 10, is_bot: false, first_name: 'U' }, text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] },
    });
    for (let i = 0; i < 100 && fake.sentTo(10, token).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await bot.stop();
    await polling;
    expect(fake.sentTo(10, token).map((m) => m.text)).toEqual(['Welcome']);
  });
});
