import type { IncomingMessage, ServerResponse } from 'node:http';
import { Bot, session, type Context, type Middleware, type MiddlewareFn, type SessionFlavor, webhookCallback } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';
import { limit } from '@grammyjs/ratelimiter';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import type { UserFromGetMe, Update } from 'grammy/types';
import { botApiFetch } from './bot-api-fetch';
import { sessionStorage, type BotStateStore } from './state-store';

/**
 * How both bots run: the same plumbing (429 handling, per-chat order, flood limit, every callback
 * query answered) and the same two ways to receive updates — long polling through
 * @grammyjs/runner (concurrent across chats, in order within one), or a webhook that the API
 * process serves (Telegram's `secret_token` checked).
 */

/** The updates the bots use (anything else is not delivered). */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const satisfies ReadonlyArray<Exclude<keyof Update, 'update_id'>>;

export interface BotClientOptions {
  /** Telegram Bot API root without a trailing slash (tests: the fake's). */
  apiRoot: string;
  /** Skips getMe (tests, benchmarks). */
  botInfo?: UserFromGetMe;
}

/** What either bot is started with (its own token and API key; the rest is shared plumbing). */
export interface BotConfig extends BotClientOptions {
  /** The bot's token from @BotFather. */
  token: string;
  /** Base URL of our GraphQL API. */
  apiUrl: string;
  /** The bot's API key (USER_BOT for the shop bot, ADMIN_BOT for the admin bot). */
  apiKey: string;
  /** Per-user flood limit. */
  flood?: { limit: number; windowMs: number };
  /** GraphQL request timeout (ms). */
  apiTimeoutMs?: number;
}

/**
 * A grammY bot that retries 429 (honouring `retry_after`) and 5xx/network errors a few times, and
 * calls the Bot API over node:http (see bot-api-fetch.ts).
 */
export function createBaseBot<C extends Context>(token: string, opts: BotClientOptions): Bot<C> {
  const bot = new Bot<C>(token, { client: { apiRoot: opts.apiRoot, fetch: botApiFetch as never }, botInfo: opts.botInfo });
  bot.api.config.use(retryTransformer());
  return bot;
}

/** The 429 / flaky-network retry of every Bot API call (also installed inside conversations). */
export function retryTransformer() {
  return autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 });
}

/** Chat key for ordering: one chat's updates run one after another. */
export function chatKey(ctx: Context): string | undefined {
  return ctx.chat?.id.toString() ?? ctx.from?.id.toString();
}

/** Runs updates of one chat in order while different chats run concurrently (with the runner). */
export function perChatOrder<C extends Context>(): MiddlewareFn<C> {
  return sequentialize<C>(chatKey);
}

/**
 * Per-user flood limit: over `limit` updates in `windowMs` the extra ones are dropped; the first
 * dropped one gets a short "slow down" answer (a callback query is answered so it stops spinning).
 */
export function floodLimit<C extends Context>(opts: { limit: number; windowMs: number; text: (ctx: C) => string }): MiddlewareFn<C> {
  return limit<C, never>({
    timeFrame: opts.windowMs,
    limit: opts.limit,
    keyGenerator: (ctx) => ctx.from?.id.toString(),
    onLimitExceeded: async (ctx) => {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: opts.text(ctx) }).catch(() => undefined);
    },
  });
}

/**
 * Remembers which callback queries were answered (an API transformer sees every
 * answerCallbackQuery, inside conversations too), so the last middleware can answer the ones
 * nobody did: Telegram shows a spinner until then.
 */
export class CallbackAnswers {
  private readonly answered = new Set<string>();

  /** Install on `ctx.api` (outside and inside conversations). */
  readonly track: MiddlewareFn<Context> = (ctx, next) => {
    ctx.api.config.use((prev, method, payload, signal) => {
      if (method === 'answerCallbackQuery') this.answered.add(String((payload as { callback_query_id?: unknown }).callback_query_id));
      return prev(method, payload, signal);
    });
    return next();
  };

  /** Outermost: after everything ran, answers a still-open callback query (silently). */
  readonly ensure: MiddlewareFn<Context> = async (ctx, next) => {
    const id = ctx.callbackQuery?.id;
    try {
      await next();
    } finally {
      if (id !== undefined) {
        if (!this.answered.delete(id)) await ctx.answerCallbackQuery().catch(() => undefined);
      }
    }
  };
}

/**
 * The first middleware of both bots, in this order: the hook that sees each update finish (tests,
 * benchmarks), every callback query answered, per-chat ordering, private chats only (group
 * messages are ignored), then the session kept in PostgreSQL per chat.
 */
export function useBotBasics<S extends object, C extends Context & SessionFlavor<S>>(
  bot: Bot<C>,
  opts: { answers: CallbackAnswers; store: BotStateStore; onUpdateDone?: (updateId: number) => void },
): void {
  const done = opts.onUpdateDone;
  if (done) {
    bot.use(async (ctx, next) => {
      try {
        await next();
      } finally {
        done(ctx.update.update_id);
      }
    });
  }
  bot.use(opts.answers.ensure as Middleware<C>);
  bot.use(perChatOrder<C>());
  bot.use(opts.answers.track as Middleware<C>);
  bot.filter((ctx) => ctx.chat?.type !== 'private' || !ctx.from, () => undefined);
  bot.use(session<S, C>({ initial: () => ({}) as S, storage: sessionStorage<S>(opts.store), getSessionKey: (ctx) => ctx.chat?.id.toString() }));
}

/** A running bot. */
export interface BotHandle {
  stop(): Promise<void>;
}

/** Long polling with the runner: deletes a webhook first (Telegram refuses getUpdates while one is set). */
export async function startPolling<C extends Context>(bot: Bot<C>, opts: { timeoutSeconds?: number; concurrency?: number } = {}): Promise<BotHandle> {
  await bot.init();
  await bot.api.deleteWebhook();
  const handle: RunnerHandle = run(bot, {
    runner: { fetch: { timeout: opts.timeoutSeconds ?? 30, allowed_updates: ALLOWED_UPDATES }, silent: true, retryInterval: 'exponential', maxRetryTime: 15 * 60 * 1000 },
    sink: { concurrency: opts.concurrency ?? 500 },
  });
  return {
    async stop() {
      if (handle.isRunning()) await handle.stop();
    },
  };
}

/** A webhook endpoint: node:http handler for the API process. */
export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Webhook mode: registers `url` with Telegram (with the secret token and our allowed updates) and
 * returns the HTTP handler for the API process to serve at the URL's path. Requests without the
 * secret are refused with 401 by grammY.
 */
export async function startWebhook<C extends Context>(bot: Bot<C>, opts: { url: string; secret: string }): Promise<{ path: string; handler: WebhookHandler }> {
  await bot.init();
  await bot.api.setWebhook(opts.url, { secret_token: opts.secret, allowed_updates: ALLOWED_UPDATES, drop_pending_updates: false });
  const callback = webhookCallback(bot, 'http', { secretToken: opts.secret, onTimeout: 'return', timeoutMilliseconds: 9_000 });
  return { path: new URL(opts.url).pathname, handler: (req, res) => callback(req, res) };
}
