import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomBytes, randomUUID } from 'node:crypto';
import { bigintNumber } from './common';
import type { Customer } from './customer.entity';
import type { Plan } from './plan.entity';
import type { Reseller } from './reseller.entity';
import type { Server } from './server.entity';

export enum SubscriptionStatus {
  PROVISIONING = 'PROVISIONING',
  ACTIVE = 'ACTIVE',
  DISABLED = 'DISABLED',
  DEPLETED = 'DEPLETED',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
  FAILED = 'FAILED',
}

/**
 * One customer's config on one server. `panelName`, `clientUuid` and `clientPassword` are
 * generated once, stored before any panel call and kept forever, so a retry or a move to another
 * server never creates a second client or changes the customer's config.
 */
@Entity({ tableName: 'subscription' })
@Index({ properties: ['server', 'status'] })
@Index({ properties: ['status', 'expiresAt'] })
export class Subscription {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'Customer', deleteRule: 'restrict' })
  @Index()
  customer!: Customer;

  @ManyToOne({ entity: 'Reseller', nullable: true, deleteRule: 'restrict' })
  reseller?: Reseller | null;

  @ManyToOne({ entity: 'Plan', deleteRule: 'restrict' })
  plan!: Plan;

  /** null until placed. */
  @ManyToOne({ entity: 'Server', nullable: true, deleteRule: 'restrict' })
  server?: Server | null;

  /** Panel inbound ids the client is on. */
  @Property({ type: 'text[]', default: '{}' })
  inboundIds: string[] & Opt = [];

  /** Deterministic identity on the panel, derived from our id. */
  @Property({ type: 'text', unique: true })
  panelName!: string;

  @Property({ type: 'uuid' })
  clientUuid: string & Opt = randomUUID();

  @Property({ type: 'text' })
  clientPassword: string & Opt = randomBytes(12).toString('base64url');

  @Enum({ items: () => SubscriptionStatus, default: SubscriptionStatus.PROVISIONING })
  status: SubscriptionStatus & Opt = SubscriptionStatus.PROVISIONING;

  @Property({ type: 'boolean', default: false })
  isTrial: boolean & Opt = false;

  /** Quota in bytes; 0 = unlimited. */
  @Property({ type: bigintNumber(), default: 0 })
  trafficLimitBytes: number & Opt = 0;

  @Property({ type: bigintNumber(), default: 0 })
  usedUpBytes: number & Opt = 0;

  @Property({ type: bigintNumber(), default: 0 })
  usedDownBytes: number & Opt = 0;

  @Property({ type: 'integer', default: 0 })
  deviceLimit: number & Opt = 0;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;

  /** Unguessable token of our own subscription URL `/sub/:token`. */
  @Property({ type: 'text', unique: true })
  subToken: string & Opt = randomBytes(24).toString('base64url');

  /** Share links as last read from the panel. */
  @Property({ type: 'jsonb', default: '[]' })
  links: string[] & Opt = [];

  @Property({ type: 'timestamptz', nullable: true })
  lastSyncedAt?: Date | null;

  /** Panel counters seen at the last sync (for counter-reset detection). */
  @Property({ type: bigintNumber(), default: 0 })
  panelUpSeen: number & Opt = 0;

  @Property({ type: bigintNumber(), default: 0 })
  panelDownSeen: number & Opt = 0;

  /**
   * Traffic period: incremented by a renewal that resets usage, so a usage sync that read the panel
   * before the reset never writes old-period counters into the new period.
   */
  @Property({ type: 'integer', default: 0 })
  usageEpoch: number & Opt = 0;

  /** When the subscription last became EXPIRED or DEPLETED: the grace period counts from here. */
  @Property({ type: 'timestamptz', nullable: true })
  endedAt?: Date | null;

  /** Set when a sync found no client on the panel; cleared by reconciliation. */
  @Property({ type: 'timestamptz', nullable: true })
  driftDetectedAt?: Date | null;

  /**
   * When provisioning first recorded that it was about to ask the panel to create this client
   * (committed before that request). Null: no attempt can have created it, so provisioning creates
   * without looking first; set: an earlier attempt may have, so it looks the client up by name.
   */
  @Property({ type: 'timestamptz', nullable: true })
  clientCreateIntentAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  activatedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
