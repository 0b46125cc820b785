import { Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Liveness of graphile-worker workers. graphile-worker 0.17 keeps a crashed worker's job locked
 * for 4 hours; our sweeper unlocks jobs of workers whose heartbeat stopped (src/worker/lock-sweeper.ts).
 */
@Entity({ tableName: 'worker_heartbeat' })
export class WorkerHeartbeat {
  @PrimaryKey({ type: 'text' })
  workerId!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  lastSeenAt: Date & Opt = new Date();
}
