import { Migration } from '@mikro-orm/migrations';

export class Migration20261126240000_ledger_idempotency extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "ledger_entry" add column "idempotency_key" text null;`);
    this.addSql(`create unique index "ledger_entry_customer_idempotency_unique" on "ledger_entry" ("customer_id", "idempotency_key") where "idempotency_key" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "ledger_entry_customer_idempotency_unique";`);
    this.addSql(`alter table "ledger_entry" drop column "idempotency_key";`);
  }

}
