import { startAdminBotPolling } from './admin-bot-wiring';
import { bootstrap, onShutdown, runMain } from './bootstrap';

/**
 * The admin bot process (long polling). Its sessions live in PostgreSQL; it talks to the shop only
 * through the GraphQL API (BOT_API_URL) with the ADMIN_BOT key. In webhook mode
 * (ADMIN_BOT_WEBHOOK_URL) the API process serves the bot instead.
 */
runMain(async () => {
  const rt = await bootstrap('admin-bot', 'shared');
  const { config, logger } = rt;
  const stop = async () => {
    await rt.orm.close();
    await rt.db.stop();
  };
  if (!config.ADMIN_BOT_TOKEN) {
    logger.warn('ADMIN_BOT_TOKEN is not set: the admin bot has nothing to run');
    return stop();
  }
  if (config.ADMIN_BOT_WEBHOOK_URL) {
    logger.warn({ url: config.ADMIN_BOT_WEBHOOK_URL }, 'ADMIN_BOT_WEBHOOK_URL is set: the API process (npm run start:api or npm start) serves the admin bot; nothing to run here');
    return stop();
  }
  const handle = await startAdminBotPolling(config, rt.orm, logger);
  onShutdown(rt, async () => {
    await handle?.stop();
    await stop();
  });
});
