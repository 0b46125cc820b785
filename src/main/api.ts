import { createApi } from '../http/api-server';
import { bootstrap, onShutdown, runMain } from './bootstrap';
import { createAppServices } from './services';

/** The API process alone: GraphQL, GraphiQL, health, metrics. */
runMain(async () => {
  const rt = await bootstrap('api', 'shared');
  const services = createAppServices(rt);
  const api = await createApi({ config: rt.config, logger: rt.logger, orm: rt.orm, services });
  const port = await api.start();
  rt.logger.info({ port, graphiql: `${rt.config.PUBLIC_URL}/graphiql` }, 'API listening');
  onShutdown(rt, async () => {
    await api.stop();
    await services.panels.close();
    await rt.orm.close();
    await rt.db.stop();
  });
});
