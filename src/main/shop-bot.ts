import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { RouteHandler } from '../http/api-server';
import type { Logger } from '../logger';
import type { BotHandle, WebhookHandler } from '../bots/common';
import { createShopBot, type ShopBot } from '../bots/shop/bot';
import { postgresStateStore } from './bot-state.pg';

/** The shop bot of this configuration (null without USER_BOT_TOKEN), its state in PostgreSQL. */
export function shopBotFromConfig(config: Config, orm: MikroORM, logger: Logger): ShopBot | null {
  if (!config.USER_BOT_TOKEN || !config.USER_BOT_API_KEY) return null;
  return createShopBot(
    {
      token: config.USER_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      apiUrl: config.BOT_API_URL,
      apiKey: config.USER_BOT_API_KEY,
      flood: { limit: config.BOT_FLOOD_LIMIT, windowMs: config.BOT_FLOOD_WINDOW_MS },
    },
    { store: postgresStateStore(orm, 'shop'), logger: logger.child({ bot: 'shop' }) },
  );
}

/**
 * A webhook route for the API process: POST to the webhook URL's path goes to the bot (grammY
 * checks Telegram's secret token). The handler is set once the bot has registered its webhook.
 */
export function botWebhookRoute(path: string): { route: RouteHandler; attach(handler: WebhookHandler): void } {
  let handler: WebhookHandler | null = null;
  return {
    route: async (req, res, url) => {
      if (url.pathname !== path) return false;
      if (req.method !== 'POST' || !handler) {
        res.writeHead(req.method !== 'POST' ? 405 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: req.method !== 'POST' ? 'use POST' : 'bot not ready' }));
        return true;
      }
      await handler(req, res);
      return true;
    },
    attach(h) {
      handler = h;
    },
  };
}

/** The shop bot in webhook mode, served by this process's API: route first, then setWebhook. */
export function shopBotWebhook(config: Config, orm: MikroORM, logger: Logger): { route: RouteHandler; start(): Promise<void> } | null {
  if (!config.USER_BOT_WEBHOOK_URL || !config.USER_BOT_WEBHOOK_SECRET) return null;
  const shop = shopBotFromConfig(config, orm, logger);
  if (!shop) return null;
  const url = config.USER_BOT_WEBHOOK_URL;
  const secret = config.USER_BOT_WEBHOOK_SECRET;
  const hook = botWebhookRoute(new URL(url).pathname);
  return {
    route: hook.route,
    async start() {
      const { handler } = await shop.startWebhook({ url, secret });
      hook.attach(handler);
      await shop.setCommands();
      logger.info({ path: new URL(url).pathname }, 'shop bot: webhook registered');
    },
  };
}

/** The shop bot by long polling (when no webhook URL is set). */
export async function startShopBotPolling(config: Config, orm: MikroORM, logger: Logger): Promise<BotHandle | null> {
  if (config.USER_BOT_WEBHOOK_URL) return null;
  const shop = shopBotFromConfig(config, orm, logger);
  if (!shop) return null;
  const handle = await shop.startPolling();
  await shop.setCommands();
  logger.info('shop bot: long polling');
  return handle;
}
