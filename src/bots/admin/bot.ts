import { Bot } from 'grammy';
import { callbackPattern, decodeCallback } from '../../notifications/callback-data';
import {
  BOT_LANGUAGES,
  BotApiError,
  CallbackAnswers,
  createBaseBot,
  errorBoundary,
  floodLimit,
  GraphqlClient,
  startPolling,
  startWebhook,
  useBotBasics,
  type BotConfig,
  type BotHandle,
  type BotStateStore,
  type BoundaryLogger,
  type WebhookHandler,
} from '../common';
import { allowed } from './access';
import { broadcastFeature } from './broadcast';
import type { AdminContext, AdminSession } from './context';
import { codesFeature } from './codes';
import { customersFeature } from './customers';
import { dashboardFeature } from './dashboard';
import { PENDING_FEATURE, type Feature } from './feature';
import { menuFeature, showMainMenu, whoIs } from './menu';
import { paymentButtons, paymentsFeature } from './payments';
import { plansFeature } from './plans';
import { serversFeature } from './servers';
import { settingsFeature } from './settings';
import { subscriptionsFeature } from './subscriptions';
import { showTicket, ticketsFeature } from './tickets';
import { createAdminTexts, type AdminTexts } from './texts';

/** The admin bot's configuration (its key is the ADMIN_BOT one). */
export type AdminBotConfig = BotConfig;

export interface AdminBotDeps {
  /** Sessions (pending inputs, language) in PostgreSQL. */
  store: BotStateStore;
  logger: BoundaryLogger & { info(obj: Record<string, unknown>, msg: string): void };
  /** Called when an update has been handled completely (tests wait on it). */
  onUpdateDone?: (updateId: number) => void;
}

export interface AdminBot {
  bot: Bot<AdminContext>;
  texts: AdminTexts;
  setCommands(): Promise<void>;
  startPolling(opts?: { timeoutSeconds?: number }): Promise<BotHandle>;
  startWebhook(opts: { url: string; secret: string }): Promise<{ path: string; handler: WebhookHandler }>;
}

/** Commands published to Telegram (both languages). */
export const ADMIN_COMMANDS = ['menu', 'dashboard', 'payments', 'customers', 'servers', 'addserver', 'plans', 'addplan', 'codes', 'addcode', 'tickets', 'broadcast', 'settings', 'failed', 'language', 'cancel'] as const;

/**
 * The admin bot: a GraphQL client of our API acting for each admin (ADMIN_BOT key +
 * X-Telegram-User-Id). Only active admins get anything (one polite refusal for anyone else); every
 * button, command, replayed callback and typed value passes one role check by feature word before
 * it reaches a feature, and the API enforces roles again.
 */
export function createAdminBot(config: AdminBotConfig, deps: AdminBotDeps): AdminBot {
  const texts = createAdminTexts();
  const gql = new GraphqlClient({ apiUrl: config.apiUrl, apiKey: config.apiKey, timeoutMs: config.apiTimeoutMs });
  const bot = createBaseBot<AdminContext>(config.token, { apiRoot: config.apiRoot, botInfo: config.botInfo });
  const answers = new CallbackAnswers();
  const log = deps.logger;

  async function download(fileId: string): Promise<Buffer> {
    const file = await bot.api.getFile(fileId);
    const res = await fetch(`${config.apiRoot}/file/bot${config.token}/${file.file_path}`);
    if (!res.ok) throw new BotApiError('BAD_USER_INPUT', 'photo download failed');
    return Buffer.from(await res.arrayBuffer());
  }

  const features: Feature[] = [
    menuFeature,
    dashboardFeature,
    paymentsFeature,
    customersFeature,
    subscriptionsFeature,
    serversFeature,
    plansFeature,
    codesFeature,
    broadcastFeature(download),
    settingsFeature,
    ticketsFeature,
  ];
  const opens = Object.assign({}, ...features.map((f) => f.opens ?? {})) as Required<Feature>['opens'];
  const acts = Object.assign({}, ...features.map((f) => f.acts ?? {})) as Required<Feature>['acts'];
  const nums = Object.assign({}, ...features.map((f) => f.nums ?? {})) as Required<Feature>['nums'];
  const commands = Object.assign({}, ...features.map((f) => f.commands ?? {})) as Required<Feature>['commands'];
  const inputs = Object.assign({}, ...features.map((f) => f.inputs ?? {})) as Required<Feature>['inputs'];
  const steps = Object.assign({}, ...features.map((f) => f.steps ?? {})) as Required<Feature>['steps'];

  useBotBasics<AdminSession, AdminContext>(bot, { answers, store: deps.store, onUpdateDone: deps.onUpdateDone });
  bot.use(texts.i18n);
  bot.use(errorBoundary<AdminContext>({ has: texts.has, logger: log }));
  if (config.flood) bot.use(floodLimit<AdminContext>({ ...config.flood, text: (ctx) => ctx.t('flood-slow-down') }));

  // Access: the API says who this is; anyone who is not an active admin gets one refusal, then silence.
  bot.use(async (ctx, next) => {
    ctx.staff = { api: gql.forUser(ctx.from!.id), role: 'SUPPORT', name: '' };
    let who: Awaited<ReturnType<typeof whoIs>> = null;
    try {
      who = await whoIs(ctx);
    } catch (err) {
      if (!(err instanceof BotApiError) || (err.code !== 'FORBIDDEN' && err.code !== 'UNAUTHENTICATED')) throw err;
    }
    if (!who) {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
      if (!ctx.session.refused) {
        ctx.session.refused = true;
        await ctx.reply(`${texts.t('fa', 'access-denied')}\n\n${texts.t('en', 'access-denied')}`);
      }
      return;
    }
    ctx.session.refused = undefined;
    ctx.staff.role = who.role;
    ctx.staff.name = who.name;
    const lang = who.language === 'EN' ? 'en' : 'fa';
    if (ctx.session.lang !== lang) {
      ctx.session.lang = lang;
      await ctx.i18n.renegotiateLocale();
    }
    await next();
  });

  /** The one role check: false (and the admin told) when the role may not use `word`. */
  async function gate(ctx: AdminContext, word: string): Promise<boolean> {
    if (allowed(ctx.staff.role, word)) return true;
    log.warn({ chatId: ctx.chat?.id, word }, 'admin bot: refused by role');
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t('access-role-denied'), show_alert: true }).catch(() => undefined);
    else await ctx.reply(ctx.t('access-role-denied'));
    return false;
  }

  async function open(ctx: AdminContext, word: string): Promise<void> {
    const handler = opens[word];
    if (!handler) return stale(ctx);
    if (!(await gate(ctx, word))) return;
    ctx.session.pending = undefined;
    await handler(ctx);
  }

  async function stale(ctx: AdminContext): Promise<void> {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t('nav-stale-button') }).catch(() => undefined);
    await showMainMenu(ctx);
  }

  bot.command('cancel', async (ctx) => {
    ctx.session.pending = undefined;
    await showMainMenu(ctx, 'nav-cancelled');
  });
  bot.command(Object.keys(commands), (ctx) => open(ctx, commands[ctx.message!.text!.slice(1).split(/[\s@]/)[0]]));
  bot.callbackQuery(callbackPattern('menuMain'), async (ctx) => {
    ctx.session.pending = undefined;
    await showMainMenu(ctx);
  });
  bot.callbackQuery(callbackPattern('paymentApprove'), async (ctx) => {
    if (await gate(ctx, 'pay')) await paymentButtons.approve(ctx, ctx.match[1]);
  });
  bot.callbackQuery(callbackPattern('paymentReject'), async (ctx) => {
    if (await gate(ctx, 'pay')) await paymentButtons.askReason(ctx, ctx.match[1]);
  });
  // The new-ticket notification's button.
  bot.callbackQuery(callbackPattern('ticketOpen'), async (ctx) => {
    if (await gate(ctx, 'tk')) await showTicket(ctx, ctx.match[1]);
  });
  bot.callbackQuery(callbackPattern('adminOpen'), (ctx) => open(ctx, ctx.match[1]));
  bot.callbackQuery(callbackPattern('adminDo'), async (ctx) => {
    const [word, id] = [ctx.match[1], ctx.match[2]];
    const handler = acts[word];
    if (!handler) return stale(ctx);
    if (await gate(ctx, word)) await handler(ctx, id);
  });
  bot.callbackQuery(callbackPattern('adminNum'), async (ctx) => {
    const [word, n] = [ctx.match[1], Number(ctx.match[2])];
    const handler = nums[word];
    if (!handler) return stale(ctx);
    if (await gate(ctx, word)) await handler(ctx, n);
  });
  bot.callbackQuery(callbackPattern('adminStep'), async (ctx) => {
    const word = ctx.match[1];
    if (word === 'cancel') {
      ctx.session.pending = undefined;
      await ctx.answerCallbackQuery().catch(() => undefined);
      return showMainMenu(ctx, 'nav-cancelled');
    }
    const pending = ctx.session.pending;
    const handler = pending ? steps[pending.kind] : undefined;
    if (!pending || !handler) return stale(ctx);
    if (await gate(ctx, PENDING_FEATURE[pending.kind])) await handler(ctx, word);
  });
  bot.on('callback_query', async (ctx) => {
    if (!decodeCallback(ctx.callbackQuery.data)) return stale(ctx);
    await ctx.answerCallbackQuery({ text: ctx.t('nav-stale-button') });
  });
  bot.on('message', async (ctx) => {
    const pending = ctx.session.pending;
    const handler = pending ? inputs[pending.kind] : undefined;
    if (!pending || !handler) return showMainMenu(ctx);
    if (await gate(ctx, PENDING_FEATURE[pending.kind])) await handler(ctx, ctx.message);
  });

  bot.catch((err) => log.error({ err: err.error instanceof Error ? err.error.message : String(err.error) }, 'admin bot update failed'));

  return {
    bot,
    texts,
    async setCommands() {
      for (const lang of BOT_LANGUAGES) {
        const list = ADMIN_COMMANDS.map((command) => ({ command, description: texts.t(lang, `cmd-${command}`) }));
        await bot.api.setMyCommands(list, lang === 'fa' ? {} : { language_code: lang });
      }
    },
    startPolling: (opts) => startPolling(bot, opts),
    startWebhook: (opts) => startWebhook(bot, opts),
  };
}
