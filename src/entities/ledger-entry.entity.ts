import { Check, Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { bigintNumber } from './common';
import type { Customer } from './customer.entity';
import type { Order } from './order.entity';
import type { Reseller } from './reseller.entity';

export enum LedgerKind {
  TOP_UP = 'TOP_UP',
  PURCHASE = 'PURCHASE',
  REFUND = 'REFUND',
  ADJUSTMENT = 'ADJUSTMENT',
  COMMISSION = 'COMMISSION',
}

/**
 * Append-only money movement on a customer wallet or a reseller balance (exactly one of the two).
 * Balances are sums of these rows. At most one TOP_UP, PURCHASE and REFUND per order and fulfilment
 * attempt (unique index), so a retried job never charges or refunds twice.
 */
@Entity({ tableName: 'ledger_entry' })
@Check({ name: 'ledger_entry_one_account_check', expression: '(customer_id is null) <> (reseller_id is null)' })
@Index({
  name: 'ledger_entry_order_kind_unique',
  expression:
    `create unique index "ledger_entry_order_kind_unique" on "ledger_entry" ("order_id", "kind", "attempt") ` +
    `where "order_id" is not null and "kind" in ('TOP_UP', 'PURCHASE', 'REFUND')`,
})
@Index({
  name: 'ledger_entry_customer_idempotency_unique',
  expression:
    `create unique index "ledger_entry_customer_idempotency_unique" on "ledger_entry" ("customer_id", "idempotency_key") ` +
    `where "idempotency_key" is not null`,
})
@Index({
  name: 'ledger_entry_reseller_idempotency_unique',
  expression:
    `create unique index "ledger_entry_reseller_idempotency_unique" on "ledger_entry" ("reseller_id", "idempotency_key") ` +
    `where "idempotency_key" is not null`,
})
export class LedgerEntry {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'Customer', nullable: true, deleteRule: 'restrict' })
  @Index()
  customer?: Customer | null;

  @ManyToOne({ entity: 'Reseller', nullable: true, deleteRule: 'restrict' })
  @Index()
  reseller?: Reseller | null;

  /** Toman; positive credits the account, negative debits it. */
  @Property({ type: bigintNumber() })
  amount!: number;

  @Enum({ items: () => LedgerKind })
  kind!: LedgerKind;

  @ManyToOne({ entity: 'Order', nullable: true, deleteRule: 'restrict' })
  order?: Order | null;

  /** The order's fulfilment attempt this movement belongs to. */
  @Property({ type: 'integer', default: 1 })
  attempt: number & Opt = 1;

  /** Who caused it (principal description or `system`). */
  @Property({ type: 'text' })
  actor!: string;

  @Property({ type: 'text', nullable: true })
  note?: string | null;

  /** For manual adjustments and reseller top-ups: the caller's idempotency key (unique per account), so a retry never posts twice. */
  @Property({ type: 'text', nullable: true })
  idempotencyKey?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
