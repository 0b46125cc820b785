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

/** One task as its file writes it: its identifier (= file name), payload schema and body. */
export interface JobDefinition<T extends TaskName> {
  name: T;
  /** Payloads are re-validated: old jobs outlive deploys. */
  schema: ZodType<TaskPayloads[T]>;
  run(payload: TaskPayloads[T], ctx: JobContext): Promise<void>;
}

/** A task as the worker runs it: the raw payload is checked against the task's schema first. */
export interface Job<T extends TaskName = TaskName> {
  name: T;
  /** Parses `rawPayload` (an {@link InvalidJobPayloadError} when it does not fit), then runs the body. */
  execute(rawPayload: unknown, ctx: JobContext): Promise<void>;
}

/** A job's payload does not match its task's schema: the job can never succeed as queued. */
export class InvalidJobPayloadError extends Error {
  constructor(task: string, issues: string) {
    super(`Invalid payload for task ${task}: ${issues}`);
    this.name = 'InvalidJobPayloadError';
  }
}

/**
 * Checks a raw payload against a task's schema, with an error that names the task and each bad
 * field.
 */
export function parsePayload<T extends TaskName>(def: Pick<JobDefinition<T>, 'name' | 'schema'>, rawPayload: unknown): TaskPayloads[T] {
  const parsed = def.schema.safeParse(rawPayload);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`).join('; ');
  throw new InvalidJobPayloadError(def.name, issues);
}

/**
 * Defines a task: the payload type is tied to the task name, and the worker gets a parse-then-run
 * body.
 */
export function defineJob<T extends TaskName>(def: JobDefinition<T>): JobDefinition<T> & Job<T> {
  return { ...def, execute: (rawPayload, ctx) => def.run(parsePayload(def, rawPayload), ctx) };
}
