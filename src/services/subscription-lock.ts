import type { EntityManager } from '@mikro-orm/postgresql';
import { Pool } from 'pg';

/** Connections kept for subscription locks, per ORM (its configuration object), never shared with its pool. */
const lockPools = new WeakMap<object, Pool>();

/** Lock connections open at most per ORM; a caller beyond that waits for one (a holder never needs a second). */
const LOCK_POOL_MAX = 50;

/** An idle lock connection is closed after this long (and never keeps the process alive). */
const LOCK_IDLE_MS = 10_000;

function lockPoolOf(em: EntityManager): Pool {
  let pool = lockPools.get(em.config);
  if (!pool) {
    pool = new Pool({ connectionString: em.config.getClientUrl(), max: LOCK_POOL_MAX, idleTimeoutMillis: LOCK_IDLE_MS, allowExitOnIdle: true });
    // An idle connection cut by the server (restart, dropped database) is simply replaced next time.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    lockPools.set(em.config, pool);
  }
  return pool;
}

/**
 * The per-subscription lock that spans a job's panel calls, so two runs of work on one
 * subscription (provisioning, renewal, enable/disable, revoke, clean-up) never talk to the panel at
 * the same time — even when graphile-worker runs a job twice (a lock taken away from a live worker,
 * a job enqueued twice under different keys, two worker processes).
 *
 * Why a PostgreSQL advisory lock and not a graphile-worker named queue per subscription:
 * - a named queue only serialises jobs while graphile-worker's own lock holds; the failure it must
 *   survive is exactly that lock being lost (issue 13 §1: a sweeper unlocked live jobs, and their
 *   queue with them), so it would not make a second run safe;
 * - named queues cost a `job_queues` row per subscription and slow down job fetching in 0.17;
 * - a session advisory lock lives exactly as long as the holder's connection: a worker killed
 *   mid-call (SIGKILL, OOM) releases it at once, with nothing to sweep.
 * The lock is held on a connection of its own (not one from the ORM pool, which the job's queries
 * need meanwhile, so a pool sized below twice the concurrency cannot deadlock), keyed by a 64-bit
 * hash of `subscription:<id>`. A second run waits for the first, then re-reads the subscription and
 * finds the work done.
 *
 * Lock connections come from a small pool of their own (per ORM), not a new connection per call:
 * starting a PostgreSQL backend cost ~25 ms of server CPU, as much as the rest of a provisioning.
 * The connection is checked out for the whole call (never shared while a lock is held) and every
 * advisory lock of its session is released before it goes back; when that fails, the connection
 * is closed instead, which releases them too.
 */
export async function withSubscriptionLock<T>(em: EntityManager, subscriptionId: string, fn: () => Promise<T>): Promise<T> {
  const client = await lockPoolOf(em).connect();
  let broken: Error | undefined;
  try {
    await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [`subscription:${subscriptionId}`]);
    return await fn();
  } finally {
    // A dropped connection released the lock on the server already; the job's own queries then fail and it retries.
    await client.query('select pg_advisory_unlock_all()').catch((err: unknown) => {
      broken = err instanceof Error ? err : new Error(String(err));
    });
    client.release(broken);
  }
}
