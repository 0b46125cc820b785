import type { MikroORM } from '@mikro-orm/postgresql';
import { Logger as GraphileLogger, parseCronItems, run, type CronItem, type Runner, type TaskList } from 'graphile-worker';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { runInAuditScope, SYSTEM_ACTOR } from '../services/audit.context';
import type { Job, WorkerServices } from '../jobs/job.types';
import { JOBS } from '../jobs/registry';
import { CRONTAB } from '../jobs/schedule';
import { LockSweeper } from './lock-sweeper';
import { EventEmitter } from 'node:events';
import { Pool } from 'pg';
import type { WorkerEvents } from 'graphile-worker';

export interface WorkerDeps {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  services: WorkerServices;
  /** Override the task list (tests). */
  jobs?: Job[];
  /** Set false to run without the crontab (tests). */
  cron?: boolean;
  /** Poll interval in ms (graphile default 2000; LISTEN/NOTIFY makes new jobs start at once). */
  pollInterval?: number;
}

export interface WorkerHandle {
  runner: Runner | null;
  start(): Promise<void>;
  /** Stops taking jobs and waits for running ones to finish. */
  stop(): Promise<void>;
}

function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const child = logger.child({ worker: scope.workerId, task: scope.taskIdentifier, jobId: scope.jobId });
    const payload = meta ? { meta } : {};
    if (level === 'error') child.error(payload, message);
    else if (level === 'warning') child.warn(payload, message);
    else if (level === 'info') child.info(payload, message);
    else child.debug(payload, message);
  });
}

/** Builds graphile-worker's task list from our jobs (fork em, audit scope; each job parses its own payload). */
export function buildTaskList(deps: WorkerDeps, jobs: Job[]): TaskList {
  const list: TaskList = {};
  for (const job of jobs) {
    list[job.name] = async (rawPayload, helpers) => {
      const em = deps.orm.em.fork();
      const logger = deps.logger.child({ task: job.name, jobId: helpers.job.id, attempt: helpers.job.attempts });
      await runInAuditScope({ actor: SYSTEM_ACTOR, action: `job:${job.name}`, correlationId: `job:${helpers.job.id}` }, () =>
        job.execute(rawPayload, { em, orm: deps.orm, logger, config: deps.config, helpers, deps: deps.services }),
      );
    };
  }
  return list;
}

/**
 * graphile-worker's batching (measured by `npm run bench:provision`: 6.4 → 5.3 database
 * transactions and about a quarter less PostgreSQL CPU per provisioning):
 * - a local queue: the pool fetches (and locks) up to concurrency + 1 jobs in one query and hands
 *   them to its workers, instead of one fetch per job; jobs it holds are locked by the pool like
 *   running ones (the lock sweeper frees them if the process dies; a clean stop returns them),
 *   and one it could not start within 5 minutes goes back to the database;
 * - completions and failures of one event-loop turn are recorded in one statement. A crash in
 *   that instant leaves a finished job locked, to run again once swept: every job is idempotent
 *   (each job test runs its job twice), as for a crash just before its completion.
 */
function batching(concurrency: number): { localQueue: { size: number }; completeJobBatchDelay: number; failJobBatchDelay: number } {
  return { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 };
}

/** Delays between attempts to bring the runner back while the database is away (ms). */
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 5000];

/**
 * The worker process: graphile-worker with our task list and crontab, kept alive across database
 * outages (issue 13 §4: a PostgreSQL restart used to end the process with code 1, leaving paid
 * orders PROVISIONING until someone restarted it).
 *
 * - graphile-worker gets a pg pool of ours whose `error` events (an idle connection cut by the
 *   restart) are logged instead of crashing the process;
 * - the first database error seen (pool, LISTEN, job fetch) is logged once as
 *   "lost the database connection; reconnecting", and the first sign of a working connection
 *   after it (LISTEN re-established, a job fetch answered, or the runner started again) as
 *   "reconnected to the database; worker running again";
 * - when the runner itself gives up (graphile-worker shuts its pool down when it cannot record a
 *   job's outcome), it is started again as soon as the database answers, with a growing delay.
 * Jobs interrupted by the outage are retried by graphile-worker (their locks are released by our
 * lock sweeper or by the restarted runner's own pool id changing).
 */
export function createWorker(deps: WorkerDeps): WorkerHandle {
  const sweeper = new LockSweeper(deps.orm, deps.logger, deps.config.WORKER_HEARTBEAT_MS);
  const jobs = deps.jobs ?? JOBS;
  const cronItems: CronItem[] = deps.cron === false ? [] : CRONTAB.filter((c) => jobs.some((j) => j.name === c.task));
  let stopping = false;
  let dbLost = false;
  let pgPool: Pool | null = null;
  let restarting: Promise<void> | null = null;

  const lost = (err: unknown): void => {
    if (stopping || dbLost) return;
    dbLost = true;
    deps.logger.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'lost the database connection; reconnecting');
  };
  const regained = (): void => {
    if (stopping || !dbLost) return;
    dbLost = false;
    deps.logger.info('reconnected to the database; worker running again');
  };

  const startRunner = async (): Promise<void> => {
    const events = new EventEmitter() as WorkerEvents;
    sweeper.attach(events);
    events.on('pool:listen:error', ({ error }) => lost(error));
    events.on('worker:getJob:error', ({ error }) => lost(error));
    events.on('pool:listen:success', () => regained());
    events.on('worker:getJob:empty', () => regained());
    events.on('job:start', () => regained());
    const pool = new Pool({ connectionString: deps.orm.config.getClientUrl(), max: deps.config.WORKER_CONCURRENCY + 3 });
    pool.on('error', (err) => lost(err));
    // A checked-out client cut by a restart emits its own error (graphile-worker checks both handlers exist).
    pool.on('connect', (client) => client.on('error', (err) => lost(err)));
    let runner: Runner;
    try {
      runner = await run({
        events,
        pgPool: pool,
        concurrency: deps.config.WORKER_CONCURRENCY,
        noHandleSignals: true,
        pollInterval: deps.pollInterval ?? 2000,
        preset: { worker: batching(deps.config.WORKER_CONCURRENCY) },
        taskList: buildTaskList(deps, jobs),
        parsedCronItems: parseCronItems(cronItems),
        logger: graphileLogger(deps.logger),
      });
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    pgPool = pool;
    handle.runner = runner;
    runner.promise.then(
      () => onRunnerEnded(runner, pool, null),
      (err: unknown) => onRunnerEnded(runner, pool, err),
    );
  };

  /** The runner stopped without being asked to: start it again once the database answers. */
  const onRunnerEnded = (runner: Runner, pool: Pool, err: unknown): void => {
    if (stopping || handle.runner !== runner) return;
    handle.runner = null;
    pgPool = null;
    void pool.end().catch(() => undefined);
    lost(err ?? new Error('the job runner stopped'));
    restarting = (async () => {
      for (let i = 0; !stopping; i++) {
        await new Promise((r) => setTimeout(r, RECONNECT_DELAYS_MS[Math.min(i, RECONNECT_DELAYS_MS.length - 1)]));
        if (stopping) return;
        try {
          await startRunner();
          regained();
          return;
        } catch (e) {
          lost(e);
        }
      }
    })().finally(() => {
      restarting = null;
    });
  };

  const handle: WorkerHandle = {
    runner: null,
    async start() {
      stopping = false;
      await startRunner();
      await sweeper.start();
    },
    async stop() {
      stopping = true;
      await restarting;
      if (handle.runner) await handle.runner.stop().catch((err) => deps.logger.warn({ err }, 'job runner stopped with an error'));
      await pgPool?.end().catch(() => undefined);
      pgPool = null;
      await sweeper.stop().catch(() => undefined);
      handle.runner = null;
    },
  };
  return handle;
}
