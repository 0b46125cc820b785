import { Migration } from '@mikro-orm/migrations';

export class Migration20261203000000_bot_session extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "bot_session" ("bot" text not null, "key" text not null, "value" jsonb not null, "updated_at" timestamptz not null default now(), constraint "bot_session_pkey" primary key ("bot", "key"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "bot_session" cascade;`);
  }

}
