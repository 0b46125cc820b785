import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { Admin } from './admin.entity';
import type { Customer } from './customer.entity';

export enum TicketStatus {
  OPEN = 'OPEN',
  ANSWERED = 'ANSWERED',
  CLOSED = 'CLOSED',
}

export enum TicketAuthor {
  CUSTOMER = 'CUSTOMER',
  ADMIN = 'ADMIN',
}

/** A support conversation opened by a customer. */
@Entity({ tableName: 'ticket' })
@Index({ properties: ['status', 'updatedAt'] })
@Index({
  name: 'ticket_idempotency_unique',
  expression: `create unique index "ticket_idempotency_unique" on "ticket" ("customer_id", "idempotency_key") where "idempotency_key" is not null`,
})
export class Ticket {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'Customer', deleteRule: 'cascade' })
  @Index()
  customer!: Customer;

  @Property({ type: 'text' })
  subject!: string;

  /** The client's key for this open (one per customer): repeating it returns this ticket. */
  @Property({ type: 'text', nullable: true })
  idempotencyKey?: string | null;

  @Enum({ items: () => TicketStatus, default: TicketStatus.OPEN })
  status: TicketStatus & Opt = TicketStatus.OPEN;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}

/** One message of a ticket. */
@Entity({ tableName: 'ticket_message' })
export class TicketMessage {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'Ticket', deleteRule: 'cascade' })
  @Index()
  ticket!: Ticket;

  @Enum({ items: () => TicketAuthor })
  authorType!: TicketAuthor;

  @ManyToOne({ entity: 'Admin', nullable: true, deleteRule: 'set null' })
  admin?: Admin | null;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
