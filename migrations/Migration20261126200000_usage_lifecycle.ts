import { Migration } from '@mikro-orm/migrations';

export class Migration20261126200000_usage_lifecycle extends Migration {

  override async up(): Promise<void> {
    // usage_epoch: bumped by a renewal that resets usage, so a sync that read the panel before the reset skips the row.
    this.addSql(`alter table "subscription" add column "usage_epoch" int not null default 0, add column "ended_at" timestamptz null;`);

    this.addSql(`alter table "server" add column "usage_synced_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "server" drop column "usage_synced_at";`);

    this.addSql(`alter table "subscription" drop column "usage_epoch", drop column "ended_at";`);
  }

}
