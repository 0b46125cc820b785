import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { bigintNumber } from './common';
import type { Customer } from './customer.entity';
import type { DiscountCode } from './discount-code.entity';
import type { Plan } from './plan.entity';
import type { Reseller } from './reseller.entity';
import type { Subscription } from './subscription.entity';

export enum OrderKind {
  NEW = 'NEW',
  RENEW = 'RENEW',
  ADD_TRAFFIC = 'ADD_TRAFFIC',
  TRIAL = 'TRIAL',
  TOP_UP = 'TOP_UP',
}

export enum OrderStatus {
  PENDING_PAYMENT = 'PENDING_PAYMENT',
  PAID = 'PAID',
  FULFILLING = 'FULFILLING',
  FULFILLED = 'FULFILLED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
  REFUNDED = 'REFUNDED',
}

export enum PaymentMethod {
  CARD_TO_CARD = 'CARD_TO_CARD',
  WALLET = 'WALLET',
  RESELLER_BALANCE = 'RESELLER_BALANCE',
  FREE = 'FREE',
}

/** A request to buy something. `number` is the human order number from a sequence. */
@Entity({ tableName: 'order' })
@Unique({ name: 'order_principal_idempotency_key_unique', properties: ['principal', 'idempotencyKey'] })
@Index({ properties: ['status', 'createdAt'] })
@Index({
  name: 'order_one_trial_per_customer',
  expression: `create unique index "order_one_trial_per_customer" on "order" ("customer_id") where "kind" = 'TRIAL'`,
})
export class Order {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  /** Taken from the `order_number_seq` sequence by the order service (nextOrderNumber). */
  @Property({ type: bigintNumber(), unique: true })
  number!: number;

  @ManyToOne({ entity: 'Customer', deleteRule: 'restrict' })
  @Index()
  customer!: Customer;

  @ManyToOne({ entity: 'Reseller', nullable: true, deleteRule: 'restrict' })
  @Index()
  reseller?: Reseller | null;

  /** null for wallet top-ups. */
  @ManyToOne({ entity: 'Plan', nullable: true, deleteRule: 'restrict' })
  plan?: Plan | null;

  @Enum({ items: () => OrderKind })
  kind!: OrderKind;

  /** The subscription it creates (NEW/TRIAL, set on approval) or changes (RENEW/ADD_TRAFFIC). */
  @ManyToOne({ entity: 'Subscription', nullable: true, deleteRule: 'restrict' })
  @Index()
  subscription?: Subscription | null;

  @Enum({ items: () => OrderStatus, default: OrderStatus.PENDING_PAYMENT })
  status: OrderStatus & Opt = OrderStatus.PENDING_PAYMENT;

  @Enum({ items: () => PaymentMethod })
  paymentMethod!: PaymentMethod;

  /** List price in Toman. */
  @Property({ type: 'integer' })
  price!: number;

  @Property({ type: 'integer', default: 0 })
  discount: number & Opt = 0;

  /** Reseller orders: the shop's own price of the plan when ordered (the reseller's margin is shopPrice - price). */
  @Property({ type: 'integer', nullable: true })
  shopPrice?: number | null;

  @Property({ type: 'integer' })
  amountDue!: number;

  @ManyToOne({ entity: 'DiscountCode', nullable: true, deleteRule: 'restrict' })
  discountCode?: DiscountCode | null;

  /** Who placed it, e.g. `key:<api key id>` or `tg:<telegram id>`; scopes the idempotency key. */
  @Property({ type: 'text' })
  principal!: string;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  /** RENEW: the absolute expiry to set, fixed when the order is paid (so re-running never extends twice). */
  @Property({ type: 'timestamptz', nullable: true })
  targetExpiresAt?: Date | null;

  /** RENEW / ADD_TRAFFIC: the absolute quota in bytes to set, fixed when the order is paid. */
  @Property({ type: bigintNumber(), nullable: true })
  targetTrafficBytes?: number | null;

  /** RENEW: whether the new period starts usage from zero (fixed when paid, from the plan's renewal policy). */
  @Property({ type: 'boolean', default: false })
  resetsUsage: boolean & Opt = false;

  /** Fulfilment attempt: 1, then +1 for each admin retry of a failed order. Ledger rows are unique per attempt. */
  @Property({ type: 'integer', default: 1 })
  attempt: number & Opt = 1;

  @Property({ type: 'text', nullable: true })
  failureReason?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  paidAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  fulfilledAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
