import { Entity, Enum, Index, ManyToOne, OneToOne, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { Admin } from './admin.entity';
import { PaymentMethod, type Order } from './order.entity';
import type { Receipt } from './receipt.entity';

export enum PaymentStatus {
  PENDING = 'PENDING',
  SUBMITTED = 'SUBMITTED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  EXPIRED = 'EXPIRED',
}

/**
 * How an order is paid. For CARD_TO_CARD, `payableAmount` is unique among open payments
 * (partial unique index in the migration) so one bank statement line identifies one payment.
 */
@Entity({ tableName: 'payment' })
@Index({ properties: ['status', 'expiresAt'] })
@Index({
  name: 'payment_open_payable_amount_unique',
  expression:
    `create unique index "payment_open_payable_amount_unique" on "payment" ("payable_amount") ` +
    `where "method" = 'CARD_TO_CARD' and "status" in ('PENDING', 'SUBMITTED')`,
})
@Index({
  name: 'payment_receipt_hash_unique',
  expression: `create unique index "payment_receipt_hash_unique" on "payment" ("receipt_hash") where "receipt_hash" is not null`,
})
@Index({
  name: 'payment_tracking_code_unique',
  expression: `create unique index "payment_tracking_code_unique" on "payment" ("tracking_code") where "tracking_code" is not null`,
})
export class Payment {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @OneToOne({ entity: 'Order', owner: true, deleteRule: 'cascade' })
  order!: Order;

  @Enum({ items: () => PaymentMethod })
  method!: PaymentMethod;

  /** The order's amount due, in Toman. */
  @Property({ type: 'integer' })
  amount!: number;

  /** The exact amount to transfer (amount plus a small unique offset), in Toman. */
  @Property({ type: 'integer', nullable: true })
  payableAmount?: number | null;

  @Enum({ items: () => PaymentStatus, default: PaymentStatus.PENDING })
  status: PaymentStatus & Opt = PaymentStatus.PENDING;

  @ManyToOne({ entity: 'Receipt', nullable: true, deleteRule: 'restrict' })
  receipt?: Receipt | null;

  /** SHA-256 of the receipt image; unique among payments (migration) so one receipt pays once. */
  @Property({ type: 'text', nullable: true })
  receiptHash?: string | null;

  /** The bank's tracking code, unique when given. */
  @Property({ type: 'text', nullable: true })
  trackingCode?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  submittedAt?: Date | null;

  @ManyToOne({ entity: 'Admin', nullable: true, deleteRule: 'set null' })
  reviewedBy?: Admin | null;

  @Property({ type: 'timestamptz', nullable: true })
  reviewedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  rejectReason?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
