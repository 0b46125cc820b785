import { createApi } from '../http/api-server';
import { bootstrap, onShutdown, runMain } from './bootstrap';
import { createAppServices } from './services';
import { adminBotWebhook } from './admin-bot-wiring';
import { shopBotWebhook } from './shop-bot';

/** The API process alone: GraphQL, GraphiQL, health, metrics (and the shop bot's webhook when set). */
runMain(async () => {
  const rt = await bootstrap('api', 'shared');
  const services = createAppServices(rt);
  // Webhook mode: the API process serves the shop bot (USER_BOT_WEBHOOK_URL).
  const shopHook = shopBotWebhook(rt.config, rt.orm, rt.logger);
  const adminHook = adminBotWebhook(rt.config, rt.orm, rt.logger);
  const routes = [shopHook?.route, adminHook?.route].filter((r) => r !== undefined);
  const api = await createApi({ config: rt.config, logger: rt.logger, orm: rt.orm, services, routes });
  const port = await api.start();
  await shopHook?.start();
  await adminHook?.start();
  rt.logger.info({ port, graphiql: `${rt.config.PUBLIC_URL}/graphiql` }, 'API listening');
  onShutdown(rt, async () => {
    await api.stop();
    await services.panels.close();
    await rt.orm.close();
    await rt.db.stop();
  });
});
