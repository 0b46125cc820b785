import type { MikroORM } from '@mikro-orm/postgresql';
import type { WorkerEvents } from 'graphile-worker';
import type { Logger } from '../logger';

/**
 * graphile-worker 0.17 keeps a job locked for 4 hours when its worker dies without a clean
 * shutdown (SIGKILL, OOM, power loss). Each worker process records a heartbeat for its workers;
 * every process unlocks jobs held by workers whose heartbeat stopped for 3 intervals, so a
 * provisioning job interrupted by a crash is retried within about a minute.
 */
export class LockSweeper {
  private readonly workerIds = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  /** Tracks the workers the runner creates; attach before `run()` so none is missed. */
  attach(events: WorkerEvents): void {
    events.on('worker:create', ({ worker }) => {
      this.workerIds.add(worker.workerId);
      void this.beat().catch((err) => this.logger.warn({ err }, 'worker heartbeat failed'));
    });
  }

  /** Beats and sweeps now, then every interval. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const ids = [...this.workerIds];
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

  private async beat(): Promise<void> {
    const ids = [...this.workerIds];
    if (ids.length === 0) return;
    await this.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into worker_heartbeat (worker_id, last_seen_at) select id, now() from jsonb_array_elements_text(?::jsonb) as id
         on conflict (worker_id) do update set last_seen_at = excluded.last_seen_at`,
        [JSON.stringify(ids)],
      );
  }

  /** Unlocks jobs of workers silent for 3 intervals; returns their ids. */
  async sweep(): Promise<string[]> {
    const staleMs = this.intervalMs * 3;
    const conn = this.orm.em.fork().getConnection();
    const rows = await conn.execute<Array<{ locked_by: string }>>(
      `select distinct j.locked_by from graphile_worker._private_jobs j
        where j.locked_by is not null and j.locked_at < now() - (? * interval '1 millisecond')
          and not exists (select 1 from worker_heartbeat h where h.worker_id = j.locked_by and h.last_seen_at > now() - (? * interval '1 millisecond'))`,
      [staleMs, staleMs],
    );
    const dead = rows.map((r) => r.locked_by).filter((id) => !this.workerIds.has(id));
    if (dead.length) {
      await conn.execute(`select graphile_worker.force_unlock_workers(?::text[])`, [`{${dead.map((d) => `"${d.replace(/"/g, '')}"`).join(',')}}`]);
      await conn.execute(`delete from worker_heartbeat where worker_id in (?)`, [dead]);
      this.logger.warn({ workers: dead }, 'unlocked jobs of workers that stopped without a clean shutdown');
    }
    await conn.execute(`delete from worker_heartbeat where last_seen_at < now() - interval '1 day'`);
    return dead;
  }
}
