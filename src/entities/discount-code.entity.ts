import { Check, Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A discount: a percent or a fixed amount, limited in uses, time and plans. */
@Entity({ tableName: 'discount_code' })
@Check({ name: 'discount_code_kind_check', expression: '(percent is null) <> (amount is null)' })
@Check({ name: 'discount_code_used_check', expression: 'max_uses is null or used <= max_uses' })
export class DiscountCode {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  /** Stored upper-case; matched case-insensitively. */
  @Property({ type: 'text', unique: true })
  code!: string;

  /** 1–100 percent off; exclusive with amount. */
  @Property({ type: 'integer', nullable: true })
  percent?: number | null;

  /** Fixed Toman off; exclusive with percent. */
  @Property({ type: 'integer', nullable: true })
  amount?: number | null;

  /** null = unlimited. */
  @Property({ type: 'integer', nullable: true })
  maxUses?: number | null;

  /** Incremented by a guarded UPDATE when an order using it is paid or created. */
  @Property({ type: 'integer', default: 0 })
  used: number & Opt = 0;

  @Property({ type: 'timestamptz', nullable: true })
  validFrom?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  validUntil?: Date | null;

  /** Plans it applies to; empty = all. */
  @Property({ type: 'text[]', default: '{}' })
  planIds: string[] & Opt = [];

  @Property({ type: 'boolean', default: true })
  active: boolean & Opt = true;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
