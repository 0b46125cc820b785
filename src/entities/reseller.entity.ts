import { Entity, Enum, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { bigintNumber } from './common';

export enum ResellerStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
}

/** A business that sells our plans through the API, paying from a prepaid balance. */
@Entity({ tableName: 'reseller' })
export class Reseller {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text', unique: true })
  name!: string;

  @Enum({ items: () => ResellerStatus, default: ResellerStatus.ACTIVE })
  status: ResellerStatus & Opt = ResellerStatus.ACTIVE;

  /** Discount on plan prices in percent (0–100), used when no per-plan price is set. */
  @Property({ type: 'integer', default: 0 })
  discountPercent: number & Opt = 0;

  /** Per-plan prices in Toman, keyed by plan id; override discountPercent. */
  @Property({ type: 'jsonb', default: '{}' })
  planPrices: Record<string, number> & Opt = {};

  /** How far below zero the balance may go, in Toman. */
  @Property({ type: bigintNumber(), default: 0 })
  creditLimit: number & Opt = 0;

  /** Max ACTIVE subscriptions; 0 = unlimited. */
  @Property({ type: 'integer', default: 0 })
  maxActiveSubscriptions: number & Opt = 0;

  /** Plans it may sell (ids); empty = every purchasable plan. */
  @Property({ type: 'text[]', default: '{}' })
  allowedPlanIds: string[] & Opt = [];

  /** Server groups its plans may provision on; empty = any group. */
  @Property({ type: 'text[]', default: '{}' })
  allowedServerGroups: string[] & Opt = [];

  /** Where signed event webhooks are POSTed (validated: http(s), no private addresses by default). */
  @Property({ type: 'text', nullable: true })
  webhookUrl?: string | null;

  /** AES-256-GCM ciphertext of the webhook signing secret (src/crypto.ts). Never returned. */
  @Property({ type: 'text', nullable: true, hidden: true })
  webhookSecretEnc?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
