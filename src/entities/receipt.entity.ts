import { Entity, ManyToOne, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { Customer } from './customer.entity';

/**
 * A receipt image uploaded through the API (Telegram file ids are per bot, so the bytes move
 * through us). Deduplicated by content hash.
 */
@Entity({ tableName: 'receipt' })
export class Receipt {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'Customer', deleteRule: 'cascade' })
  customer!: Customer;

  /** hex SHA-256 of the bytes. */
  @Property({ type: 'text', unique: true })
  contentHash!: string;

  @Property({ type: 'text' })
  mimeType!: string;

  @Property({ type: 'integer' })
  size!: number;

  @Property({ type: 'blob', lazy: true, hidden: true })
  data!: Buffer;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
