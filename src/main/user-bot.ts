import { bootstrap, onShutdown, runMain } from './bootstrap';
import { startShopBotPolling } from './shop-bot';

/**
 * The shop bot process (long polling). Its sessions and conversations live in PostgreSQL, so it
 * needs the database; it talks to the shop only through the GraphQL API (BOT_API_URL). In webhook
 * mode (USER_BOT_WEBHOOK_URL) the API process serves the bot instead.
 */
runMain(async () => {
  const rt = await bootstrap('user-bot', 'shared');
  const { config, logger } = rt;
  if (!config.USER_BOT_TOKEN) {
    logger.warn('USER_BOT_TOKEN is not set: the shop bot has nothing to run');
    await rt.orm.close();
    await rt.db.stop();
    return;
  }
  if (config.USER_BOT_WEBHOOK_URL) {
    logger.warn({ url: config.USER_BOT_WEBHOOK_URL }, 'USER_BOT_WEBHOOK_URL is set: the API process (npm run start:api or npm start) serves the shop bot; nothing to run here');
    await rt.orm.close();
    await rt.db.stop();
    return;
  }
  const handle = await startShopBotPolling(config, rt.orm, logger);
  onShutdown(rt, async () => {
    await handle?.stop();
    await rt.orm.close();
    await rt.db.stop();
  });
});
