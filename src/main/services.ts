import type { WorkerServices } from '../jobs/job.types';
import type { Runtime } from './bootstrap';

/** Wires the services jobs use (panel adapters, Telegram API, ...) for one process. */
export function createWorkerServices(_rt: Runtime): WorkerServices {
  return {};
}
