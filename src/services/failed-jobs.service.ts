import { pageSize } from './pagination';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../errors';

/** A graphile-worker job as admins see it. Payloads hold ids only (no secrets), so they are shown as stored. */
export interface JobInfo {
  id: string;
  taskIdentifier: string;
  payload: unknown;
  queueName: string | null;
  key: string | null;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: Date;
  lockedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface JobRow {
  id: string;
  task_identifier: string;
  payload: unknown;
  queue_name: string | null;
  key: string | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  run_at: Date | string;
  locked_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const SELECT_JOBS = `
  select j.id::text as id, t.identifier as task_identifier, j.payload, q.queue_name, j.key, j.attempts, j.max_attempts,
         j.last_error, j.run_at, j.locked_at, j.created_at, j.updated_at
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    left join graphile_worker._private_job_queues q on q.id = j.job_queue_id`;

function date(v: Date | string): Date {
  return v instanceof Date ? v : new Date(v);
}

function toJob(r: JobRow): JobInfo {
  return {
    id: r.id,
    taskIdentifier: r.task_identifier,
    payload: r.payload,
    queueName: r.queue_name,
    key: r.key,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    lastError: r.last_error,
    runAt: date(r.run_at),
    lockedAt: r.locked_at === null ? null : date(r.locked_at),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

/** Jobs graphile-worker gave up on (attempts reached max_attempts), most recently failed first. */
export async function listFailedJobs(em: EntityManager, opts: { first?: number; task?: string | null } = {}): Promise<JobInfo[]> {
  const first = pageSize(opts.first, 200, 50);
  const rows = await em.execute<JobRow[]>(
    `${SELECT_JOBS} where j.attempts >= j.max_attempts ${opts.task ? 'and t.identifier = ?' : ''} order by j.updated_at desc, j.id desc limit ?`,
    opts.task ? [opts.task, first] : [first],
  );
  return rows.map(toJob);
}

/**
 * Makes a job runnable again now, with a fresh set of attempts, through graphile-worker's own
 * `reschedule_jobs` (its last error is kept for the record). JOB_NOT_FOUND when no job has this
 * id; a job that is running right now cannot be retried.
 */
export async function retryJob(em: EntityManager, id: string): Promise<JobInfo> {
  if (!/^\d{1,18}$/.test(id)) throw new AppError('JOB_NOT_FOUND');
  const existing = await em.execute<JobRow[]>(`${SELECT_JOBS} where j.id = ?::bigint`, [id]);
  if (existing.length === 0) throw new AppError('JOB_NOT_FOUND');
  const rescheduled = await em.execute<Array<{ id: string }>>(
    `select id::text as id from graphile_worker.reschedule_jobs(array[?::bigint], run_at => now(), attempts => 0)`,
    [id],
  );
  if (rescheduled.length === 0) throw new AppError('BAD_USER_INPUT', 'The job is running now; it cannot be retried.');
  const rows = await em.execute<JobRow[]>(`${SELECT_JOBS} where j.id = ?::bigint`, [id]);
  return toJob(rows[0]);
}
