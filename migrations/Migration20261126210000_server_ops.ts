import { Migration } from '@mikro-orm/migrations';

export class Migration20261126210000_server_ops extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "evacuation" ("id" uuid not null, "from_server_id" uuid not null, "to_server_id" uuid null, "status" text check ("status" in ('RUNNING', 'COMPLETED', 'FAILED')) not null default 'RUNNING', "total" int not null default 0, "moved" int not null default 0, "failed" int not null default 0, "failed_subscription_ids" text[] not null default '{}', "leftover_names" text[] not null default '{}', "last_error" text null, "started_at" timestamptz not null default now(), "completed_at" timestamptz null, "updated_at" timestamptz not null default now(), constraint "evacuation_pkey" primary key ("id"));`);
    this.addSql(`create index "evacuation_from_server_id_index" on "evacuation" ("from_server_id");`);
    // At most one open (RUNNING or FAILED) evacuation per source: a second call resumes it.
    this.addSql(`create unique index "evacuation_open_per_source_unique" on "evacuation" ("from_server_id") where "status" <> 'COMPLETED';`);
    this.addSql(`alter table "evacuation" add constraint "evacuation_from_server_id_foreign" foreign key ("from_server_id") references "server" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "evacuation" add constraint "evacuation_to_server_id_foreign" foreign key ("to_server_id") references "server" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "server" add column "probe_history" text not null default '';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "server" drop column "probe_history";`);

    this.addSql(`drop table if exists "evacuation" cascade;`);
  }

}
