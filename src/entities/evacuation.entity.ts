import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { Server } from './server.entity';
import type { Subscription } from './subscription.entity';

export enum EvacuationStatus {
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  /** Stopped with subscriptions left on the source; calling evacuateServer again resumes it. */
  FAILED = 'FAILED',
}

/**
 * Moving every subscription off one server (`evacuate_server`), or one subscription to another
 * server (`move_subscription`, `subscription` set). The record makes the move resumable: a second
 * `evacuateServer` call continues the open evacuation of that source instead of starting another
 * (at most one open server evacuation per source, and one running move per subscription, enforced
 * by partial unique indexes).
 */
@Entity({ tableName: 'evacuation' })
@Index({
  name: 'evacuation_open_per_source_unique',
  expression: `create unique index "evacuation_open_per_source_unique" on "evacuation" ("from_server_id") where "status" <> 'COMPLETED' and "subscription_id" is null`,
})
@Index({
  name: 'evacuation_running_per_subscription_unique',
  expression: `create unique index "evacuation_running_per_subscription_unique" on "evacuation" ("subscription_id") where "status" = 'RUNNING'`,
})
export class Evacuation {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'Server', deleteRule: 'cascade' })
  @Index()
  fromServer!: Server;

  /** The requested target; null = placement chooses per subscription among the other servers of its group. */
  @ManyToOne({ entity: 'Server', nullable: true, deleteRule: 'set null' })
  toServer?: Server | null;

  /** Set for the move of one subscription (to `toServer`); null for a whole server's evacuation. */
  @ManyToOne({ entity: 'Subscription', nullable: true, deleteRule: 'cascade' })
  subscription?: Subscription | null;

  @Enum({ items: () => EvacuationStatus, default: EvacuationStatus.RUNNING })
  status: EvacuationStatus & Opt = EvacuationStatus.RUNNING;

  /** Subscriptions to move: those already moved plus those still on the source. */
  @Property({ type: 'integer', default: 0 })
  total: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  moved: number & Opt = 0;

  /** Subscriptions that could not be moved in the current pass (no room, no usable inbound, refused). */
  @Property({ type: 'integer', default: 0 })
  failed: number & Opt = 0;

  /** Ids of the subscriptions counted in `failed`; skipped until the evacuation is resumed. */
  @Property({ type: 'text[]', default: '{}' })
  failedSubscriptionIds: string[] & Opt = [];

  /**
   * Panel names moved away whose client may still be on the source (the source was unreachable,
   * or the delete did not finish). Reconciliation of the source deletes them and clears the list.
   */
  @Property({ type: 'text[]', default: '{}' })
  leftoverNames: string[] & Opt = [];

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  startedAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
