import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Role } from './common';
import type { Reseller } from './reseller.entity';

/** An API key. Only a SHA-256 hash of the secret is stored; the key is shown once at creation. */
@Entity({ tableName: 'api_key' })
export class ApiKey {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  name!: string;

  @Enum({ items: () => Role })
  role!: Role;

  @Property({ type: 'text[]', default: '{}' })
  scopes: string[] & Opt = [];

  @ManyToOne({ entity: 'Reseller', nullable: true, deleteRule: 'cascade' })
  reseller?: Reseller | null;

  /** The visible part of the key (`vpk_<prefix>_…`), used to find the row. */
  @Property({ type: 'text', unique: true })
  prefix!: string;

  /** hex SHA-256 of the whole key. */
  @Property({ type: 'text', hidden: true })
  secretHash!: string;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;

  /** CIDR blocks the key may be used from (IPv4 or IPv6); empty = anywhere. */
  @Property({ type: 'text[]', default: '{}' })
  allowedCidrs: string[] & Opt = [];

  @Property({ type: 'timestamptz', nullable: true })
  @Index()
  revokedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt?: Date | null;

  /** Who created it: `cli`, `bootstrap` or the creating principal's description. */
  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
