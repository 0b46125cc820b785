import { Api, GrammyError, HttpError, InputFile, type ApiClientOptions } from 'grammy';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import { scrubText } from '../logger';
import type { BotChannel, InlineButton, OutgoingMessage, SendResult, TelegramSender } from './telegram.types';

/** Telegram's limit for a photo caption, after entity parsing. */
const CAPTION_LIMIT = 1024;

/** Options of {@link createTelegramSender}. */
export interface TelegramSenderOptions {
  /** Bot API root without a trailing slash (config TELEGRAM_API_ROOT). */
  apiRoot: string;
  /** Bot tokens per channel; a missing token makes sends on that channel answer `not_configured`. */
  tokens: { USER_BOT?: string; ADMIN_BOT?: string };
  /** Replaces grammY's HTTP client (tests). */
  fetch?: typeof fetch;
  /** Per-request timeout in seconds. Default 30 (grammY's own default, 500 s, would stall a worker slot). */
  timeoutSeconds?: number;
}

/**
 * A {@link TelegramSender} on grammY's `Api`: HTML parse mode, inline buttons, link previews off,
 * photos uploaded as bytes. Errors come back as {@link SendResult} kinds, never thrown, and never
 * contain a bot token.
 */
export function createTelegramSender(options: TelegramSenderOptions): TelegramSender {
  const apis = new Map<BotChannel, Api>();
  const secrets = [options.tokens.USER_BOT, options.tokens.ADMIN_BOT].filter((t): t is string => !!t);
  const scrub = (text: string) => scrubSecrets(text, secrets);

  function apiFor(channel: BotChannel): Api | null {
    const token = options.tokens[channel];
    if (!token) return null;
    let api = apis.get(channel);
    if (!api) {
      const client: ApiClientOptions = { apiRoot: options.apiRoot, timeoutSeconds: options.timeoutSeconds ?? 30 };
      // grammY types `fetch` as node-fetch's; the WHATWG fetch is call-compatible.
      if (options.fetch) client.fetch = options.fetch as unknown as NonNullable<ApiClientOptions['fetch']>;
      api = new Api(token, client);
      apis.set(channel, api);
    }
    return api;
  }

  return {
    isConfigured(channel) {
      return !!options.tokens[channel];
    },
    async send(channel, chatId, message) {
      const api = apiFor(channel);
      if (!api) return { ok: false, kind: 'not_configured', description: `No bot token is configured for ${channel}.` };
      try {
        return { ok: true, ...(await deliver(api, chatId, message)) };
      } catch (err) {
        return classifyError(err, scrub);
      }
    },
    async edit(channel, chatId, messageId, message, opts) {
      const api = apiFor(channel);
      if (!api) return { ok: false, kind: 'not_configured', description: `No bot token is configured for ${channel}.` };
      // Without reply_markup Telegram removes the buttons: that is what an empty list means here.
      const replyMarkup = toReplyMarkup(message.buttons) ?? { inline_keyboard: [] };
      try {
        if (opts.captioned && message.html.length <= CAPTION_LIMIT) {
          await api.editMessageCaption(chatId, messageId, { caption: message.html, parse_mode: 'HTML', reply_markup: replyMarkup });
        } else {
          await api.editMessageText(chatId, messageId, message.html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true }, reply_markup: replyMarkup });
        }
        return { ok: true, messageId, captioned: opts.captioned };
      } catch (err) {
        if (err instanceof GrammyError && err.error_code === 400 && /message is not modified/i.test(err.description)) return { ok: true, messageId, captioned: opts.captioned };
        return classifyError(err, scrub);
      }
    },
  };
}

async function deliver(api: Api, chatId: number, message: OutgoingMessage): Promise<{ messageId: number; captioned: boolean }> {
  const replyMarkup = toReplyMarkup(message.buttons);
  if (!message.photo) {
    const sent = await api.sendMessage(chatId, message.html, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      reply_markup: replyMarkup,
    });
    return { messageId: sent.message_id, captioned: false };
  }
  const photo = new InputFile(message.photo.bytes, message.photo.filename);
  // Measured on the HTML source, which is never shorter than the parsed text: a safe upper bound.
  if (message.html.length <= CAPTION_LIMIT) {
    const sent = await api.sendPhoto(chatId, photo, { caption: message.html, parse_mode: 'HTML', reply_markup: replyMarkup });
    return { messageId: sent.message_id, captioned: true };
  }
  // Too long for a caption: the photo alone, then the text with the buttons (read last, acted on).
  await api.sendPhoto(chatId, photo);
  const sent = await api.sendMessage(chatId, message.html, {
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    reply_markup: replyMarkup,
  });
  return { messageId: sent.message_id, captioned: false };
}

function toReplyMarkup(rows: InlineButton[][] | undefined): InlineKeyboardMarkup | undefined {
  if (!rows || rows.length === 0) return undefined;
  return {
    inline_keyboard: rows.map((row) =>
      row.map((b): InlineKeyboardButton => ('url' in b ? { text: b.text, url: b.url } : { text: b.text, callback_data: b.callbackData })),
    ),
  };
}

/** Maps grammY's errors onto send outcomes (see {@link SendResult}). */
export function classifyError(err: unknown, scrub: (text: string) => string = scrubText): Exclude<SendResult, { ok: true }> {
  if (err instanceof GrammyError) {
    const description = scrub(`${err.error_code}: ${err.description}`);
    if (err.error_code === 403) return { ok: false, kind: 'blocked', description };
    // A user id the bot has never seen: as undeliverable as a block (Telegram answers 400 here).
    if (err.error_code === 400 && /chat not found/i.test(err.description)) return { ok: false, kind: 'blocked', description };
    if (err.error_code === 429) {
      const retryAfter = Math.max(1, Math.ceil(Number(err.parameters.retry_after ?? 1)));
      return { ok: false, kind: 'rate_limited', retryAfter, description };
    }
    if (err.error_code >= 400 && err.error_code < 500) return { ok: false, kind: 'bad_request', description };
    return { ok: false, kind: 'transient', description };
  }
  if (err instanceof HttpError) {
    // The inner error (node-fetch) names the URL, which contains the token: scrubbed.
    const inner = err.error instanceof Error ? `: ${err.error.message}` : '';
    return { ok: false, kind: 'transient', description: scrub(`${err.message}${inner}`) };
  }
  const text = err instanceof Error ? err.message : String(err);
  return { ok: false, kind: 'transient', description: scrub(text) };
}

/** Removes the configured tokens (whatever their shape) and anything token-like from a text. */
function scrubSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[REDACTED]');
  return scrubText(out).slice(0, 1000);
}
