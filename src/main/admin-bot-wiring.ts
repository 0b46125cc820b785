import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { RouteHandler } from '../http/api-server';
import type { Logger } from '../logger';
import type { BotHandle } from '../bots/common';
import { createAdminBot, type AdminBot } from '../bots/admin/bot';
import { postgresStateStore } from './bot-state.pg';
import { botWebhookRoute } from './shop-bot';

/** The admin bot of this configuration (null without ADMIN_BOT_TOKEN), its sessions in PostgreSQL. */
export function adminBotFromConfig(config: Config, orm: MikroORM, logger: Logger): AdminBot | null {
  if (!config.ADMIN_BOT_TOKEN || !config.ADMIN_BOT_API_KEY) return null;
  return createAdminBot(
    {
      token: config.ADMIN_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      apiUrl: config.BOT_API_URL,
      apiKey: config.ADMIN_BOT_API_KEY,
      flood: { limit: config.BOT_FLOOD_LIMIT * 2, windowMs: config.BOT_FLOOD_WINDOW_MS },
    },
    { store: postgresStateStore(orm, 'admin'), logger: logger.child({ bot: 'admin' }) },
  );
}

/** The admin bot in webhook mode (ADMIN_BOT_WEBHOOK_URL), served by this process's API. */
export function adminBotWebhook(config: Config, orm: MikroORM, logger: Logger): { route: RouteHandler; start(): Promise<void> } | null {
  if (!config.ADMIN_BOT_WEBHOOK_URL || !config.ADMIN_BOT_WEBHOOK_SECRET) return null;
  const bot = adminBotFromConfig(config, orm, logger);
  if (!bot) return null;
  const url = config.ADMIN_BOT_WEBHOOK_URL;
  const secret = config.ADMIN_BOT_WEBHOOK_SECRET;
  const hook = botWebhookRoute(new URL(url).pathname);
  return {
    route: hook.route,
    async start() {
      const { handler } = await bot.startWebhook({ url, secret });
      hook.attach(handler);
      await bot.setCommands();
      logger.info({ path: new URL(url).pathname }, 'admin bot: webhook registered');
    },
  };
}

/** The admin bot by long polling (when no webhook URL is set). */
export async function startAdminBotPolling(config: Config, orm: MikroORM, logger: Logger): Promise<BotHandle | null> {
  if (config.ADMIN_BOT_WEBHOOK_URL) return null;
  const bot = adminBotFromConfig(config, orm, logger);
  if (!bot) return null;
  const handle = await bot.startPolling();
  await bot.setCommands();
  logger.info('admin bot: long polling');
  return handle;
}
