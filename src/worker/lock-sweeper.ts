import type { MikroORM } from '@mikro-orm/postgresql';
import type { WorkerEvents } from 'graphile-worker';
import { Client } from 'pg';
import type { Logger } from '../logger';

/** How long a lock owner that never beat yet may hold a job before it can count as gone. */
export const STARTUP_GRACE_MS = 30_000;

/** The advisory-lock key text of a lock owner's liveness lock. */
const LIVENESS_KEY_SQL = `hashtextextended('graphile-worker-pool:' || $owner, 0)`;

/**
 * graphile-worker 0.17 keeps a job locked for 4 hours when its worker dies without a clean
 * shutdown (SIGKILL, OOM, power loss). Every worker process unlocks jobs whose lock owner is gone,
 * so a provisioning job interrupted by a crash is retried within about a minute.
 *
 * The lock owner is the worker POOL: graphile-worker 0.17 writes `locked_by` (and
 * `job_queues.locked_by`) with `workerPool.id` when it fetches, completes and fails jobs
 * (dist/main.js, dist/localQueue.js, dist/worker.js `getJob(workerPool.id, …)`), never with the
 * individual worker's `workerId`. Owners are therefore tracked by pool id, from the `pool:create`
 * event: tracked by worker ids they never matched a lock, and every sweep unlocked the jobs live
 * workers were running (issue 13 §1).
 *
 * An owner counts as gone only when both of these say so:
 * - its liveness lock is free: each process holds a session advisory lock per pool on a connection
 *   of its own, which PostgreSQL releases the moment the process dies; a process that is merely
 *   slow (CPU starved, long GC, blocked event loop) keeps it, however late its timers run;
 * - its heartbeat row is older than 3 intervals (covers the moments around a database restart,
 *   when every session, and so every liveness lock, is gone until the processes reconnect); an
 *   owner without any heartbeat row yet (graphile-worker fetches jobs as soon as it creates the
 *   pool, before the first beat lands) gets {@link STARTUP_GRACE_MS} from the lock instead.
 */
export class LockSweeper {
  /** Ids of this process's worker pools: the `locked_by` values of the jobs it runs. */
  private readonly ownerIds = new Set<string>();
  /** Pools released since the last beat (their heartbeat rows are deleted). */
  private released: string[] = [];
  /** The connection holding this process's liveness locks (null until start or after it broke). */
  private liveness: Client | null = null;
  /** Owners whose liveness lock is held on the current `liveness` connection. */
  private readonly livenessHeld = new Set<string>();
  private livenessQueue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  /** Tracks the worker pools the runner creates; attach before `run()` so none is missed. */
  attach(events: WorkerEvents): void {
    events.on('pool:create', ({ workerPool }) => {
      this.ownerIds.add(workerPool.id);
      void this.beat().catch((err) => this.logger.warn({ err }, 'worker heartbeat failed'));
    });
    events.on('pool:release', ({ workerPool }) => {
      // A pool that stopped cleanly holds no job lock; its heartbeat row goes with the next beat.
      this.ownerIds.delete(workerPool.id);
      this.released.push(workerPool.id);
    });
  }

  /** The lock owner ids this process keeps alive (tests). */
  owners(): string[] {
    return [...this.ownerIds];
  }

  /** Beats and sweeps now, then every interval. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const ids = [...this.ownerIds, ...this.released];
    this.released = [];
    await this.dropLiveness();
    if (ids.length) await this.orm.em.fork().getConnection().execute(`delete from worker_heartbeat where worker_id in (?)`, [ids]);
  }

  private async tick(): Promise<void> {
    try {
      await this.beat();
      await this.sweep();
    } catch (err) {
      this.logger.warn({ err }, 'lock sweep failed');
    }
  }

  private async dropLiveness(): Promise<void> {
    const c = this.liveness;
    this.liveness = null;
    this.livenessHeld.clear();
    if (c) await c.end().catch(() => undefined);
  }

  /** Takes the liveness lock of every owner not yet holding one; one at a time (beats can overlap). */
  private holdLiveness(): Promise<void> {
    const run = this.livenessQueue.then(() => this.doHoldLiveness());
    this.livenessQueue = run.catch(() => undefined);
    return run;
  }

  /** (Re)connects when needed and locks what is missing. */
  private async doHoldLiveness(): Promise<void> {
    if (this.stopped) return;
    const missing = [...this.ownerIds].filter((id) => !this.livenessHeld.has(id));
    if (missing.length === 0 && this.liveness) return;
    if (!this.liveness) {
      const c = new Client({ connectionString: this.orm.config.getClientUrl() });
      c.on('error', (err) => {
        // The database went away (restart, network): every liveness lock went with the session.
        if (this.liveness === c) {
          this.liveness = null;
          this.livenessHeld.clear();
          this.logger.warn({ err: { message: err.message } }, 'lost the liveness connection; reconnecting on the next heartbeat');
        }
      });
      await c.connect();
      if (this.stopped) {
        await c.end().catch(() => undefined);
        return;
      }
      this.liveness = c;
    }
    for (const id of [...this.ownerIds].filter((o) => !this.livenessHeld.has(o))) {
      await this.liveness.query(`select pg_advisory_lock(${LIVENESS_KEY_SQL.replace('$owner', '$1')})`, [id]);
      this.livenessHeld.add(id);
    }
  }

  private async beat(): Promise<void> {
    if (this.released.length) {
      const gone = this.released;
      this.released = [];
      await this.orm.em.fork().getConnection().execute(`delete from worker_heartbeat where worker_id in (?)`, [gone]);
    }
    const ids = [...this.ownerIds];
    if (ids.length === 0) return;
    // The row first (the ORM pool is connected already), then the liveness locks (may connect).
    await this.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into worker_heartbeat (worker_id, last_seen_at) select id, now() from jsonb_array_elements_text(?::jsonb) as id
         on conflict (worker_id) do update set last_seen_at = excluded.last_seen_at`,
        [JSON.stringify(ids)],
      );
    await this.holdLiveness();
  }

  /** Unlocks jobs of lock owners (worker pools) that are gone (see the class comment); returns their ids. */
  async sweep(): Promise<string[]> {
    const staleMs = this.intervalMs * 3;
    const conn = this.orm.em.fork().getConnection();
    const rows = await conn.execute<Array<{ locked_by: string }>>(
      `select distinct j.locked_by from graphile_worker._private_jobs j
        where j.locked_by is not null and j.locked_at < now() - (? * interval '1 millisecond')
          and not exists (select 1 from worker_heartbeat h where h.worker_id = j.locked_by and h.last_seen_at > now() - (? * interval '1 millisecond'))
          and (exists (select 1 from worker_heartbeat h where h.worker_id = j.locked_by) or j.locked_at < now() - (? * interval '1 millisecond'))
          and not exists (
            select 1 from pg_locks l
             where l.locktype = 'advisory' and l.granted and l.objsubid = 1
               and l.database = (select oid from pg_database where datname = current_database())
               and ((l.classid::bigint << 32) | l.objid::bigint) = ${LIVENESS_KEY_SQL.replace('$owner', 'j.locked_by')})`,
      [staleMs, staleMs, Math.max(staleMs, STARTUP_GRACE_MS)],
    );
    const dead = rows.map((r) => r.locked_by).filter((id) => !this.ownerIds.has(id));
    if (dead.length) {
      await conn.execute(`select graphile_worker.force_unlock_workers(?::text[])`, [`{${dead.map((d) => `"${d.replace(/"/g, '')}"`).join(',')}}`]);
      await conn.execute(`delete from worker_heartbeat where worker_id in (?)`, [dead]);
      this.logger.warn({ workers: dead }, 'unlocked jobs of workers that stopped without a clean shutdown');
    }
    await conn.execute(`delete from worker_heartbeat where last_seen_at < now() - interval '1 day'`);
    return dead;
  }
}
