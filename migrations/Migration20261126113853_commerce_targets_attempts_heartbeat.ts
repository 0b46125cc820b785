import { Migration } from '@mikro-orm/migrations';

export class Migration20261126113853_commerce_targets_attempts_heartbeat extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "worker_heartbeat" ("worker_id" text not null, "last_seen_at" timestamptz not null default now(), constraint "worker_heartbeat_pkey" primary key ("worker_id"));`);

    this.addSql(`alter table "order" add column "target_expires_at" timestamptz null, add column "target_traffic_bytes" bigint null, add column "attempt" int not null default 1;`);

    this.addSql(`alter table "ledger_entry" add column "attempt" int not null default 1;`);
    // One TOP_UP, PURCHASE and REFUND per order and fulfilment attempt.
    this.addSql(`drop index "ledger_entry_order_kind_unique";`);
    this.addSql(`create unique index "ledger_entry_order_kind_unique" on "ledger_entry" ("order_id", "kind", "attempt") where "order_id" is not null and "kind" in ('TOP_UP', 'PURCHASE', 'REFUND');`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "worker_heartbeat" cascade;`);

    this.addSql(`drop index "ledger_entry_order_kind_unique";`);
    this.addSql(`alter table "ledger_entry" drop column "attempt";`);
    this.addSql(`create unique index "ledger_entry_order_kind_unique" on "ledger_entry" ("order_id", "kind") where "order_id" is not null and "kind" in ('TOP_UP', 'PURCHASE', 'REFUND');`);

    this.addSql(`alter table "order" drop column "target_expires_at", drop column "target_traffic_bytes", drop column "attempt";`);
  }

}
