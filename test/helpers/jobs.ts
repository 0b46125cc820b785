import type { MikroORM } from '@mikro-orm/postgresql';
import type { JobHelpers } from 'graphile-worker';
import { JOBS } from '../../src/jobs/registry';
import type { Job } from '../../src/jobs/job.types';
import { createLogger } from '../../src/logger';
import type { AppServices } from '../../src/services/app-services';
import { buildTaskList } from '../../src/worker/worker';
import { testConfig } from './api';
import type { Config } from '../../src/config';

/** A job row as graphile-worker stores it. */
export interface QueuedJob {
  id: string;
  task: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  key: string | null;
}

/** Pending jobs (optionally of one task), oldest first. */
export async function queuedJobs(orm: MikroORM, task?: string): Promise<QueuedJob[]> {
  const rows = await orm.em.fork().getConnection().execute(
    `select j.id::text as id, t.identifier as task, j.payload, j.attempts, j.max_attempts, j.run_at, j.key
       from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where j.locked_at is null ${task ? 'and t.identifier = ?' : ''} order by j.id`,
    task ? [task] : [],
  );
  return rows.map((r: Record<string, unknown>) => ({
    id: String(r.id),
    task: String(r.task),
    payload: r.payload as Record<string, unknown>,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    runAt: new Date(r.run_at as string),
    key: (r.key as string) ?? null,
  }));
}

/** Runs one job body as graphile-worker would (attempt = stored attempts + 1); returns the error if it threw. */
export async function runJob(
  orm: MikroORM,
  services: AppServices,
  job: Pick<QueuedJob, 'id' | 'task' | 'payload' | 'attempts' | 'maxAttempts'>,
  jobs: Job[] = JOBS,
  config: Config = testConfig(),
): Promise<unknown> {
  const list = buildTaskList({ config, logger: createLogger({ level: 'silent' }), orm, services }, jobs);
  const fn = list[job.task];
  if (!fn) throw new Error(`no task ${job.task}`);
  const helpers = {
    job: { id: job.id, attempts: job.attempts + 1, max_attempts: job.maxAttempts, task_identifier: job.task },
    logger: { info() {}, debug() {}, warn() {}, error() {} },
  } as unknown as JobHelpers;
  try {
    await fn(job.payload, helpers);
    return undefined;
  } catch (err) {
    return err ?? new Error('job failed');
  }
}

/**
 * Drains the queue like a worker with instant backoff: each pending job runs; success deletes it,
 * failure counts an attempt (and gives up at max_attempts, as graphile-worker does). Repeats until
 * nothing is left or `maxRounds`. Returns how many runs succeeded and failed per task.
 */
export async function drainJobs(
  orm: MikroORM,
  services: AppServices,
  opts: { tasks?: string[]; maxRounds?: number; ignoreRunAt?: boolean; config?: Config } = {},
): Promise<Record<string, { ok: number; failed: number }>> {
  const stats: Record<string, { ok: number; failed: number }> = {};
  const conn = orm.em.fork().getConnection();
  for (let round = 0; round < (opts.maxRounds ?? 20); round++) {
    const jobs = (await queuedJobs(orm)).filter(
      (j) => (!opts.tasks || opts.tasks.includes(j.task)) && j.attempts < j.maxAttempts && (opts.ignoreRunAt !== false || j.runAt <= new Date()),
    );
    if (jobs.length === 0) break;
    for (const job of jobs) {
      const err = await runJob(orm, services, job, JOBS, opts.config);
      stats[job.task] ??= { ok: 0, failed: 0 };
      if (err) {
        stats[job.task].failed += 1;
        await conn.execute(`update graphile_worker._private_jobs set attempts = attempts + 1, last_error = ? where id = ?`, [String(err), job.id]);
      } else {
        stats[job.task].ok += 1;
        await conn.execute(`delete from graphile_worker._private_jobs where id = ?`, [job.id]);
      }
    }
  }
  return stats;
}
