import { createWorker } from '../worker/worker';
import { bootstrap, onShutdown, runMain } from './bootstrap';
import { createWorkerServices } from './services';

/** The worker process alone: graphile-worker with our tasks and crontab. */
runMain(async () => {
  const rt = await bootstrap('worker', 'shared');
  const worker = createWorker({ config: rt.config, logger: rt.logger, orm: rt.orm, services: createWorkerServices(rt) });
  await worker.start();
  rt.logger.info({ concurrency: rt.config.WORKER_CONCURRENCY }, 'worker running');
  onShutdown(rt, async () => {
    await worker.stop();
    await rt.orm.close();
    await rt.db.stop();
  });
});
