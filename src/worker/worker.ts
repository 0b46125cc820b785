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

/** The worker process: graphile-worker with our task list and crontab. */
export function createWorker(deps: WorkerDeps): WorkerHandle {
  const sweeper = new LockSweeper(deps.orm, deps.logger, deps.config.WORKER_HEARTBEAT_MS);
  const handle: WorkerHandle = {
    runner: null,
    async start() {
      const jobs = deps.jobs ?? JOBS;
      const cronItems: CronItem[] = deps.cron === false ? [] : CRONTAB.filter((c) => jobs.some((j) => j.name === c.task));
      const events = new EventEmitter() as WorkerEvents;
      sweeper.attach(events);
      handle.runner = await run({
        events,
        connectionString: deps.orm.config.getClientUrl(),
        concurrency: deps.config.WORKER_CONCURRENCY,
        noHandleSignals: true,
        pollInterval: deps.pollInterval ?? 2000,
        taskList: buildTaskList(deps, jobs),
        parsedCronItems: parseCronItems(cronItems),
        logger: graphileLogger(deps.logger),
      });
      await sweeper.start();
    },
    async stop() {
      if (handle.runner) await handle.runner.stop();
      await sweeper.stop().catch(() => undefined);
      handle.runner = null;
    },
  };
  return handle;
}
