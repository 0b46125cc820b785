import { Migration } from '@mikro-orm/migrations';

/**
 * `moveSubscription`: an evacuation row may move one subscription (`subscription_id`). The
 * one-open-evacuation-per-source rule is about whole servers only; one running move per subscription.
 */
export class Migration20261203170000_subscription_move extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "evacuation" add column "subscription_id" uuid null;`);
    this.addSql(
      `alter table "evacuation" add constraint "evacuation_subscription_id_foreign" foreign key ("subscription_id") references "subscription" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`drop index if exists "evacuation_open_per_source_unique";`);
    this.addSql(`create unique index "evacuation_open_per_source_unique" on "evacuation" ("from_server_id") where "status" <> 'COMPLETED' and "subscription_id" is null;`);
    this.addSql(`create unique index "evacuation_running_per_subscription_unique" on "evacuation" ("subscription_id") where "status" = 'RUNNING';`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "evacuation" where "subscription_id" is not null;`);
    this.addSql(`drop index if exists "evacuation_running_per_subscription_unique";`);
    this.addSql(`drop index if exists "evacuation_open_per_source_unique";`);
    this.addSql(`create unique index "evacuation_open_per_source_unique" on "evacuation" ("from_server_id") where "status" <> 'COMPLETED';`);
    this.addSql(`alter table "evacuation" drop constraint if exists "evacuation_subscription_id_foreign";`);
    this.addSql(`alter table "evacuation" drop column "subscription_id";`);
  }
}
