import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { Reseller } from './reseller.entity';

export enum WebhookStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}

/** One signed POST of an event to a reseller's webhook URL. */
@Entity({ tableName: 'webhook_delivery' })
@Index({ properties: ['reseller', 'createdAt'] })
export class WebhookDelivery {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'Reseller', deleteRule: 'cascade' })
  reseller!: Reseller;

  @Property({ type: 'text' })
  event!: string;

  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Enum({ items: () => WebhookStatus, default: WebhookStatus.PENDING })
  status: WebhookStatus & Opt = WebhookStatus.PENDING;

  @Property({ type: 'integer', default: 0 })
  attempts: number & Opt = 0;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
