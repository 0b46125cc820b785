import { createApi } from '../http/api-server';
import { ensureFirstAdminKey } from '../services/bootstrap.service';
import { createWorker } from '../worker/worker';
import { bootstrap, onShutdown, runMain } from './bootstrap';
import { createAppServices } from './services';

/** `npm start`: API + worker (+ bots when their tokens are set) in one process. */
runMain(async () => {
  const rt = await bootstrap('all', 'own');
  const services = createAppServices(rt);
  const { config, logger } = rt;
  const api = await createApi({ config, logger, orm: rt.orm, services });
  const worker = createWorker({ config, logger, orm: rt.orm, services });
  await worker.start();
  const port = await api.start();
  const graphiql = `${config.PUBLIC_URL}/graphiql`;
  logger.info({ port, graphiql }, 'API and worker running');
  if (config.USER_BOT_TOKEN || config.ADMIN_BOT_TOKEN) logger.warn('bot tokens are set, but the bots are not built yet');

  const firstKey = await ensureFirstAdminKey(rt.orm.em.fork());
  if (firstKey) {
    // Printed once, to the terminal only (never to the log): only its hash is stored.
    process.stdout.write(
      `\n  First start: an ADMIN API key was created. It is shown only this once:\n\n    ${firstKey}\n\n` +
        `  Open ${graphiql} and put it in the Headers tab as\n    {"Authorization": "Bearer ${firstKey}"}\n\n`,
    );
  }

  onShutdown(rt, async () => {
    await api.stop();
    await worker.stop();
    await services.panels.close();
    await rt.orm.close();
    await rt.db.stop();
  });
});
