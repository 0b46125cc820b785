import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Payloads of our tasks, by task identifier. Each `src/jobs/<task>.ts` adds its entry by
 * declaration merging, so `enqueue()` is type-checked.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TaskPayloads {}

export type TaskName = keyof TaskPayloads;

export interface EnqueueOptions {
  /** De-duplicates pending work: `<task>:<entity id>` by convention. Not a permanent idempotency record. */
  jobKey?: string;
  /** `replace` (default), `preserve_run_at` or `unsafe_dedupe`. */
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  runAt?: Date;
  maxAttempts?: number;
  queueName?: string;
  priority?: number;
}

/**
 * Adds a graphile-worker job through `em`'s connection: inside `em.transactional` the job exists
 * if and only if the transaction commits.
 */
export async function enqueue<T extends TaskName>(
  em: EntityManager,
  task: T,
  payload: TaskPayloads[T],
  options: EnqueueOptions = {},
): Promise<{ id: string }> {
  const rows = await em.execute<Array<{ id: string }>>(
    `select id::text as id from graphile_worker.add_job(
       identifier => ?, payload => ?::json, queue_name => ?, run_at => ?::timestamptz,
       max_attempts => ?::int, job_key => ?, priority => ?::int, job_key_mode => ?)`,
    [
      task,
      JSON.stringify(payload),
      options.queueName ?? null,
      options.runAt?.toISOString() ?? null,
      options.maxAttempts ?? null,
      options.jobKey ?? null,
      options.priority ?? null,
      options.jobKeyMode ?? null,
    ],
  );
  return { id: rows[0].id };
}
