import { createApi } from '../http/api-server';
import { ensureFirstAdminKey } from '../services/bootstrap.service';
import { resumeWaitingNotifications } from '../notifications/notification.delivery';
import { createWorker } from '../worker/worker';
import { bootstrap, onShutdown, runMain } from './bootstrap';
import { deliverFirstAdminKey } from './first-key';
import { createAppServices } from './services';
import { adminBotWebhook, startAdminBotPolling } from './admin-bot-wiring';
import { shopBotWebhook, startShopBotPolling } from './shop-bot';

/** `npm start`: API + worker (+ the shop bot when USER_BOT_TOKEN is set, the admin bot when ADMIN_BOT_TOKEN is set) in one process. */
runMain(async () => {
  const rt = await bootstrap('all', 'own');
  const services = createAppServices(rt);
  const { config, logger } = rt;
  const shopHook = shopBotWebhook(config, rt.orm, logger);
  const adminHook = adminBotWebhook(config, rt.orm, logger);
  const routes = [shopHook?.route, adminHook?.route].filter((r) => r !== undefined);
  const api = await createApi({ config, logger, orm: rt.orm, services, routes });
  const worker = createWorker({ config, logger, orm: rt.orm, services });
  await worker.start();
  // Without a bot token notifications wait; with one, rows that waited are sent now.
  await resumeWaitingNotifications(rt.orm.em.fork(), services.telegram, rt.logger);
  const port = await api.start();
  // The shop bot: webhook (served by the API above) or long polling, when USER_BOT_TOKEN is set.
  await shopHook?.start();
  const shopPolling = await startShopBotPolling(config, rt.orm, logger);
  // The admin bot likewise, when ADMIN_BOT_TOKEN is set.
  await adminHook?.start();
  const adminPolling = await startAdminBotPolling(config, rt.orm, logger);
  const graphiql = `${config.PUBLIC_URL}/graphiql`;
  logger.info({ port, graphiql }, 'API and worker running');

  const firstKey = await ensureFirstAdminKey(rt.orm.em.fork());
  // Shown once, to the terminal only (stderr), or written to a 0600 file: never to the log.
  if (firstKey) deliverFirstAdminKey(firstKey, { dataDir: config.DATA_DIR, graphiql, logger });

  onShutdown(rt, async () => {
    await shopPolling?.stop();
    await adminPolling?.stop();
    await api.stop();
    await worker.stop();
    await services.panels.close();
    await rt.orm.close();
    await rt.db.stop();
  });
});
