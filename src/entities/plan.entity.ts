import { Entity, Enum, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { bigintNumber } from './common';

/** What a renewal does with the traffic of the period that ends. */
export enum RenewalTraffic {
  /** A new period: the quota is the plan's, usage starts from zero (panel counters reset too). */
  RESET = 'RESET',
  /** Unused traffic carries over: the plan's traffic is added to the current quota, usage kept. */
  CARRY_OVER = 'CARRY_OVER',
}

/** What is sold: a traffic quota for a duration, on a server group and protocols. */
@Entity({ tableName: 'plan' })
export class Plan {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text', unique: true })
  code!: string;

  @Property({ type: 'text' })
  titleFa!: string;

  @Property({ type: 'text' })
  titleEn!: string;

  /** Quota in bytes; 0 = unlimited. */
  @Property({ type: bigintNumber(), default: 0 })
  trafficBytes: number & Opt = 0;

  @Property({ type: 'integer' })
  durationDays!: number;

  /** Simultaneous devices; 0 = unlimited. */
  @Property({ type: 'integer', default: 0 })
  deviceLimit: number & Opt = 0;

  /** Price in Toman. */
  @Property({ type: 'integer' })
  price!: number;

  @Property({ type: 'boolean', default: true })
  active: boolean & Opt = true;

  @Property({ type: 'integer', default: 0 })
  sortOrder: number & Opt = 0;

  @Property({ type: 'boolean', default: false })
  isTrial: boolean & Opt = false;

  /** What renewing with this plan does with the traffic of the period that ends. */
  @Enum({ items: () => RenewalTraffic, default: RenewalTraffic.RESET })
  renewalTraffic: RenewalTraffic & Opt = RenewalTraffic.RESET;

  /** Servers of this group can host it. */
  @Property({ type: 'text', default: 'default' })
  serverGroup: string & Opt = 'default';

  /** Inbound protocols to put the client on (vless, vmess, trojan, ...). Empty = all. */
  @Property({ type: 'text[]', default: '{}' })
  protocols: string[] & Opt = [];

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
