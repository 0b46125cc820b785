import { Bot, Composer, session, type Context, type Middleware } from 'grammy';
import { conversations } from '@grammyjs/conversations';
import type { UserFromGetMe } from 'grammy/types';
import { callbackPattern, decodeCallback } from '../../notifications/callback-data';
import {
  CallbackAnswers,
  conversationStorage,
  createBaseBot,
  errorBoundary,
  floodLimit,
  GraphqlClient,
  perChatOrder,
  retryTransformer,
  sessionStorage,
  startPolling,
  startWebhook,
  BOT_LANGUAGES,
  type BotHandle,
  type BotStateStore,
  type BoundaryLogger,
  type WebhookHandler,
} from '../common';
import type { ShopContext, ShopSession } from './context';
import { helpFeature, showHelp } from './help';
import { menuItemOf, type MenuItem } from './menu';
import { sendMainMenu, showLanguageChoice, startFeature } from './start';
import { createShopTexts, type ShopTexts } from './texts';

export interface ShopBotConfig {
  /** The bot token from @BotFather. */
  token: string;
  /** Telegram Bot API root (no trailing slash). */
  apiRoot: string;
  /** Base URL of our GraphQL API. */
  apiUrl: string;
  /** The USER_BOT API key. */
  apiKey: string;
  /** Per-user flood limit. */
  flood?: { limit: number; windowMs: number };
  /** Skips getMe (tests, benchmark). */
  botInfo?: UserFromGetMe;
  /** GraphQL request timeout (ms). */
  apiTimeoutMs?: number;
}

export interface ShopBotLogger extends BoundaryLogger {
  info(obj: Record<string, unknown>, msg: string): void;
}

export interface ShopBotDeps {
  /** Sessions and conversation state (PostgreSQL in production). */
  store: BotStateStore;
  logger: ShopBotLogger;
  /** Called once per GraphQL request (benchmark: requests per screen). */
  onGraphqlRequest?: (operationName: string | undefined) => void;
  /** Called when an update has been handled completely (tests and the benchmark wait on it). */
  onUpdateDone?: (updateId: number) => void;
}

export interface ShopBot {
  bot: Bot<ShopContext>;
  texts: ShopTexts;
  /** Publishes the command list in Persian (default) and English. */
  setCommands(): Promise<void>;
  /** Long polling through the runner. */
  startPolling(opts?: { timeoutSeconds?: number }): Promise<BotHandle>;
  /** Webhook mode: registers the URL and returns the handler the API process serves. */
  startWebhook(opts: { url: string; secret: string }): Promise<{ path: string; handler: WebhookHandler }>;
}

/** The commands shown in Telegram's menu, in both languages. */
export const SHOP_COMMANDS = ['start', 'buy', 'subs', 'wallet', 'support', 'help', 'language', 'cancel'] as const;

/**
 * The shop bot: a GraphQL client of our API acting for each Telegram user (USER_BOT key +
 * X-Telegram-User-Id). Middleware order matters: callback answering and per-chat order first, then
 * session (PostgreSQL), texts, the error boundary, the flood limit; then conversations; then the
 * ways out of any flow (/cancel, /start, Main menu, menu buttons, notification buttons), which are
 * registered before the conversations so they always win; then the flows and screens.
 */
export function createShopBot(config: ShopBotConfig, deps: ShopBotDeps): ShopBot {
  const texts = createShopTexts();
  const gql = new GraphqlClient({ apiUrl: config.apiUrl, apiKey: config.apiKey, timeoutMs: config.apiTimeoutMs, onRequest: deps.onGraphqlRequest });
  const bot = createBaseBot<ShopContext>(config.token, { apiRoot: config.apiRoot, botInfo: config.botInfo });
  const answers = new CallbackAnswers();
  const log = deps.logger;

  if (deps.onUpdateDone) {
    const done = deps.onUpdateDone;
    bot.use(async (ctx, next) => {
      try {
        await next();
      } finally {
        done(ctx.update.update_id);
      }
    });
  }
  bot.use(answers.ensure as Middleware<ShopContext>);
  bot.use(perChatOrder<ShopContext>());
  bot.use(answers.track as Middleware<ShopContext>);
  // Only private chats: the shop is one-to-one.
  bot.filter((ctx) => ctx.chat?.type !== 'private' || !ctx.from, () => undefined);
  bot.use(session<ShopSession, ShopContext>({ initial: () => ({}), storage: sessionStorage<ShopSession>(deps.store), getSessionKey: (ctx) => ctx.chat?.id.toString() }));
  bot.use((ctx, next) => {
    ctx.shop = { api: gql.forUser(ctx.from!.id), lang: ctx.session.lang ?? 'fa' };
    return next();
  });
  bot.use(texts.i18n);
  bot.use(
    errorBoundary<ShopContext>({
      has: texts.has,
      logger: log,
      onBlocked: async (ctx) => {
        log.warn({ chatId: ctx.chat?.id }, 'shop bot blocked by user');
      },
    }),
  );
  if (config.flood) bot.use(floodLimit<ShopContext>({ ...config.flood, text: (ctx) => ctx.t('flood-slow-down') }));

  // Banned: silence (one polite message was sent when the API said so); /start re-checks.
  bot.use(async (ctx, next) => {
    if (ctx.session.banned && !ctx.message?.text?.startsWith('/start')) return;
    await next();
  });

  bot.use(
    conversations<ShopContext, Context>({
      storage: { type: 'key', version: 1, adapter: conversationStorage(deps.store), getStorageKey: (ctx) => ctx.chatId?.toString() },
      plugins: [
        answers.track,
        (ctx, next) => {
          ctx.api.config.use(retryTransformer());
          return next();
        },
      ],
    }),
  );

  const openSection = async (ctx: ShopContext, item: MenuItem) => {
    await ctx.conversation.exitAll();
    switch (item) {
      case 'help':
        return showHelp(ctx);
      case 'language':
        return showLanguageChoice(ctx, texts);
      default:
        return sendMainMenu(ctx, texts);
    }
  };

  // Ways out of any flow: registered before the conversations so they always win.
  const exits = new Composer<ShopContext>();
  exits.use(startFeature(texts, { openPlan: async (ctx) => sendMainMenu(ctx, texts) }));
  exits.command('cancel', async (ctx) => {
    await ctx.conversation.exitAll();
    await sendMainMenu(ctx, texts, 'nav-cancelled');
  });
  exits.command('help', (ctx) => openSection(ctx, 'help'));
  exits.command('language', (ctx) => openSection(ctx, 'language'));
  exits.callbackQuery(callbackPattern('menuMain'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.exitAll();
    await sendMainMenu(ctx, texts);
  });
  exits.callbackQuery(callbackPattern('shopSection'), async (ctx) => {
    await ctx.answerCallbackQuery();
    const item = ctx.match[1] as MenuItem;
    await openSection(ctx, item);
  });
  exits.on('message:text', async (ctx, next) => {
    const item = menuItemOf(texts, ctx.message.text);
    if (!item) return next();
    await openSection(ctx, item);
  });
  bot.use(exits);

  bot.use(helpFeature());

  // Anything left: a stale or unknown button, or free text outside a flow.
  bot.on('callback_query', async (ctx) => {
    const known = decodeCallback(ctx.callbackQuery.data);
    await ctx.answerCallbackQuery({ text: ctx.t('nav-stale-button') });
    if (!known) await sendMainMenu(ctx, texts);
  });
  bot.on('message', async (ctx) => {
    await sendMainMenu(ctx, texts, 'menu-unknown');
  });

  bot.catch((err) => log.error({ err: err.error instanceof Error ? err.error.message : String(err.error) }, 'shop bot update failed'));

  return {
    bot,
    texts,
    async setCommands() {
      for (const lang of BOT_LANGUAGES) {
        const commands = SHOP_COMMANDS.map((command) => ({ command, description: texts.t(lang, `cmd-${command === 'start' ? 'start' : command}`) }));
        await bot.api.setMyCommands(commands, lang === 'fa' ? {} : { language_code: lang });
      }
    },
    startPolling: (opts) => startPolling(bot, opts),
    startWebhook: (opts) => startWebhook(bot, opts),
  };
}
