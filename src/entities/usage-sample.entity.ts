import { Entity, Index, ManyToOne, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { bigintNumber } from './common';
import type { Subscription } from './subscription.entity';

/** Append-only traffic deltas measured by a usage sync. */
@Entity({ tableName: 'usage_sample' })
@Index({ properties: ['subscription', 'at'] })
export class UsageSample {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string & Opt;

  @ManyToOne({ entity: 'Subscription', deleteRule: 'cascade' })
  subscription!: Subscription;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  at: Date & Opt = new Date();

  @Property({ type: bigintNumber() })
  deltaUp!: number;

  @Property({ type: bigintNumber() })
  deltaDown!: number;
}
