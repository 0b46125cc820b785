import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { bigintNumber } from './common';
import type { Reseller } from './reseller.entity';

export enum CustomerStatus {
  ACTIVE = 'ACTIVE',
  BANNED = 'BANNED',
}

export enum Language {
  FA = 'fa',
  EN = 'en',
}

/** An end user: a Telegram user of the shop bot, or a reseller's customer. */
@Entity({ tableName: 'customer' })
@Unique({ properties: ['reseller', 'externalRef'] })
export class Customer {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: bigintNumber(), nullable: true, unique: true })
  telegramId?: number | null;

  @Property({ type: 'text', nullable: true })
  @Index()
  username?: string | null;

  @Property({ type: 'text', nullable: true })
  displayName?: string | null;

  @Enum({ items: () => Language, default: Language.FA })
  language: Language & Opt = Language.FA;

  @Enum({ items: () => CustomerStatus, default: CustomerStatus.ACTIVE })
  status: CustomerStatus & Opt = CustomerStatus.ACTIVE;

  /** Set once when the free trial was taken; the unique trial order enforces once-only. */
  @Property({ type: 'timestamptz', nullable: true })
  trialUsedAt?: Date | null;

  /** This customer's own referral code (shared in /start links). */
  @Property({ type: 'text', unique: true })
  referralCode: string & Opt = randomUUID().replace(/-/g, '').slice(0, 10);

  @ManyToOne({ entity: 'Customer', nullable: true, deleteRule: 'set null' })
  referredBy?: Customer | null;

  @ManyToOne({ entity: 'Reseller', nullable: true, deleteRule: 'restrict' })
  reseller?: Reseller | null;

  /** The reseller's own reference for this customer (unique per reseller). */
  @Property({ type: 'text', nullable: true })
  externalRef?: string | null;

  /** When Telegram answered 403 (the user blocked the bot); cleared when they come back. */
  @Property({ type: 'timestamptz', nullable: true })
  botBlockedAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
