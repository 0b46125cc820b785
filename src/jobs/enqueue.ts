import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Payloads of our tasks, by task identifier. Each `src/jobs/<task>.ts` owns its payload schema and
 * adds its inferred type here by declaration merging, so `enqueue()` is type-checked and the
 * registry (src/jobs/registry.ts) must list every task. This file is the only place that calls
 * graphile-worker's `add_job(s)`.
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

/** One job of an {@link enqueueMany} batch. */
export type JobSpec = { [T in TaskName]: { task: T; payload: TaskPayloads[T]; options?: Omit<EnqueueOptions, 'jobKeyMode'> } }[TaskName];

/**
 * Adds many jobs in one statement through `em`'s connection (inside `em.transactional` they exist
 * if and only if the transaction commits). With the default `replace` (or `preserve_run_at`) mode
 * this is graphile-worker's set-based `add_jobs`: one call for the whole batch, as `add_job` per row
 * degrades on a jobs table without statistics. `unsafe_dedupe` (leave an existing job with the same
 * key alone, even a running or failing one) exists only per row, so it calls `add_job` per row.
 * Returns how many specs were submitted.
 */
export async function enqueueMany(em: EntityManager, jobs: JobSpec[], mode: NonNullable<EnqueueOptions['jobKeyMode']> = 'replace'): Promise<number> {
  if (jobs.length === 0) return 0;
  const { sql, bindings } = addJobsSql(jobs, mode);
  await em.execute(`select ${sql}`, bindings);
  return jobs.length;
}

function specsJson(jobs: JobSpec[]): string {
  return JSON.stringify(
    jobs.map((j) => ({
      identifier: j.task,
      payload: j.payload,
      queue_name: j.options?.queueName ?? null,
      run_at: j.options?.runAt?.toISOString() ?? null,
      max_attempts: j.options?.maxAttempts ?? null,
      job_key: j.options?.jobKey ?? null,
      priority: j.options?.priority ?? null,
    })),
  );
}

const RECORDSET = `json_to_recordset(?::json) as s(identifier text, payload json, queue_name text, run_at timestamptz, max_attempts int, job_key text, priority int)`;

/** {@link enqueueMany}'s SQL expression (with `?` bindings), evaluating to how many jobs it submitted. */
function addJobsSql(jobs: JobSpec[], mode: NonNullable<EnqueueOptions['jobKeyMode']>): { sql: string; bindings: unknown[] } {
  if (mode === 'unsafe_dedupe') return addJobEachSql(jobs, mode);
  return {
    sql: `(select count(*) from graphile_worker.add_jobs(
         array(select row(s.identifier, s.payload, s.queue_name, s.run_at, s.max_attempts, s.job_key, s.priority, null)::graphile_worker.job_spec from ${RECORDSET}),
         job_key_preserve_run_at => ?))`,
    bindings: [specsJson(jobs), mode === 'preserve_run_at'],
  };
}

/**
 * An SQL expression (with `?` bindings) that adds each job through `add_job`, exactly as
 * {@link enqueue} does one by one (`replace` by default), and evaluates to how many it added: for
 * callers that add jobs inside a larger statement (src/services/write-batch.ts).
 */
export function addJobEachSql(jobs: JobSpec[], mode: NonNullable<EnqueueOptions['jobKeyMode']> = 'replace'): { sql: string; bindings: unknown[] } {
  return {
    sql: `(select count(graphile_worker.add_job(s.identifier, s.payload, queue_name => s.queue_name, run_at => s.run_at, max_attempts => s.max_attempts,
                                           job_key => s.job_key, priority => s.priority, job_key_mode => ?))
         from ${RECORDSET})`,
    bindings: [mode, specsJson(jobs)],
  };
}

/** Fields of a task's payload that can carry a row id alone (the payload is `{ [field]: id }`). */
type IdOnlyField<T extends TaskName> = {
  [K in keyof TaskPayloads[T] & string]: { [P in K]: string } extends TaskPayloads[T] ? K : never;
}[keyof TaskPayloads[T] & string];

/** Stands for the row id while a job's options are rendered to SQL. */
const ID_MARK = '\u0000id\u0000';

/**
 * An SQL expression (with `?` bindings) adding one `task` job per row of `source` (a CTE of the same
 * statement with an `id` column) through graphile-worker's set-based `add_jobs` (`replace` mode),
 * with payload `{ [idField]: id }` and the options `optionsOf(id)` would give (its job key may
 * contain the id); it evaluates to how many jobs it added, and calls nothing when `source` is
 * empty. For statements that insert rows and their jobs at once (inside a transaction or not, the
 * jobs exist if and only if the rows do).
 */
export function addJobsPerRowSql<T extends TaskName>(
  task: T,
  source: string,
  idField: IdOnlyField<T>,
  optionsOf: (id: string) => Omit<EnqueueOptions, 'jobKeyMode'>,
): { sql: string; bindings: unknown[] } {
  const o = optionsOf(ID_MARK);
  const key = o.jobKey?.split(ID_MARK);
  if (key && key.length > 2) throw new Error(`the job key of ${task} holds the id twice`);
  const keySql = !key ? 'null::text' : key.length === 1 ? '?::text' : '?::text || r.id || ?::text';
  return {
    sql: `(case when exists (select 1 from ${source}) then (select count(*)::int from graphile_worker.add_jobs(array(
            select row(?::text, json_build_object(?::text, r.id), ?::text, ?::timestamptz, ?::int, ${keySql}, ?::int, null)::graphile_worker.job_spec
              from ${source} r))) else 0 end)`,
    bindings: [task, idField, o.queueName ?? null, o.runAt?.toISOString() ?? null, o.maxAttempts ?? null, ...(key ?? []), o.priority ?? null],
  };
}
