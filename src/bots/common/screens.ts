import { GrammyError, type Context, type InlineKeyboard } from 'grammy';

/** Telegram's answer to an edit that changes nothing. */
export function isNotModified(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /message is not modified/i.test(err.description);
}

/**
 * Shows a screen (HTML): a button press edits the message it came from (a photo or a message that
 * can no longer be edited gets a new message instead); anything else sends a new message. An edit
 * that would change nothing is not an error. Link previews are off (subscription URLs).
 */
export async function showScreen(ctx: Context, html: string, keyboard?: InlineKeyboard): Promise<void> {
  const opts = { parse_mode: 'HTML' as const, reply_markup: keyboard, link_preview_options: { is_disabled: true } };
  const message = ctx.callbackQuery?.message;
  if (message && 'text' in message && message.text !== undefined) {
    try {
      await ctx.editMessageText(html, opts);
      return;
    } catch (err) {
      if (isNotModified(err)) return;
      if (!(err instanceof GrammyError && err.error_code === 400)) throw err;
      // Too old or gone: fall through to a new message.
    }
  }
  await ctx.reply(html, opts);
}

/** Sends a new HTML message (never edits). */
export async function sendScreen(ctx: Context, html: string, keyboard?: InlineKeyboard): Promise<void> {
  await ctx.reply(html, { parse_mode: 'HTML', reply_markup: keyboard, link_preview_options: { is_disabled: true } });
}
