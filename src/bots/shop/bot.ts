import { Bot, Composer, type Context } from 'grammy';
import { conversations } from '@grammyjs/conversations';
import { callbackPattern, decodeCallback } from '../../notifications/callback-data';
import {
  CallbackAnswers,
  chatStateCache,
  conversationStorage,
  createBaseBot,
  errorBoundary,
  floodLimit,
  GraphqlClient,
  retryTransformer,
  startPolling,
  startWebhook,
  useBotBasics,
  BOT_LANGUAGES,
  type BotConfig,
  type BotHandle,
  type BotStateStore,
  type BoundaryLogger,
  type WebhookHandler,
} from '../common';
import type { ShopContext, ShopSession } from './context';
import { buyFeature, openPlanByCode, receiptOutsideFlow, showPlans } from './buy';
import { requiredChannel } from './channel';
import { shopInfoCache, type ShopDeps } from './deps';
import { ReportBotBlockedDocument } from './graphql/generated';
import { helpFeature, showHelp } from './help';
import { menuItemOf, type MenuItem } from './menu';
import { sendMainMenu, showLanguageChoice, startFeature } from './start';
import { subscriptionsFeature, showSubscriptions } from './subscriptions';
import { showSupport, supportFeature } from './support';
import { createShopTexts, type ShopTexts } from './texts';
import { takeTrial } from './trial';
import { showWallet } from './wallet';

/** The shop bot's configuration (its key is the USER_BOT one). */
export type ShopBotConfig = BotConfig;

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
export function createShopBot(config: ShopBotConfig, botDeps: ShopBotDeps): ShopBot {
  const deps0 = botDeps;
  const texts = createShopTexts();
  const gql = new GraphqlClient({ apiUrl: config.apiUrl, apiKey: config.apiKey, timeoutMs: config.apiTimeoutMs, onRequest: deps0.onGraphqlRequest });
  const bot = createBaseBot<ShopContext>(config.token, { apiRoot: config.apiRoot, botInfo: config.botInfo });
  const answers = new CallbackAnswers();
  const log = deps0.logger;
  // One statement reads a chat's session and conversation state; an unchanged session is not written.
  const store = chatStateCache(deps0.store);

  // Only private chats: the shop is one-to-one.
  useBotBasics<ShopSession, ShopContext>(bot, { answers, store, onUpdateDone: deps0.onUpdateDone });
  bot.use((ctx, next) => {
    ctx.shop = { api: gql.forUser(ctx.from!.id), lang: ctx.session.lang ?? 'fa' };
    return next();
  });
  bot.use(texts.i18n);
  bot.use(
    errorBoundary<ShopContext>({
      has: texts.has,
      logger: log,
      // 403: recorded through the API (notifications stop), never retried.
      onBlocked: async (ctx) => {
        await ctx.shop.api.request(ReportBotBlockedDocument).catch(() => undefined);
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
      storage: { type: 'key', version: 1, adapter: conversationStorage(store), getStorageKey: (ctx) => ctx.chatId?.toString() },
      plugins: [
        answers.track,
        (ctx, next) => {
          ctx.api.config.use(retryTransformer());
          return next();
        },
      ],
    }),
  );

  const deps: ShopDeps = { texts, gql, apiRoot: config.apiRoot, token: config.token, apiUrl: config.apiUrl, apiKey: config.apiKey, shopInfo: shopInfoCache() };
  bot.use(requiredChannel(deps, (m) => log.warn({}, m), (ctx) => sendMainMenu(ctx, texts)));

  // Ways out of any flow: a command, a main-menu button, or any catalogued button that is not a
  // step of the flow itself (Main menu, sections, plans, notification buttons) ends the flow, then
  // goes on to its handler below.
  bot.use(async (ctx, next) => {
    const text = ctx.message?.text;
    const data = ctx.callbackQuery?.data;
    const known = decodeCallback(data);
    const escape = (text !== undefined && (text.startsWith('/') || menuItemOf(texts, text) !== null)) || (known !== null && known.name !== 'shopFlow');
    if (escape) await ctx.conversation.exitAll();
    await next();
  });

  const openSection = async (ctx: ShopContext, item: MenuItem) => {
    switch (item) {
      case 'buy':
        return showPlans(ctx);
      case 'subs':
        return showSubscriptions(ctx);
      case 'trial':
        return takeTrial(ctx);
      case 'wallet':
        return showWallet(ctx);
      case 'support':
        return showSupport(ctx, deps);
      case 'help':
        return showHelp(ctx, (await deps.shopInfo(ctx.shop.api)).supportHandle);
      case 'language':
        return showLanguageChoice(ctx, texts);
      default:
        return sendMainMenu(ctx, texts);
    }
  };

  // The flows (conversations) and what enters them.
  bot.use(buyFeature(deps));
  bot.use(supportFeature(deps));

  const exits = new Composer<ShopContext>();
  exits.use(startFeature(texts, { openPlan: openPlanByCode }));
  exits.command('cancel', async (ctx) => {
    await ctx.conversation.exitAll();
    await sendMainMenu(ctx, texts, 'nav-cancelled');
  });
  exits.command('buy', (ctx) => openSection(ctx, 'buy'));
  exits.command('wallet', (ctx) => openSection(ctx, 'wallet'));
  exits.command('support', (ctx) => openSection(ctx, 'support'));
  exits.command('help', (ctx) => openSection(ctx, 'help'));
  exits.command('language', (ctx) => openSection(ctx, 'language'));
  exits.callbackQuery(callbackPattern('menuMain'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await sendMainMenu(ctx, texts);
  });
  exits.callbackQuery(callbackPattern('shopSection'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await openSection(ctx, ctx.match[1] as MenuItem);
  });
  exits.on('message:text', async (ctx, next) => {
    const item = menuItemOf(texts, ctx.message.text);
    if (!item) return next();
    await openSection(ctx, item);
  });
  bot.use(exits);
  bot.use(subscriptionsFeature());
  bot.use(helpFeature());

  // Anything left: a stale or unknown button, or free text outside a flow.
  bot.on('callback_query', async (ctx) => {
    const known = decodeCallback(ctx.callbackQuery.data);
    await ctx.answerCallbackQuery({ text: ctx.t('nav-stale-button') });
    if (!known) await sendMainMenu(ctx, texts);
  });
  bot.on('message', async (ctx) => {
    if (await receiptOutsideFlow(ctx, deps)) return;
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
