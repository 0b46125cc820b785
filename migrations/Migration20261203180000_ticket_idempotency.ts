import { Migration } from '@mikro-orm/migrations';

/**
 * `openTicket(idempotencyKey)`: a double tap or a retried request returns the ticket the first one
 * opened. The key is unique per customer (keys are the client's, so two customers may use the same).
 */
export class Migration20261203180000_ticket_idempotency extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "ticket" add column "idempotency_key" text null;`);
    this.addSql(`create unique index "ticket_idempotency_unique" on "ticket" ("customer_id", "idempotency_key") where "idempotency_key" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "ticket_idempotency_unique";`);
    this.addSql(`alter table "ticket" drop column "idempotency_key";`);
  }
}
