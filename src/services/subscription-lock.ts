import type { EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';

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
 * The lock is held on its own short-lived connection (not one from the ORM pool, which the job's
 * queries need meanwhile, so a pool sized below twice the concurrency cannot deadlock), keyed by
 * a 64-bit hash of `subscription:<id>`. A second run waits for the first, then re-reads the
 * subscription and finds the work done.
 */
export async function withSubscriptionLock<T>(em: EntityManager, subscriptionId: string, fn: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: em.config.getClientUrl() });
  // A dropped connection releases the lock on the server; the job's own queries then fail and it retries.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [`subscription:${subscriptionId}`]);
    return await fn();
  } finally {
    // Ending the session releases the lock.
    await client.end().catch(() => undefined);
  }
}
