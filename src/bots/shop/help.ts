import { Composer, InlineKeyboard } from 'grammy';
import { callbackPattern, encodeCallback } from '../../notifications/callback-data';
import { showScreen, withNavigation } from '../common';
import type { ShopContext } from './context';

/** Help pages: import guides per platform, the subscription URL, FAQ. */
export const HELP_TOPICS = ['android', 'ios', 'windows', 'macos', 'suburl', 'faq'] as const;
type HelpTopic = (typeof HELP_TOPICS)[number];

export async function showHelp(ctx: ShopContext, supportHandle?: string | null): Promise<void> {
  const kb = new InlineKeyboard();
  HELP_TOPICS.forEach((topic, i) => {
    kb.text(ctx.t(`help-${topic}`), encodeCallback('shopHelp', topic));
    if (i % 2 === 1) kb.row();
  });
  const handle = supportHandle ? `\n\n${ctx.t('support-handle', { handle: supportHandle })}` : '';
  await showScreen(ctx, `${ctx.t('help-title')}${handle}`, withNavigation(ctx.t, kb));
}

export function helpFeature(): Composer<ShopContext> {
  const c = new Composer<ShopContext>();
  c.callbackQuery(callbackPattern('shopHelp'), async (ctx) => {
    const topic = ctx.match[1] as HelpTopic;
    await ctx.answerCallbackQuery();
    if (!HELP_TOPICS.includes(topic)) return showHelp(ctx);
    await showScreen(ctx, ctx.t(`help-${topic}-text`), withNavigation(ctx.t, undefined, encodeCallback('shopSection', 'help')));
  });
  return c;
}
