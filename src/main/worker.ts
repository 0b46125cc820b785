import { resumeWaitingNotifications } from '../notifications/notification.delivery';
import { createWorker } from '../worker/worker';
import { bootstrap, onShutdown, runMain } from './bootstrap';
import { createAppServices } from './services';

/** The worker process alone: graphile-worker with our tasks and crontab. */
runMain(async () => {
  const rt = await bootstrap('worker', 'shared');
  const services = createAppServices(rt);
  const worker = createWorker({ config: rt.config, logger: rt.logger, orm: rt.orm, services });
  await worker.start();
  // Without a bot token notifications wait; with one, rows that waited are sent now.
  await resumeWaitingNotifications(rt.orm.em.fork(), services.telegram, rt.logger);
  rt.logger.info({ concurrency: rt.config.WORKER_CONCURRENCY }, 'worker running');
  onShutdown(rt, async () => {
    await worker.stop();
    await services.panels.close();
    await rt.orm.close();
    await rt.db.stop();
  });
});
