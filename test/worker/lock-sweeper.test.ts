import type { MikroORM } from '@mikro-orm/postgresql';
import { openOrm } from '../../src/main/orm';
import { enqueue, type TaskName } from '../../src/jobs/enqueue';
import type { Job } from '../../src/jobs/job.types';
import { createLogger } from '../../src/logger';
import { LockSweeper } from '../../src/worker/lock-sweeper';
import { createWorker, type WorkerHandle } from '../../src/worker/worker';
import { testConfig } from '../helpers/api';
import { createIsolatedDatabase } from '../helpers/db';
import { testServices } from '../helpers/services';

interface LockRow {
  locked_by: string | null;
  attempts: number;
}

async function lockOf(orm: MikroORM, id: string): Promise<LockRow | undefined> {
  const rows = await orm.em.fork().getConnection().execute<LockRow[]>(`select locked_by, attempts from graphile_worker._private_jobs where id = ?`, [id]);
  return rows[0];
}

describe('the lock sweeper with a live worker', () => {
  let db: { url: string; drop(): Promise<void> };
  let orm: MikroORM;
  let worker: WorkerHandle;
  let release: () => void = () => undefined;
  let started: Promise<void>;
  let runs = 0;

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    orm = await openOrm(db.url, 6);
    let markStarted: () => void = () => undefined;
    started = new Promise<void>((r) => (markStarted = r));
    const gate = new Promise<void>((r) => (release = r));
    // A task body that stays busy until the test lets it finish (a slow panel call).
    const slow: Job = {
      name: 'expire_payments' as TaskName,
      async execute() {
        runs += 1;
        markStarted();
        await gate;
      },
    };
    worker = createWorker({
      config: testConfig({ WORKER_HEARTBEAT_MS: '60000', WORKER_CONCURRENCY: '2' }),
      logger: createLogger({ level: 'silent' }),
      orm,
      services: testServices(orm),
      jobs: [slow],
      cron: false,
      pollInterval: 100,
    });
    await worker.start();
  });

  afterAll(async () => {
    release();
    await worker.stop();
    await orm.close(true);
    await db.drop();
  });

  it('never unlocks a job that a live worker pool is running, even when its heartbeats are late, and unlocks one of a pool that is gone (not one that is just starting)', async () => {
    const job = await enqueue(orm.em.fork(), 'expire_payments' as TaskName, {} as never);
    await started;
    const held = await lockOf(orm, job.id);
    expect(held?.locked_by).toBeTruthy();

    // The job has been running for longer than 3 heartbeats (as a slow panel call would).
    const conn = orm.em.fork().getConnection();
    await conn.execute(`update graphile_worker._private_jobs set locked_at = now() - interval '1 hour' where id = ?`, [job.id]);
    await conn.execute(`update worker_heartbeat set last_seen_at = now()`);

    // Another worker process's sweeper (it runs no job itself) sweeps now.
    const other = new LockSweeper(orm, createLogger({ level: 'silent' }), 1000);
    expect(await other.sweep()).toEqual([]);
    expect(await lockOf(orm, job.id)).toEqual(held);

    // A live process whose timers run late (CPU starved) misses heartbeats but still holds its
    // liveness lock: its job stays locked.
    await conn.execute(`update worker_heartbeat set last_seen_at = now() - interval '1 hour'`);
    expect(await other.sweep()).toEqual([]);
    expect(await lockOf(orm, job.id)).toEqual(held);

    // A pool that has just started (graphile-worker fetches before its first heartbeat lands) keeps its job.
    const orphan = await enqueue(orm.em.fork(), 'expire_payments' as TaskName, {} as never, { runAt: new Date(Date.now() + 3_600_000) });
    await conn.execute(`update graphile_worker._private_jobs set locked_by = 'new-pool', locked_at = now() - interval '5 seconds' where id = ?`, [orphan.id]);
    expect(await other.sweep()).toEqual([]);

    // A pool that died without a clean shutdown holds a job and no longer beats: it is unlocked.
    await conn.execute(`update graphile_worker._private_jobs set locked_by = 'dead-pool', locked_at = now() - interval '1 hour' where id = ?`, [orphan.id]);
    expect(await other.sweep()).toEqual(['dead-pool']);
    expect((await lockOf(orm, orphan.id))?.locked_by).toBeNull();

    release();
    for (let i = 0; i < 200 && (await lockOf(orm, job.id)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await lockOf(orm, job.id)).toBeUndefined();
    expect(runs).toBe(1);
  });
});
