import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small, strict fake of the Telegram Bot API for tests (node:http on 127.0.0.1, random port).
 *
 * Point grammY at it with `apiRoot` (`new Bot(token, { client: { apiRoot: fake.apiRoot } })`, or
 * `createTelegramSender({ apiRoot: fake.apiRoot, tokens })`). It answers
 * `${apiRoot}/bot<token>/<method>` (GET query, JSON, urlencoded or multipart/form-data bodies, as
 * Telegram does) and `${apiRoot}/file/bot<token>/<file_path>` for downloads.
 *
 * Strict like Telegram, so a bug that Telegram would refuse fails the test:
 * - unknown token → 401 Unauthorized; unknown method → 404 Not Found;
 * - every error is Telegram's envelope `{ ok: false, error_code, description, parameters? }`;
 * - `chat_id` required; text 1..4096 and caption ≤ 1024 characters after entity parsing;
 * - `parse_mode: 'HTML'` is parsed like Telegram's parser (tags b, strong, i, em, u, ins, s,
 *   strike, del, a, code, pre, tg-spoiler, span class="tg-spoiler", blockquote [expandable],
 *   tg-emoji; entities &lt; &gt; &amp; &quot; and numeric ones): unknown or unbalanced tags →
 *   400 "Bad Request: can't parse entities: …", with Telegram's wording and byte offsets;
 *   `MarkdownV2` is checked only for unescaped `# + - = | { } . !` (a common mistake);
 * - inline keyboards: every button needs exactly one action; callback_data 1..64 bytes else
 *   400 BUTTON_DATA_INVALID; url must be http(s)/tg with a real host else BUTTON_URL_INVALID;
 * - blocked chats (see `blockChat`) → 403 "Forbidden: bot was blocked by the user";
 * - file ids belong to the bot that received or sent the file: another bot's id is refused;
 * - sendPhoto needs real image bytes (JPEG/PNG/WebP/GIF/BMP magic) else IMAGE_PROCESS_FAILED;
 * - edits that change nothing → "message is not modified"; an edit without reply_markup removes
 *   the buttons; a callback query is answerable once;
 * - getUpdates long-polls honouring `timeout`, `offset` (confirms older updates) and `limit`; a
 *   second concurrent getUpdates ends the first with 409 Conflict, as on Telegram.
 *
 * Methods: getMe, sendMessage, sendPhoto, editMessageText, editMessageCaption,
 * editMessageReplyMarkup, answerCallbackQuery, deleteMessage, getUpdates, setWebhook,
 * deleteWebhook, getWebhookInfo, setMyCommands, getMyCommands, deleteMyCommands, sendChatAction,
 * getFile, getChatMember. Anything else answers 404 like an unknown method.
 *
 * Tokens in tests must not look like real bot tokens (the secrets scan): use e.g. `101:user-bot`.
 * The bot id is the numeric part before the colon.
 */

/** A file in a multipart upload, as the fake received it. */
export interface FakeUpload {
  filename: string | null;
  contentType: string | null;
  bytes: Buffer;
}

/** One request the fake received (including refused ones). */
export interface FakeCall {
  token: string;
  method: string;
  /** The parameters: JSON fields parsed (reply_markup, entities...), uploads as {@link FakeUpload}. */
  payload: Record<string, unknown>;
  /** HTTP status answered (200, 400, 401, 403, 404, 409, 429, 500, or 0 when the connection was dropped). */
  status: number;
  /** The `description` of an error answer. */
  description?: string;
}

/** An inline button as stored from reply_markup. */
export interface FakeButton {
  text: string;
  callback_data?: string;
  url?: string;
}

/** A message the fake holds for a chat (its current state after edits). */
export interface FakeMessage {
  token: string;
  chatId: number | string;
  messageId: number;
  date: number;
  kind: 'text' | 'photo';
  /** Text (or caption) after entity parsing: what the user reads. */
  text: string;
  /** Text (or caption) exactly as sent (e.g. the HTML source). */
  source: string;
  parseMode: string | null;
  entities: FakeEntity[];
  /** The photo's bytes and the file id this bot can reuse. */
  photo?: { bytes: Buffer; filename: string | null; fileId: string; fileUniqueId: string };
  /** reply_markup as sent (parsed), or undefined without one. */
  replyMarkup?: Record<string, unknown>;
  /** Inline keyboard rows (empty without one). */
  buttons: FakeButton[][];
  deleted: boolean;
  edits: number;
}

/** A message entity (offset/length in UTF-16 code units, as Telegram counts). */
export interface FakeEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
}

/** A failure to inject into the next call of a method. */
export type FakeFailure =
  | { status: 429; retryAfter: number }
  | { status: 500 | 502 | 503 | 504; description?: string }
  | { status: 400 | 401 | 403 | 404 | 409; description: string }
  /** Destroys the connection without an answer (a network error for the client). */
  | { status: 'drop' };

/** A file the fake stores for one bot. */
export interface FakeFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  bytes: Buffer;
}

/** The handle of a running fake. */
export interface FakeTelegram {
  /** Use as grammY's `apiRoot` (no trailing slash). */
  apiRoot: string;
  /** Every request received, in order. */
  calls: FakeCall[];
  /** Registers a bot token (tokens given to {@link startFakeTelegram} are registered already). */
  addBot(token: string, info?: { username?: string; firstName?: string }): void;
  /** Messages sent to a chat (by any bot, or by `token`), oldest first, in their current state. */
  sentTo(chatId: number | string, token?: string): FakeMessage[];
  /** Makes the chat answer 403 "bot was blocked by the user" (for `token`, or for every bot). */
  blockChat(chatId: number | string, token?: string): void;
  unblockChat(chatId: number | string, token?: string): void;
  /** The next call of `method` (by `token`, or any bot) fails this way; calls queue up. */
  failNext(method: string, failure: FakeFailure, opts?: { token?: string }): void;
  /** Queues an update for `token`'s getUpdates; assigns `update_id` when missing. Returns it. */
  pushUpdate(token: string, update: Record<string, unknown>): number;
  /** Sets a user's membership of a channel or group (getChatMember); unknown members are `left`. */
  setChatMember(chatId: number | string, userId: number, status: 'creator' | 'administrator' | 'member' | 'left' | 'kicked'): void;
  /** Stores a file for `token` (as if a user had sent it) so getFile and downloads work. */
  addFile(token: string, bytes: Buffer, opts?: { filePath?: string }): FakeFile;
  /** Stops the server; pending long polls answer an empty list first. */
  close(): Promise<void>;
}

/** Options of {@link startFakeTelegram}. */
export interface FakeTelegramOptions {
  /** Tokens accepted from the start. */
  tokens?: string[];
}

type ApiResult = { ok: true; result: unknown } | { ok: false; status: number; description: string; parameters?: Record<string, unknown> };

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

const bad = (description: string) => new ApiError(400, `Bad Request: ${description}`);

interface Bot {
  token: string;
  id: number;
  username: string;
  firstName: string;
  updates: Array<Record<string, unknown> & { update_id: number }>;
  nextUpdateId: number;
  poll: { res: http.ServerResponse; timer: NodeJS.Timeout; offset: number; limit: number; finish: (result: ApiResult) => void } | null;
  openCallbackQueries: Set<string>;
  files: Map<string, FakeFile>;
  webhookUrl: string;
  commands: Map<string, unknown[]>;
}

/** Fields Telegram reads as JSON when they arrive as form fields. */
const JSON_FIELDS = new Set([
  'reply_markup',
  'entities',
  'caption_entities',
  'link_preview_options',
  'reply_parameters',
  'allowed_updates',
  'commands',
  'scope',
  'media',
]);

/** Starts the fake on 127.0.0.1 and a random port. */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const bots = new Map<string, Bot>();
  const calls: FakeCall[] = [];
  const messages: FakeMessage[] = [];
  const nextMessageId = new Map<string, number>();
  const blocked = new Set<string>();
  const failures: Array<{ method: string; token?: string; failure: FakeFailure }> = [];
  const filesByPath = new Map<string, { token: string; file: FakeFile }>();
  const members = new Map<string, string>();
  const knownChats = new Set<string>();

  function addBot(token: string, info: { username?: string; firstName?: string } = {}): void {
    if (bots.has(token)) return;
    const id = Number(token.split(':')[0]);
    bots.set(token, {
      token,
      id: Number.isSafeInteger(id) && id > 0 ? id : 1,
      username: info.username ?? `fake_${token.split(':')[0]}_bot`,
      firstName: info.firstName ?? 'Fake bot',
      updates: [],
      nextUpdateId: 1,
      poll: null,
      openCallbackQueries: new Set(),
      files: new Map(),
      webhookUrl: '',
      commands: new Map(),
    });
  }
  for (const t of options.tokens ?? []) addBot(t);

  function addFile(token: string, bytes: Buffer, opts: { filePath?: string } = {}): FakeFile {
    const bot = bots.get(token);
    if (!bot) throw new Error('fake telegram: addFile for an unknown token');
    // Ids differ per bot (like Telegram's); the unique id is the same for the same content.
    const fileId = `${bot.id.toString(36)}_${randomBytes(12).toString('base64url')}`;
    const fileUniqueId = createHash('sha256').update(bytes).digest('base64url').slice(0, 16);
    const filePath = opts.filePath ?? `files/file_${bot.files.size + 1}_${fileUniqueId}`;
    const file = { fileId, fileUniqueId, filePath, bytes };
    bot.files.set(fileId, file);
    filesByPath.set(`${token}/${filePath}`, { token, file });
    return file;
  }

  const blockKey = (chatId: number | string, token?: string) => `${token ?? '*'}|${chatId}`;
  const isBlocked = (token: string, chatId: number | string) => blocked.has(blockKey(chatId)) || blocked.has(blockKey(chatId, token));

  function takeFailure(token: string, method: string): FakeFailure | null {
    const i = failures.findIndex((f) => f.method.toLowerCase() === method.toLowerCase() && (!f.token || f.token === token));
    if (i < 0) return null;
    return failures.splice(i, 1)[0].failure;
  }

  function botUser(bot: Bot) {
    return { id: bot.id, is_bot: true, first_name: bot.firstName, username: bot.username };
  }

  function toApiMessage(bot: Bot, m: FakeMessage): Record<string, unknown> {
    const chat = typeof m.chatId === 'number' && m.chatId > 0 ? { id: m.chatId, type: 'private', first_name: 'User' } : { id: m.chatId, type: 'supergroup', title: 'Chat' };
    const out: Record<string, unknown> = { message_id: m.messageId, date: m.date, chat, from: botUser(bot) };
    if (m.kind === 'text') {
      out.text = m.text;
      if (m.entities.length) out.entities = m.entities;
    } else {
      out.photo = [{ file_id: m.photo!.fileId, file_unique_id: m.photo!.fileUniqueId, width: 1, height: 1, file_size: m.photo!.bytes.length }];
      if (m.text) out.caption = m.text;
      if (m.entities.length) out.caption_entities = m.entities;
    }
    if (m.buttons.length) out.reply_markup = { inline_keyboard: m.buttons };
    if (m.edits > 0) out.edit_date = Math.floor(Date.now() / 1000);
    return out;
  }

  function findMessage(bot: Bot, p: Record<string, unknown>, what: 'edit' | 'delete'): FakeMessage {
    if (p.inline_message_id !== undefined) throw bad(`message to ${what} not found`);
    const chatId = requireChatId(p);
    const messageId = toInt(p.message_id);
    if (messageId === null) throw bad(`message identifier is not specified`);
    const m = messages.find((x) => x.token === bot.token && x.chatId === chatId && x.messageId === messageId && !x.deleted);
    if (!m) throw bad(`message to ${what} not found`);
    return m;
  }

  function store(bot: Bot, chatId: number | string, init: Omit<FakeMessage, 'token' | 'chatId' | 'messageId' | 'date' | 'deleted' | 'edits'>): FakeMessage {
    const key = `${bot.token}|${chatId}`;
    const id = (nextMessageId.get(key) ?? 0) + 1;
    nextMessageId.set(key, id);
    const m: FakeMessage = { token: bot.token, chatId, messageId: id, date: Math.floor(Date.now() / 1000), deleted: false, edits: 0, ...init };
    messages.push(m);
    return m;
  }

  const handlers: Record<string, (bot: Bot, p: Record<string, unknown>, res: http.ServerResponse) => unknown> = {
    getme: (bot) => ({ ...botUser(bot), can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),
    sendmessage(bot, p) {
      const chatId = requireChatId(p);
      const parsed = parseText(p.text, p.parse_mode, 4096, 'text');
      const buttons = parseReplyMarkup(p.reply_markup);
      if (isBlocked(bot.token, chatId)) throw new ApiError(403, 'Forbidden: bot was blocked by the user');
      const m = store(bot, chatId, { kind: 'text', text: parsed.text, source: String(p.text), parseMode: parseModeOf(p.parse_mode), entities: parsed.entities, replyMarkup: buttons.markup, buttons: buttons.rows });
      return toApiMessage(bot, m);
    },
    sendphoto(bot, p) {
      const chatId = requireChatId(p);
      const caption = p.caption === undefined ? { text: '', entities: [] } : parseText(p.caption, p.parse_mode, 1024, 'caption');
      const buttons = parseReplyMarkup(p.reply_markup);
      const photo = resolvePhoto(bot, p.photo);
      if (isBlocked(bot.token, chatId)) throw new ApiError(403, 'Forbidden: bot was blocked by the user');
      const m = store(bot, chatId, {
        kind: 'photo',
        text: caption.text,
        source: p.caption === undefined ? '' : String(p.caption),
        parseMode: parseModeOf(p.parse_mode),
        entities: caption.entities,
        photo,
        replyMarkup: buttons.markup,
        buttons: buttons.rows,
      });
      return toApiMessage(bot, m);
    },
    editmessagetext(bot, p) {
      const m = findMessage(bot, p, 'edit');
      if (m.kind !== 'text') throw bad('there is no text in the message to edit');
      const parsed = parseText(p.text, p.parse_mode, 4096, 'text');
      const buttons = parseReplyMarkup(p.reply_markup);
      assertModified(m, parsed, buttons.rows);
      Object.assign(m, { text: parsed.text, source: String(p.text), parseMode: parseModeOf(p.parse_mode), entities: parsed.entities, replyMarkup: buttons.markup, buttons: buttons.rows, edits: m.edits + 1 });
      return toApiMessage(bot, m);
    },
    editmessagecaption(bot, p) {
      const m = findMessage(bot, p, 'edit');
      if (m.kind !== 'photo') throw bad('there is no caption in the message to edit');
      const parsed = p.caption === undefined ? { text: '', entities: [] } : parseText(p.caption, p.parse_mode, 1024, 'caption');
      const buttons = parseReplyMarkup(p.reply_markup);
      assertModified(m, parsed, buttons.rows);
      Object.assign(m, { text: parsed.text, source: p.caption === undefined ? '' : String(p.caption), parseMode: parseModeOf(p.parse_mode), entities: parsed.entities, replyMarkup: buttons.markup, buttons: buttons.rows, edits: m.edits + 1 });
      return toApiMessage(bot, m);
    },
    editmessagereplymarkup(bot, p) {
      const m = findMessage(bot, p, 'edit');
      const buttons = parseReplyMarkup(p.reply_markup);
      assertModified(m, m, buttons.rows);
      Object.assign(m, { replyMarkup: buttons.markup, buttons: buttons.rows, edits: m.edits + 1 });
      return toApiMessage(bot, m);
    },
    deletemessage(bot, p) {
      const m = findMessage(bot, p, 'delete');
      m.deleted = true;
      return true;
    },
    answercallbackquery(bot, p) {
      const id = p.callback_query_id;
      if (typeof id !== 'string' && typeof id !== 'number') throw bad('query_id is empty');
      if (p.text !== undefined && Array.from(String(p.text)).length > 200) throw bad('MESSAGE_TOO_LONG');
      if (!bot.openCallbackQueries.delete(String(id))) throw bad('query is too old and response timeout expired or query ID is invalid');
      return true;
    },
    sendchataction(bot, p) {
      const chatId = requireChatId(p);
      const actions = ['typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note'];
      if (!actions.includes(String(p.action))) throw bad('wrong parameter action in request');
      if (isBlocked(bot.token, chatId)) throw new ApiError(403, 'Forbidden: bot was blocked by the user');
      return true;
    },
    setmycommands(bot, p) {
      const commands = p.commands;
      if (!Array.isArray(commands)) throw bad("can't parse commands JSON object");
      if (commands.length > 100) throw bad('BOT_COMMANDS_TOO_MUCH');
      for (const c of commands) {
        const cmd = (c as Record<string, unknown>)?.command;
        const desc = (c as Record<string, unknown>)?.description;
        if (typeof cmd !== 'string' || !/^[a-z0-9_]{1,32}$/.test(cmd)) throw bad('BOT_COMMAND_INVALID');
        if (typeof desc !== 'string' || desc.trim().length === 0 || Array.from(desc).length > 256) throw bad('BOT_COMMAND_DESCRIPTION_INVALID');
      }
      bot.commands.set(commandsKey(p), commands);
      return true;
    },
    getmycommands: (bot, p) => bot.commands.get(commandsKey(p)) ?? [],
    deletemycommands(bot, p) {
      bot.commands.delete(commandsKey(p));
      return true;
    },
    setwebhook(bot, p) {
      const url = String(p.url ?? '');
      if (url !== '' && !/^https:\/\//.test(url)) throw bad('bad webhook: An HTTPS URL must be provided for webhook');
      bot.webhookUrl = url;
      return true;
    },
    deletewebhook(bot, p) {
      bot.webhookUrl = '';
      if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') bot.updates.length = 0;
      return true;
    },
    getwebhookinfo: (bot) => ({ url: bot.webhookUrl, has_custom_certificate: false, pending_update_count: bot.updates.length }),
    getchatmember(_bot, p) {
      const chatId = requireChatId(p);
      const userId = toInt(p.user_id);
      if (userId === null) throw bad('user_id is empty');
      if (!knownChats.has(String(chatId))) throw bad('chat not found');
      const status = members.get(`${chatId}|${userId}`) ?? 'left';
      return { status, user: { id: userId, is_bot: false, first_name: 'User' } };
    },
    getfile(bot, p) {
      const file = bot.files.get(String(p.file_id ?? ''));
      if (!file) throw bad('invalid file_id');
      return { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.bytes.length, file_path: file.filePath };
    },
  };

  function resolvePhoto(bot: Bot, photo: unknown): NonNullable<FakeMessage['photo']> {
    if (photo === undefined || photo === null || photo === '') throw bad('there is no photo in the request');
    if (isUpload(photo)) {
      if (!isImage(photo.bytes)) throw bad('IMAGE_PROCESS_FAILED');
      const file = addFile(bot.token, photo.bytes, { filePath: `photos/file_${bot.files.size + 1}.jpg` });
      return { bytes: photo.bytes, filename: photo.filename, fileId: file.fileId, fileUniqueId: file.fileUniqueId };
    }
    const ref = String(photo);
    if (/^https?:\/\//.test(ref)) throw bad('failed to get HTTP URL content');
    const file = bot.files.get(ref);
    if (!file) throw bad('wrong file identifier/HTTP URL specified');
    return { bytes: file.bytes, filename: null, fileId: file.fileId, fileUniqueId: file.fileUniqueId };
  }

  function pushUpdate(token: string, update: Record<string, unknown>): number {
    const bot = bots.get(token);
    if (!bot) throw new Error('fake telegram: pushUpdate for an unknown token');
    const updateId = typeof update.update_id === 'number' ? update.update_id : bot.nextUpdateId;
    bot.nextUpdateId = Math.max(bot.nextUpdateId, updateId + 1);
    const cq = update.callback_query as { id?: unknown } | undefined;
    if (cq && cq.id !== undefined) bot.openCallbackQueries.add(String(cq.id));
    bot.updates.push({ ...update, update_id: updateId });
    if (bot.poll) {
      const ready = pendingUpdates(bot, bot.poll.offset, bot.poll.limit);
      if (ready.length) bot.poll.finish({ ok: true, result: ready });
    }
    return updateId;
  }

  function pendingUpdates(bot: Bot, offset: number, limit: number) {
    return bot.updates.filter((u) => u.update_id >= offset).slice(0, limit);
  }

  function getUpdates(bot: Bot, p: Record<string, unknown>, res: http.ServerResponse, respond: (r: ApiResult) => void): void {
    if (bot.webhookUrl) return respond({ ok: false, status: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" });
    const offset = toInt(p.offset) ?? 0;
    const limit = Math.min(100, Math.max(1, toInt(p.limit) ?? 100));
    const timeout = Math.max(0, toInt(p.timeout) ?? 0);
    if (offset > 0) bot.updates = bot.updates.filter((u) => u.update_id >= offset);
    else if (offset < 0) bot.updates = bot.updates.slice(offset);
    if (bot.poll) bot.poll.finish({ ok: false, status: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
    const ready = pendingUpdates(bot, offset, limit);
    if (ready.length || timeout === 0) return respond({ ok: true, result: ready });
    let done = false;
    const finish = (r: ApiResult) => {
      if (done) return;
      done = true;
      clearTimeout(poll.timer);
      if (bot.poll === poll) bot.poll = null;
      respond(r);
    };
    const poll = { res, offset, limit, finish, timer: setTimeout(() => finish({ ok: true, result: pendingUpdates(bot, offset, limit) }), timeout * 1000) };
    bot.poll = poll;
    // The client gave up (grammY aborts its poll on bot.stop()): forget the poll.
    res.on('close', () => {
      if (!done) {
        done = true;
        clearTimeout(poll.timer);
        if (bot.poll === poll) bot.poll = null;
      }
    });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks)).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(err)}` });
      });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      const entry = filesByPath.get(`${decodeURIComponent(file[1])}/${decodeURIComponent(file[2])}`);
      if (!entry) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': entry.file.bytes.length });
      res.end(entry.file.bytes);
      return;
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const token = decodeURIComponent(match[1]);
    const method = match[2];
    let payload: Record<string, unknown> = {};
    const call: FakeCall = { token, method, payload, status: 0 };
    calls.push(call);
    const respond = (r: ApiResult) => {
      call.status = r.ok ? 200 : r.status;
      if (!r.ok) call.description = r.description;
      if (res.writableEnded || res.destroyed) return;
      if (r.ok) sendJson(res, 200, { ok: true, result: r.result });
      else sendJson(res, r.status, { ok: false, error_code: r.status, description: r.description, ...(r.parameters ? { parameters: r.parameters } : {}) });
    };
    const bot = bots.get(token);
    if (!bot) return respond({ ok: false, status: 401, description: 'Unauthorized' });
    try {
      payload = parseRequest(url, req.headers['content-type'], body);
      call.payload = payload;
    } catch (err) {
      return respond(toResult(err));
    }
    const failure = takeFailure(token, method);
    if (failure) {
      if (failure.status === 'drop') {
        req.socket.destroy();
        return;
      }
      if (failure.status === 429) {
        return respond({ ok: false, status: 429, description: `Too Many Requests: retry after ${failure.retryAfter}`, parameters: { retry_after: failure.retryAfter } });
      }
      return respond({ ok: false, status: failure.status, description: failure.description ?? 'Internal Server Error' });
    }
    const lower = method.toLowerCase();
    if (lower === 'getupdates') return getUpdates(bot, payload, res, respond);
    const handler = Object.prototype.hasOwnProperty.call(handlers, lower) ? handlers[lower] : undefined;
    if (!handler) return respond({ ok: false, status: 404, description: 'Not Found' });
    try {
      respond({ ok: true, result: handler(bot, payload, res) });
    } catch (err) {
      respond(toResult(err));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    addBot,
    sentTo: (chatId, token) => messages.filter((m) => String(m.chatId) === String(chatId) && (!token || m.token === token)),
    blockChat: (chatId, token) => void blocked.add(blockKey(chatId, token)),
    unblockChat: (chatId, token) => void blocked.delete(blockKey(chatId, token)),
    failNext: (method, failure, opts = {}) => void failures.push({ method, token: opts.token, failure }),
    pushUpdate,
    addFile,
    setChatMember(chatId, userId, status) {
      knownChats.add(String(chatId));
      members.set(`${chatId}|${userId}`, status);
    },
    async close() {
      for (const bot of bots.values()) bot.poll?.finish({ ok: true, result: [] });
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function toResult(err: unknown): ApiResult {
  if (err instanceof ApiError) return { ok: false, status: err.status, description: err.description, parameters: err.parameters };
  return { ok: false, status: 500, description: `Internal Server Error: ${err instanceof Error ? err.message : String(err)}` };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

// ---------------------------------------------------------------- request parsing

function parseRequest(url: URL, contentType: string | undefined, body: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) out[k] = v;
  const type = (contentType ?? '').toLowerCase();
  if (body.length === 0) return normalizeFields(out);
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw bad("can't parse JSON object");
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad("can't parse JSON object");
    return { ...out, ...(parsed as Record<string, unknown>) };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) out[k] = v;
    return normalizeFields(out);
  }
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
    if (!boundary) throw bad('wrong multipart boundary');
    const parts = parseMultipart(body, boundary[1] ?? boundary[2].trim());
    const files = new Map<string, FakeUpload>();
    for (const part of parts) {
      if (part.filename !== null) files.set(part.name, { filename: part.filename, contentType: part.contentType, bytes: part.data });
      else out[part.name] = part.data.toString('utf8');
    }
    // `attach://<name>` points at a file part; a file part may also be named after the field.
    const attached = new Set<string>();
    for (const [k, v] of Object.entries(out)) {
      if (typeof v === 'string' && v.startsWith('attach://')) {
        const name = v.slice('attach://'.length);
        const f = files.get(name);
        if (!f) throw bad('wrong file identifier/HTTP URL specified');
        out[k] = f;
        attached.add(name);
      }
    }
    for (const [name, f] of files) if (!attached.has(name) && !(name in out)) out[name] = f;
    return normalizeFields(out);
  }
  throw bad('unsupported Content-Type');
}

function normalizeFields(fields: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v !== 'string' || !JSON_FIELDS.has(k)) continue;
    try {
      fields[k] = JSON.parse(v);
    } catch {
      // Left as a string; the method's validation reports it the way Telegram does.
    }
  }
  return fields;
}

interface MultipartPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

/**
 * multipart/form-data (RFC 7578), tolerant of the compact header style grammY writes
 * (`content-disposition:form-data;name="x";filename=y`).
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw bad('wrong multipart body');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), pos);
    if (next < 0) throw bad('wrong multipart body');
    const part = body.subarray(pos, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw bad('wrong multipart body');
    const headers = new Map<string, string>();
    for (const line of part.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const disposition = parseHeaderParams(headers.get('content-disposition') ?? '');
    const name = disposition.get('name');
    if (name === undefined) throw bad('wrong multipart body');
    parts.push({ name, filename: disposition.get('filename') ?? null, contentType: headers.get('content-type') ?? null, data: Buffer.from(part.subarray(headerEnd + 4)) });
    pos = next + 2;
  }
  return parts;
}

function parseHeaderParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  const rest = value.replace(/^[^;]*/, '');
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    params.set(m[1].toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim());
  }
  return params;
}

// ---------------------------------------------------------------- validation

function isUpload(v: unknown): v is FakeUpload {
  return typeof v === 'object' && v !== null && Buffer.isBuffer((v as FakeUpload).bytes);
}

function isImage(b: Buffer): boolean {
  if (b.length < 8) return false;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return true; // JPEG
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return true; // PNG
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return true;
  if (b.subarray(0, 4).toString('latin1') === 'GIF8') return true;
  return b.subarray(0, 2).toString('latin1') === 'BM';
}

function toInt(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}

function requireChatId(p: Record<string, unknown>): number | string {
  const v = p.chat_id;
  if (v === undefined || v === null || v === '') throw bad('chat_id is empty');
  const n = toInt(v);
  if (n !== null) return n;
  if (typeof v === 'string' && /^@[A-Za-z][A-Za-z0-9_]{3,}$/.test(v)) return v;
  throw bad('chat not found');
}

function parseModeOf(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function commandsKey(p: Record<string, unknown>): string {
  return JSON.stringify([p.scope ?? { type: 'default' }, p.language_code ?? '']);
}

function assertModified(m: FakeMessage, next: { text: string; entities: FakeEntity[] }, rows: FakeButton[][]): void {
  if (m.text === next.text && JSON.stringify(m.entities) === JSON.stringify(next.entities) && JSON.stringify(m.buttons) === JSON.stringify(rows)) {
    throw bad('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
  }
}

function parseText(value: unknown, parseMode: unknown, limit: number, what: 'text' | 'caption'): { text: string; entities: FakeEntity[] } {
  if (what === 'text' && (value === undefined || value === null)) throw bad('message text is empty');
  const source = String(value ?? '');
  const mode = typeof parseMode === 'string' ? parseMode : '';
  let parsed: { text: string; entities: FakeEntity[] };
  if (mode === '') parsed = { text: source, entities: [] };
  else if (mode.toLowerCase() === 'html') parsed = parseHtml(source);
  else if (mode === 'MarkdownV2') parsed = checkMarkdownV2(source);
  else if (mode === 'Markdown' || mode.toLowerCase() === 'markdown') parsed = { text: source.replace(/[*_`[\]]/g, ''), entities: [] };
  else throw bad('unsupported parse_mode');
  // Telegram trims leading and trailing whitespace of message texts.
  const trimmed = parsed.text.replace(/^\s+/, '');
  const lead = parsed.text.length - trimmed.length;
  const text = trimmed.replace(/\s+$/, '');
  const entities = parsed.entities
    .map((e) => ({ ...e, offset: e.offset - lead }))
    .map((e) => ({ ...e, length: Math.min(e.length, text.length - e.offset) }))
    .filter((e) => e.offset >= 0 && e.length > 0);
  if (what === 'text' && text.length === 0) throw bad('message text is empty');
  if (text.length > limit) throw bad(what === 'text' ? 'message is too long' : 'message caption is too long');
  return { text, entities };
}

function checkMarkdownV2(source: string): { text: string; entities: FakeEntity[] } {
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if ('#+-=|{}.!'.includes(c)) {
      throw bad(`can't parse entities: Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    }
  }
  return { text: source.replace(/\\(.)/g, '$1').replace(/[*_~`|]|\[|\]\([^)]*\)/g, ''), entities: [] };
}

function parseReplyMarkup(markup: unknown): { markup?: Record<string, unknown>; rows: FakeButton[][] } {
  if (markup === undefined || markup === null || markup === '') return { rows: [] };
  if (typeof markup !== 'object' || Array.isArray(markup)) throw bad("can't parse reply keyboard markup JSON object");
  const m = markup as Record<string, unknown>;
  if (m.inline_keyboard === undefined) {
    if (Array.isArray(m.keyboard) || m.remove_keyboard === true || m.force_reply === true) return { markup: m, rows: [] };
    throw bad("can't parse reply keyboard markup JSON object");
  }
  if (!Array.isArray(m.inline_keyboard)) throw bad("can't parse inline keyboard markup JSON object");
  const rows: FakeButton[][] = [];
  for (const row of m.inline_keyboard) {
    if (!Array.isArray(row)) throw bad('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
    rows.push(row.map(parseButton));
  }
  return { markup: m, rows };
}

const BUTTON_ACTIONS = ['callback_data', 'url', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat', 'switch_inline_query_chosen_chat', 'callback_game', 'pay', 'web_app', 'copy_text'];

function parseButton(raw: unknown): FakeButton {
  if (typeof raw !== 'object' || raw === null) throw bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  const b = raw as Record<string, unknown>;
  if (typeof b.text !== 'string') throw bad("can't parse inline keyboard button: Field \"text\" must be of type String");
  if (b.text.length === 0) throw bad('BUTTON_TEXT_INVALID');
  const actions = BUTTON_ACTIONS.filter((a) => b[a] !== undefined);
  if (actions.length === 0) throw bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
  if (actions.length > 1) throw bad("can't parse inline keyboard button: exactly one of the optional fields must be used");
  const out: FakeButton = { text: b.text };
  if (b.callback_data !== undefined) {
    const data = String(b.callback_data);
    const bytes = Buffer.byteLength(data, 'utf8');
    if (bytes < 1 || bytes > 64) throw bad('BUTTON_DATA_INVALID');
    out.callback_data = data;
  }
  if (b.url !== undefined) {
    const url = String(b.url);
    let ok = false;
    try {
      const u = new URL(url);
      ok = u.protocol === 'tg:' || ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.includes('.') && u.hostname !== 'localhost');
    } catch {
      ok = false;
    }
    if (!ok) throw bad('BUTTON_URL_INVALID');
    out.url = url;
  }
  return out;
}

// ---------------------------------------------------------------- Telegram HTML

const HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'tg-spoiler', 'span', 'blockquote', 'tg-emoji']);
const ENTITY_TYPE: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  code: 'code',
  pre: 'pre',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
  a: 'text_link',
};

/**
 * Telegram's HTML parse mode (the rules of TDLib's parser, which the Bot API uses): the text with
 * tags removed and entities decoded, plus the entities; errors use Telegram's wording.
 */
export function parseHtml(src: string): { text: string; entities: FakeEntity[] } {
  let text = '';
  const entities: FakeEntity[] = [];
  const stack: Array<{ name: string; offset: number; attrs: Map<string, string> }> = [];
  const byteOffset = (i: number) => Buffer.byteLength(src.slice(0, i), 'utf8');
  const fail = (msg: string): never => {
    throw bad(`can't parse entities: ${msg}`);
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '&') {
      const m = /^&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));/.exec(src.slice(i, i + 12));
      if (m) {
        if (m[1]) text += { lt: '<', gt: '>', amp: '&', quot: '"' }[m[1] as 'lt' | 'gt' | 'amp' | 'quot'];
        else text += String.fromCodePoint(m[2] !== undefined ? Number(m[2]) : parseInt(m[3], 16));
        i += m[0].length;
      } else {
        // Telegram keeps an '&' that does not start a known entity.
        text += c;
        i++;
      }
      continue;
    }
    if (c !== '<') {
      text += c;
      i++;
      continue;
    }
    const begin = i;
    if (src[i + 1] === '/') {
      i += 2;
      let name = '';
      while (i < src.length && src[i] !== '>' && !/\s/.test(src[i])) name += src[i++];
      while (i < src.length && /\s/.test(src[i])) i++;
      if (src[i] !== '>') fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
      i++;
      name = name.toLowerCase();
      const top = stack.pop();
      if (!top) fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
      if (top!.name !== name) fail(`Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${top!.name}>", found "</${name}>"`);
      closeEntity(top!, text.length, entities, stack);
      continue;
    }
    i++;
    let name = '';
    while (i < src.length && src[i] !== '>' && !/\s/.test(src[i])) name += src[i++];
    if (i >= src.length) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
    name = name.toLowerCase();
    if (!HTML_TAGS.has(name)) fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(begin)}`);
    const attrs = new Map<string, string>();
    for (;;) {
      while (i < src.length && /\s/.test(src[i])) i++;
      if (i >= src.length) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      if (src[i] === '>') {
        i++;
        break;
      }
      let attr = '';
      while (i < src.length && /[A-Za-z0-9_-]/.test(src[i])) attr += src[i++];
      if (attr === '') fail(`Empty attribute name in the tag "${name}" at byte offset ${byteOffset(begin)}`);
      attr = attr.toLowerCase();
      while (i < src.length && /\s/.test(src[i])) i++;
      if (src[i] !== '=') {
        if (name === 'blockquote' && attr === 'expandable') {
          attrs.set(attr, '');
          continue;
        }
        fail(`Expected equal sign in declaration of an attribute of the tag "${name}" at byte offset ${byteOffset(begin)}`);
      }
      i++;
      while (i < src.length && /\s/.test(src[i])) i++;
      let value = '';
      if (src[i] === '"' || src[i] === "'") {
        const quote = src[i++];
        const end = src.indexOf(quote, i);
        if (end < 0) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
        value = src.slice(i, end);
        i = end + 1;
      } else {
        while (i < src.length && !/[\s>]/.test(src[i])) value += src[i++];
      }
      attrs.set(attr, decodeAttr(value));
    }
    if (name === 'span' && attrs.get('class') !== 'tg-spoiler') fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
    if (name === 'tg-emoji' && !/^\d+$/.test(attrs.get('emoji-id') ?? '')) fail(`Custom emoji entity must contain a custom emoji identifier`);
    stack.push({ name, offset: text.length, attrs });
  }
  if (stack.length) fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1].name}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

function decodeAttr(v: string): string {
  return v.replace(/&(lt|gt|amp|quot);/g, (_, n: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"' })[n] ?? '');
}

function closeEntity(
  tag: { name: string; offset: number; attrs: Map<string, string> },
  end: number,
  entities: FakeEntity[],
  stack: Array<{ name: string; attrs: Map<string, string> }>,
): void {
  const length = end - tag.offset;
  if (length === 0) return;
  const e: FakeEntity = { type: ENTITY_TYPE[tag.name], offset: tag.offset, length };
  if (tag.name === 'a') {
    const href = tag.attrs.get('href');
    if (!href) return;
    e.url = href;
  }
  if (tag.name === 'blockquote' && tag.attrs.has('expandable')) e.type = 'expandable_blockquote';
  if (tag.name === 'tg-emoji') e.custom_emoji_id = tag.attrs.get('emoji-id');
  if (tag.name === 'code' && stack[stack.length - 1]?.name === 'pre') {
    const lang = /^language-(.+)$/.exec(tag.attrs.get('class') ?? '');
    if (lang) {
      // `<pre><code class="language-x">` is one pre entity with a language.
      const pre = stack[stack.length - 1] as { attrs: Map<string, string> };
      pre.attrs.set('language', lang[1]);
      return;
    }
  }
  if (tag.name === 'pre' && tag.attrs.has('language')) e.language = tag.attrs.get('language');
  entities.push(e);
}
