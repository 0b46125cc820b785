import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { JobHelpers } from 'graphile-worker';
import type { ZodType } from 'zod';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { AppServices } from '../services/app-services';
import type { TaskName, TaskPayloads } from './enqueue';

/** What a task body gets: its own EntityManager fork, and the process's shared services. */
export interface JobContext {
  em: EntityManager;
  orm: MikroORM;
  logger: Logger;
  config: Config;
  helpers: JobHelpers;
  /** Shared services wired by the worker's composition root (panel adapters, Telegram API...). */
  deps: WorkerServices;
}

/** Services tasks use, wired once per worker process. */
export type WorkerServices = AppServices;

/** One task: its identifier (= file name), payload schema and body. */
export interface JobDefinition<T extends TaskName> {
  name: T;
  /** Payloads are re-validated: old jobs outlive deploys. */
  schema: ZodType<TaskPayloads[T]>;
  run(payload: TaskPayloads[T], ctx: JobContext): Promise<void>;
}

/** Helper that keeps the payload type tied to the task name. */
export function defineJob<T extends TaskName>(def: JobDefinition<T>): JobDefinition<T> {
  return def;
}
