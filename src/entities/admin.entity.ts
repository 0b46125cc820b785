import { Entity, Enum, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { AdminRole, bigintNumber } from './common';
import { Language } from './customer.entity';

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

  /** The language the admin bot and admin notifications speak to this admin. */
  @Enum({ items: () => Language, default: Language.FA })
  language: Language & Opt = Language.FA;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
