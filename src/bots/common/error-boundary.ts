import type { Context, MiddlewareFn } from 'grammy';
import { GrammyError, HttpError } from 'grammy';
import { API_UNAVAILABLE, BotApiError } from './graphql-client';
import type { Translate } from './keyboards';

/** What a bot must log: never a token, key or user text, only what identifies the failure. */
export interface BoundaryLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** The message id of an API error code: `DISCOUNT_CODE_INVALID` → `error-discount-code-invalid`. */
export function errorMessageId(code: string): string {
  return `error-${code.toLowerCase().replace(/_/g, '-')}`;
}

/**
 * The user-facing text of a failure, in the user's language, from the error code only (never a
 * server message). Codes without a text (a newer API) fall back to `error-unknown`.
 */
export function errorText(t: Translate, has: (id: string) => boolean, err: unknown): string {
  if (err instanceof BotApiError) {
    const id = errorMessageId(err.code);
    return t(has(id) ? id : 'error-unknown');
  }
  return t('error-unknown');
}

/** True when Telegram says the user blocked the bot or deleted the account (403): record, never retry. */
export function isBlockedByUser(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 403;
}

/**
 * The outermost middleware of a bot: a handler that throws still gets the user an answer in their
 * language — the API error's text, or "try again" when the API is down — and a pending callback
 * query is answered so the button stops spinning. Errors talking to Telegram itself are logged only.
 */
export function errorBoundary<C extends Context & { t: Translate }>(opts: {
  has: (id: string) => boolean;
  logger: BoundaryLogger;
  onBlocked?: (ctx: C) => Promise<void> | void;
}): MiddlewareFn<C> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (isBlockedByUser(err)) {
        opts.logger.warn({ chatId: ctx.chat?.id }, 'user blocked the bot');
        await opts.onBlocked?.(ctx);
        return;
      }
      if (err instanceof GrammyError || err instanceof HttpError) {
        opts.logger.error({ err: err.message, chatId: ctx.chat?.id }, 'telegram call failed');
        return;
      }
      if (err instanceof BotApiError) {
        const level = err.code === API_UNAVAILABLE || err.code === 'INTERNAL_SERVER_ERROR' ? 'error' : 'warn';
        opts.logger[level]({ code: err.code, chatId: ctx.chat?.id }, 'api error shown to user');
      } else {
        opts.logger.error({ err: (err as Error)?.stack ?? String(err), chatId: ctx.chat?.id }, 'bot handler failed');
      }
      const text = errorText(ctx.t, opts.has, err);
      try {
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: text.slice(0, 200), show_alert: true }).catch(() => undefined);
        if (ctx.chat) await ctx.reply(text);
      } catch (replyErr) {
        opts.logger.error({ err: (replyErr as Error).message, chatId: ctx.chat?.id }, 'could not tell the user about an error');
      }
    }
  };
}
