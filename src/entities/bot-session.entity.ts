import { Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Bot sessions and conversation state (grammY sessions and @grammyjs/conversations), one JSON value
 * per (bot, key), so a restart in the middle of a flow resumes where the user was. Written only by
 * the bot state store in src/main (bots may not touch the database themselves).
 */
@Entity({ tableName: 'bot_session' })
export class BotSession {
  /** Which bot: `shop` or `backoffice`. */
  @PrimaryKey({ type: 'text' })
  bot!: string;

  /** The storage key, e.g. `s:<chat id>` (session) or `c:<chat id>` (conversations). */
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'jsonb' })
  value!: unknown;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date & Opt = new Date();
}
