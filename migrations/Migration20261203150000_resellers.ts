import { Migration } from '@mikro-orm/migrations';

/** Resellers (issue 11): allowed plans and groups, key IP allow-lists, per-key rate buckets, top-up idempotency, shop price of reseller orders, webhook delivery log. */
export class Migration20261203150000_resellers extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "api_key_rate" ("api_key_id" uuid not null, "tokens" double precision not null, "updated_at" timestamptz not null default now(), constraint "api_key_rate_pkey" primary key ("api_key_id"));`);
    this.addSql(`alter table "api_key_rate" add constraint "api_key_rate_api_key_id_foreign" foreign key ("api_key_id") references "api_key" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "reseller" add column "allowed_plan_ids" text[] not null default '{}', add column "allowed_server_groups" text[] not null default '{}', add column "updated_at" timestamptz not null default now();`);
    this.addSql(`alter table "api_key" add column "allowed_cidrs" text[] not null default '{}';`);
    this.addSql(`alter table "order" add column "shop_price" int null;`);
    this.addSql(`create unique index "ledger_entry_reseller_idempotency_unique" on "ledger_entry" ("reseller_id", "idempotency_key") where "idempotency_key" is not null;`);
    this.addSql(`alter table "webhook_delivery" add column "event_key" text null, add column "last_status_code" int null, add column "last_attempt_at" timestamptz null;`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_event_key_unique" unique ("event_key");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_event_key_unique";`);
    this.addSql(`alter table "webhook_delivery" drop column "event_key", drop column "last_status_code", drop column "last_attempt_at";`);
    this.addSql(`drop index "ledger_entry_reseller_idempotency_unique";`);
    this.addSql(`alter table "order" drop column "shop_price";`);
    this.addSql(`alter table "api_key" drop column "allowed_cidrs";`);
    this.addSql(`alter table "reseller" drop column "allowed_plan_ids", drop column "allowed_server_groups", drop column "updated_at";`);
    this.addSql(`drop table if exists "api_key_rate" cascade;`);
  }

}
