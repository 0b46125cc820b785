import { Migration } from '@mikro-orm/migrations';

export class Migration20261126000000_initial_schema extends Migration {

  override async up(): Promise<void> {
    // Human order numbers: sequential, unique, never reused.
    this.addSql(`create sequence if not exists "order_number_seq" start with 1001;`);
    this.addSql(`create table "admin" ("id" uuid not null, "telegram_id" bigint not null, "display_name" text null, "role" text check ("role" in ('ADMIN', 'SUPPORT')) not null, "active" boolean not null default true, "created_at" timestamptz not null default now(), constraint "admin_pkey" primary key ("id"));`);
    this.addSql(`alter table "admin" add constraint "admin_telegram_id_unique" unique ("telegram_id");`);

    this.addSql(`create table "audit_log" ("id" uuid not null, "at" timestamptz not null default now(), "actor_type" text not null, "api_key_id" uuid null, "role" text null, "admin_id" uuid null, "customer_id" uuid null, "telegram_id" bigint null, "action" text not null, "operation" text not null, "resource_type" text null, "resource_id" text null, "diff" jsonb null, "correlation_id" text null, "ip" text null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_at_index" on "audit_log" ("at");`);
    this.addSql(`create index "audit_log_action_index" on "audit_log" ("action");`);
    this.addSql(`create index "audit_log_resource_type_resource_id_index" on "audit_log" ("resource_type", "resource_id");`);

    this.addSql(`create table "discount_code" ("id" uuid not null, "code" text not null, "percent" int null, "amount" int null, "max_uses" int null, "used" int not null default 0, "valid_from" timestamptz null, "valid_until" timestamptz null, "plan_ids" text[] not null default '{}', "active" boolean not null default true, "created_at" timestamptz not null default now(), constraint "discount_code_pkey" primary key ("id"), constraint discount_code_used_check check (max_uses is null or used <= max_uses), constraint discount_code_kind_check check ((percent is null) <> (amount is null)));`);
    this.addSql(`alter table "discount_code" add constraint "discount_code_code_unique" unique ("code");`);

    this.addSql(`create table "plan" ("id" uuid not null, "code" text not null, "title_fa" text not null, "title_en" text not null, "traffic_bytes" bigint not null default 0, "duration_days" int not null, "device_limit" int not null default 0, "price" int not null, "active" boolean not null default true, "sort_order" int not null default 0, "is_trial" boolean not null default false, "server_group" text not null default 'default', "protocols" text[] not null default '{}', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "plan_pkey" primary key ("id"));`);
    this.addSql(`alter table "plan" add constraint "plan_code_unique" unique ("code");`);

    this.addSql(`create table "reseller" ("id" uuid not null, "name" text not null, "status" text check ("status" in ('ACTIVE', 'SUSPENDED')) not null default 'ACTIVE', "discount_percent" int not null default 0, "plan_prices" jsonb not null default '{}', "credit_limit" bigint not null default 0, "max_active_subscriptions" int not null default 0, "webhook_url" text null, "webhook_secret_enc" text null, "created_at" timestamptz not null default now(), constraint "reseller_pkey" primary key ("id"));`);
    this.addSql(`alter table "reseller" add constraint "reseller_name_unique" unique ("name");`);

    this.addSql(`create table "customer" ("id" uuid not null, "telegram_id" bigint null, "username" text null, "display_name" text null, "language" text check ("language" in ('fa', 'en')) not null default 'fa', "status" text check ("status" in ('ACTIVE', 'BANNED')) not null default 'ACTIVE', "trial_used_at" timestamptz null, "referral_code" text not null, "referred_by_id" uuid null, "reseller_id" uuid null, "external_ref" text null, "bot_blocked_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "customer_pkey" primary key ("id"));`);
    this.addSql(`alter table "customer" add constraint "customer_telegram_id_unique" unique ("telegram_id");`);
    this.addSql(`create index "customer_username_index" on "customer" ("username");`);
    this.addSql(`alter table "customer" add constraint "customer_referral_code_unique" unique ("referral_code");`);
    this.addSql(`alter table "customer" add constraint "customer_reseller_id_external_ref_unique" unique ("reseller_id", "external_ref");`);

    this.addSql(`create table "receipt" ("id" uuid not null, "customer_id" uuid not null, "content_hash" text not null, "mime_type" text not null, "size" int not null, "data" bytea not null, "created_at" timestamptz not null default now(), constraint "receipt_pkey" primary key ("id"));`);
    this.addSql(`alter table "receipt" add constraint "receipt_content_hash_unique" unique ("content_hash");`);

    this.addSql(`create table "api_key" ("id" uuid not null, "name" text not null, "role" text check ("role" in ('ADMIN', 'SUPPORT', 'RESELLER', 'USER_BOT', 'ADMIN_BOT')) not null, "scopes" text[] not null default '{}', "reseller_id" uuid null, "prefix" text not null, "secret_hash" text not null, "expires_at" timestamptz null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, "created_by" text not null, "created_at" timestamptz not null default now(), constraint "api_key_pkey" primary key ("id"));`);
    this.addSql(`alter table "api_key" add constraint "api_key_prefix_unique" unique ("prefix");`);
    this.addSql(`create index "api_key_revoked_at_index" on "api_key" ("revoked_at");`);

    this.addSql(`create table "server" ("id" uuid not null, "name" text not null, "kind" text check ("kind" in ('SUI', 'XUI')) not null, "base_url" text not null, "credentials_enc" text not null, "version_profile" text null, "detected_version" text null, "server_group" text not null default 'default', "capacity" int not null default 100, "status" text check ("status" in ('UNKNOWN', 'HEALTHY', 'DEGRADED', 'DOWN')) not null default 'UNKNOWN', "failure_streak" int not null default 0, "success_streak" int not null default 0, "last_checked_at" timestamptz null, "last_error" text null, "active" boolean not null default true, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "server_pkey" primary key ("id"));`);
    this.addSql(`alter table "server" add constraint "server_name_unique" unique ("name");`);
    this.addSql(`create index "server_server_group_active_status_index" on "server" ("server_group", "active", "status");`);

    this.addSql(`create table "inbound" ("id" uuid not null, "server_id" uuid not null, "remote_id" text not null, "tag" text not null, "protocol" text not null, "port" int not null, "remark" text not null default '', "enabled" boolean not null default true, "synced_at" timestamptz not null default now(), constraint "inbound_pkey" primary key ("id"));`);
    this.addSql(`alter table "inbound" add constraint "inbound_server_id_remote_id_unique" unique ("server_id", "remote_id");`);

    this.addSql(`create table "setting" ("key" text not null, "value" jsonb not null, "updated_at" timestamptz not null default now(), constraint "setting_pkey" primary key ("key"));`);

    this.addSql(`create table "subscription" ("id" uuid not null, "customer_id" uuid not null, "reseller_id" uuid null, "plan_id" uuid not null, "server_id" uuid null, "inbound_ids" text[] not null default '{}', "panel_name" text not null, "client_uuid" uuid not null, "client_password" text not null, "status" text check ("status" in ('PROVISIONING', 'ACTIVE', 'DISABLED', 'DEPLETED', 'EXPIRED', 'REVOKED', 'FAILED')) not null default 'PROVISIONING', "is_trial" boolean not null default false, "traffic_limit_bytes" bigint not null default 0, "used_up_bytes" bigint not null default 0, "used_down_bytes" bigint not null default 0, "device_limit" int not null default 0, "expires_at" timestamptz null, "sub_token" text not null, "links" jsonb not null default '[]', "last_synced_at" timestamptz null, "panel_up_seen" bigint not null default 0, "panel_down_seen" bigint not null default 0, "drift_detected_at" timestamptz null, "activated_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "subscription_pkey" primary key ("id"));`);
    this.addSql(`create index "subscription_customer_id_index" on "subscription" ("customer_id");`);
    this.addSql(`alter table "subscription" add constraint "subscription_panel_name_unique" unique ("panel_name");`);
    this.addSql(`alter table "subscription" add constraint "subscription_sub_token_unique" unique ("sub_token");`);
    this.addSql(`create index "subscription_status_expires_at_index" on "subscription" ("status", "expires_at");`);
    this.addSql(`create index "subscription_server_id_status_index" on "subscription" ("server_id", "status");`);

    this.addSql(`create table "order" ("id" uuid not null, "number" bigint not null, "customer_id" uuid not null, "reseller_id" uuid null, "plan_id" uuid null, "kind" text check ("kind" in ('NEW', 'RENEW', 'ADD_TRAFFIC', 'TRIAL', 'TOP_UP')) not null, "subscription_id" uuid null, "status" text check ("status" in ('PENDING_PAYMENT', 'PAID', 'FULFILLING', 'FULFILLED', 'FAILED', 'CANCELLED', 'REFUNDED')) not null default 'PENDING_PAYMENT', "payment_method" text check ("payment_method" in ('CARD_TO_CARD', 'WALLET', 'RESELLER_BALANCE', 'FREE')) not null, "price" int not null, "discount" int not null default 0, "amount_due" int not null, "discount_code_id" uuid null, "principal" text not null, "idempotency_key" text not null, "failure_reason" text null, "paid_at" timestamptz null, "fulfilled_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "order_pkey" primary key ("id"));`);
    this.addSql(`alter table "order" add constraint "order_number_unique" unique ("number");`);
    this.addSql(`create index "order_customer_id_index" on "order" ("customer_id");`);
    this.addSql(`create index "order_reseller_id_index" on "order" ("reseller_id");`);
    this.addSql(`create index "order_subscription_id_index" on "order" ("subscription_id");`);
    this.addSql(`create unique index "order_one_trial_per_customer" on "order" ("customer_id") where "kind" = 'TRIAL';`);
    this.addSql(`create index "order_status_created_at_index" on "order" ("status", "created_at");`);
    this.addSql(`alter table "order" add constraint "order_principal_idempotency_key_unique" unique ("principal", "idempotency_key");`);

    this.addSql(`create table "payment" ("id" uuid not null, "order_id" uuid not null, "method" text check ("method" in ('CARD_TO_CARD', 'WALLET', 'RESELLER_BALANCE', 'FREE')) not null, "amount" int not null, "payable_amount" int null, "status" text check ("status" in ('PENDING', 'SUBMITTED', 'APPROVED', 'REJECTED', 'EXPIRED')) not null default 'PENDING', "receipt_id" uuid null, "receipt_hash" text null, "tracking_code" text null, "submitted_at" timestamptz null, "reviewed_by_id" uuid null, "reviewed_at" timestamptz null, "reject_reason" text null, "expires_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "payment_pkey" primary key ("id"));`);
    this.addSql(`alter table "payment" add constraint "payment_order_id_unique" unique ("order_id");`);
    this.addSql(`create unique index "payment_tracking_code_unique" on "payment" ("tracking_code") where "tracking_code" is not null;`);
    this.addSql(`create unique index "payment_receipt_hash_unique" on "payment" ("receipt_hash") where "receipt_hash" is not null;`);
    this.addSql(`create unique index "payment_open_payable_amount_unique" on "payment" ("payable_amount") where "method" = 'CARD_TO_CARD' and "status" in ('PENDING', 'SUBMITTED');`);
    this.addSql(`create index "payment_status_expires_at_index" on "payment" ("status", "expires_at");`);

    this.addSql(`create table "ledger_entry" ("id" uuid not null, "customer_id" uuid null, "reseller_id" uuid null, "amount" bigint not null, "kind" text check ("kind" in ('TOP_UP', 'PURCHASE', 'REFUND', 'ADJUSTMENT', 'COMMISSION')) not null, "order_id" uuid null, "actor" text not null, "note" text null, "created_at" timestamptz not null default now(), constraint "ledger_entry_pkey" primary key ("id"), constraint ledger_entry_one_account_check check ((customer_id is null) <> (reseller_id is null)));`);
    this.addSql(`create index "ledger_entry_customer_id_index" on "ledger_entry" ("customer_id");`);
    this.addSql(`create index "ledger_entry_reseller_id_index" on "ledger_entry" ("reseller_id");`);
    this.addSql(`create unique index "ledger_entry_order_kind_unique" on "ledger_entry" ("order_id", "kind") where "order_id" is not null and "kind" in ('TOP_UP', 'PURCHASE', 'REFUND');`);

    this.addSql(`create table "notification" ("id" uuid not null, "channel" text check ("channel" in ('USER_BOT', 'ADMIN_BOT')) not null, "recipient_telegram_id" bigint not null, "kind" text not null, "params" jsonb not null default '{}', "subscription_id" uuid null, "threshold" text null, "period" text null, "status" text check ("status" in ('PENDING', 'SENT', 'FAILED', 'UNDELIVERABLE')) not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "sent_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "notification_pkey" primary key ("id"));`);
    this.addSql(`create unique index "notification_warning_unique" on "notification" ("subscription_id", "kind", "threshold", "period") where "threshold" is not null;`);
    this.addSql(`create index "notification_status_created_at_index" on "notification" ("status", "created_at");`);

    this.addSql(`create table "ticket" ("id" uuid not null, "customer_id" uuid not null, "subject" text not null, "status" text check ("status" in ('OPEN', 'ANSWERED', 'CLOSED')) not null default 'OPEN', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "ticket_pkey" primary key ("id"));`);
    this.addSql(`create index "ticket_customer_id_index" on "ticket" ("customer_id");`);
    this.addSql(`create index "ticket_status_updated_at_index" on "ticket" ("status", "updated_at");`);

    this.addSql(`create table "ticket_message" ("id" uuid not null, "ticket_id" uuid not null, "author_type" text check ("author_type" in ('CUSTOMER', 'ADMIN')) not null, "admin_id" uuid null, "body" text not null, "created_at" timestamptz not null default now(), constraint "ticket_message_pkey" primary key ("id"));`);
    this.addSql(`create index "ticket_message_ticket_id_index" on "ticket_message" ("ticket_id");`);

    this.addSql(`create table "usage_sample" ("id" bigserial primary key, "subscription_id" uuid not null, "at" timestamptz not null default now(), "delta_up" bigint not null, "delta_down" bigint not null);`);
    this.addSql(`create index "usage_sample_subscription_id_at_index" on "usage_sample" ("subscription_id", "at");`);

    this.addSql(`create table "webhook_delivery" ("id" uuid not null, "reseller_id" uuid not null, "event" text not null, "payload" jsonb not null, "status" text check ("status" in ('PENDING', 'DELIVERED', 'FAILED')) not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "delivered_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "webhook_delivery_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_delivery_reseller_id_created_at_index" on "webhook_delivery" ("reseller_id", "created_at");`);

    this.addSql(`alter table "customer" add constraint "customer_referred_by_id_foreign" foreign key ("referred_by_id") references "customer" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "customer" add constraint "customer_reseller_id_foreign" foreign key ("reseller_id") references "reseller" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "receipt" add constraint "receipt_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "api_key" add constraint "api_key_reseller_id_foreign" foreign key ("reseller_id") references "reseller" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "inbound" add constraint "inbound_server_id_foreign" foreign key ("server_id") references "server" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "subscription" add constraint "subscription_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "subscription" add constraint "subscription_reseller_id_foreign" foreign key ("reseller_id") references "reseller" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "subscription" add constraint "subscription_plan_id_foreign" foreign key ("plan_id") references "plan" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "subscription" add constraint "subscription_server_id_foreign" foreign key ("server_id") references "server" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "order" add constraint "order_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "order" add constraint "order_reseller_id_foreign" foreign key ("reseller_id") references "reseller" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "order" add constraint "order_plan_id_foreign" foreign key ("plan_id") references "plan" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "order" add constraint "order_subscription_id_foreign" foreign key ("subscription_id") references "subscription" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "order" add constraint "order_discount_code_id_foreign" foreign key ("discount_code_id") references "discount_code" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "payment" add constraint "payment_order_id_foreign" foreign key ("order_id") references "order" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "payment" add constraint "payment_receipt_id_foreign" foreign key ("receipt_id") references "receipt" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "payment" add constraint "payment_reviewed_by_id_foreign" foreign key ("reviewed_by_id") references "admin" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_reseller_id_foreign" foreign key ("reseller_id") references "reseller" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_order_id_foreign" foreign key ("order_id") references "order" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "notification" add constraint "notification_subscription_id_foreign" foreign key ("subscription_id") references "subscription" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "ticket" add constraint "ticket_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "ticket_message" add constraint "ticket_message_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ticket_message" add constraint "ticket_message_admin_id_foreign" foreign key ("admin_id") references "admin" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "usage_sample" add constraint "usage_sample_subscription_id_foreign" foreign key ("subscription_id") references "subscription" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_reseller_id_foreign" foreign key ("reseller_id") references "reseller" ("id") on update cascade on delete cascade;`);
  }

}
