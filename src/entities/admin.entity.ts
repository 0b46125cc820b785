import { Entity, Enum, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { AdminRole, bigintNumber } from './common';

/** A person who runs the shop through the admin bot, identified by Telegram id. */
@Entity({ tableName: 'admin' })
export class Admin {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: bigintNumber(), unique: true })
  telegramId!: number;

  @Property({ type: 'text', nullable: true })
  displayName?: string | null;

  @Enum({ items: () => AdminRole })
  role!: AdminRole;

  @Property({ type: 'boolean', default: true })
  active: boolean & Opt = true;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
