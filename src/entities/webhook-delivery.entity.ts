import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { Reseller } from './reseller.entity';

export enum WebhookStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}

/**
 * One event for a reseller and the log of POSTing it, signed, to the reseller's webhook URL.
 * The row id is the event id receivers de-duplicate on; `eventKey` makes each event once
 * (e.g. `subscription.expired:<id>:<expiry>`).
 */
@Entity({ tableName: 'webhook_delivery' })
@Index({ properties: ['reseller', 'createdAt'] })
export class WebhookDelivery {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'Reseller', deleteRule: 'cascade' })
  reseller!: Reseller;

  /** Event type, e.g. `subscription.activated`. */
  @Property({ type: 'text' })
  event!: string;

  /** What makes this event unique, so a repeated trigger records nothing new. */
  @Property({ type: 'text', nullable: true, unique: true })
  eventKey?: string | null;

  /** The `data` object of the JSON body. */
  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Enum({ items: () => WebhookStatus, default: WebhookStatus.PENDING })
  status: WebhookStatus & Opt = WebhookStatus.PENDING;

  @Property({ type: 'integer', default: 0 })
  attempts: number & Opt = 0;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  /** HTTP status of the last attempt (null when no response). */
  @Property({ type: 'integer', nullable: true })
  lastStatusCode?: number | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastAttemptAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
