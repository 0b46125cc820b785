import { Entity, Enum, Index, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { bigintNumber } from './common';

/** Who a broadcast goes to. */
export enum BroadcastAudience {
  /** Every customer with a Telegram id who is not banned. */
  ALL = 'ALL',
  /** Customers with an active subscription. */
  ACTIVE = 'ACTIVE',
  /** Customers who had a subscription and have none active any more. */
  EXPIRED = 'EXPIRED',
  /** Customers who never had a paid subscription. */
  NEVER_BOUGHT = 'NEVER_BOUGHT',
}

export enum BroadcastStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  DONE = 'DONE',
}

/**
 * A message an admin sends to many customers through the shop bot. The `broadcast` job walks the
 * audience in customer-id order, in batches within Telegram's limits; `cursor` is the last
 * customer id done, so a restarted job continues instead of starting over.
 */
@Entity({ tableName: 'broadcast' })
@Index({
  name: 'broadcast_idempotency_unique',
  expression: `create unique index "broadcast_idempotency_unique" on "broadcast" ("created_by_telegram_id", "idempotency_key") where "idempotency_key" is not null`,
})
export class Broadcast {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  /** Telegram HTML (the admin's text, escaped). */
  @Property({ type: 'text' })
  html!: string;

  @Property({ type: 'bytea', nullable: true, lazy: true })
  photo?: Buffer | null;

  @Property({ type: 'text', nullable: true })
  photoMimeType?: string | null;

  @Enum({ items: () => BroadcastAudience })
  audience!: BroadcastAudience;

  @Enum({ items: () => BroadcastStatus, default: BroadcastStatus.QUEUED })
  status: BroadcastStatus & Opt = BroadcastStatus.QUEUED;

  /** Recipients counted when the job started. */
  @Property({ type: 'integer', default: 0 })
  total: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  sent: number & Opt = 0;

  /** Recipients who blocked the bot (marked, and skipped by later broadcasts). */
  @Property({ type: 'integer', default: 0 })
  blocked: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  failed: number & Opt = 0;

  /** The last customer id handled. */
  @Property({ type: 'uuid', nullable: true })
  cursor?: string | null;

  /** The admin who sent it: progress and the final report go to this chat (null: sent with an API key, no progress messages). */
  @Property({ type: bigintNumber(), nullable: true })
  createdByTelegramId?: number | null;

  /** The admin-bot message edited with the progress. */
  @Property({ type: bigintNumber(), nullable: true })
  progressMessageId?: number | null;

  @Property({ type: 'text', nullable: true })
  idempotencyKey?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  finishedAt?: Date | null;
}
