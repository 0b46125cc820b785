import { Migration } from '@mikro-orm/migrations';

export class Migration20261203150000_backoffice extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "admin" add column "language" text check ("language" in ('fa', 'en')) not null default 'fa';`);
    this.addSql(`alter table "notification" add column "telegram_message_id" bigint null, add column "captioned" boolean null;`);
    this.addSql(`create table "broadcast" ("id" uuid not null, "html" text not null, "photo" bytea null, "photo_mime_type" text null, "audience" text check ("audience" in ('ALL', 'ACTIVE', 'EXPIRED', 'NEVER_BOUGHT')) not null, "status" text check ("status" in ('QUEUED', 'RUNNING', 'DONE')) not null default 'QUEUED', "total" int not null default 0, "sent" int not null default 0, "blocked" int not null default 0, "failed" int not null default 0, "cursor" uuid null, "created_by_telegram_id" bigint null, "progress_message_id" bigint null, "idempotency_key" text null, "created_at" timestamptz not null default now(), "finished_at" timestamptz null, constraint "broadcast_pkey" primary key ("id"));`);
    this.addSql(`create unique index "broadcast_idempotency_unique" on "broadcast" ("created_by_telegram_id", "idempotency_key") where "idempotency_key" is not null;`);
    this.addSql(`create index "notification_receipt_payment_idx" on "notification" ((params->>'paymentId')) where kind = 'ADMIN_NEW_RECEIPT';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "notification_receipt_payment_idx";`);
    this.addSql(`drop table "broadcast";`);
    this.addSql(`alter table "notification" drop column "telegram_message_id", drop column "captioned";`);
    this.addSql(`alter table "admin" drop column "language";`);
  }

}
