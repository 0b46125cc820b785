import { Migration } from '@mikro-orm/migrations';

/**
 * The `vp_cache` notifications name the row that changed, so API processes drop that one cache
 * entry instead of the whole cache: `api_key:<prefix>`, `admin:<telegram id>`,
 * `customer:<telegram id>` (the keys the caches use; old and new key when an update moves it).
 * Plans and settings keep one bare `<table>` notification per statement (their caches hold the
 * whole table), and so does TRUNCATE of any table. Rows without a key (customers of resellers,
 * who have no Telegram id) are cached by no one and announce nothing.
 *
 * Replaces the statement triggers of Migration20261203140000_cache_notify for api_key, admin
 * and customer. Postgres folds equal notifications of one transaction into one.
 */
const KEYED: Array<{ table: string; column: string }> = [
  { table: 'api_key', column: 'prefix' },
  { table: 'admin', column: 'telegram_id' },
  { table: 'customer', column: 'telegram_id' },
];

export class Migration20261203190000_cache_notify_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function vp_notify_cache_key() returns trigger language plpgsql as $$
declare
  old_key text;
  new_key text;
begin
  if TG_OP <> 'INSERT' then old_key := to_jsonb(OLD) ->> TG_ARGV[0]; end if;
  if TG_OP <> 'DELETE' then new_key := to_jsonb(NEW) ->> TG_ARGV[0]; end if;
  if old_key is not null then perform pg_notify('vp_cache', TG_TABLE_NAME || ':' || old_key); end if;
  if new_key is not null and new_key is distinct from old_key then perform pg_notify('vp_cache', TG_TABLE_NAME || ':' || new_key); end if;
  return null;
end $$;`);
    this.addSql(`drop trigger if exists "api_key_notify_cache_update" on "api_key";`);
    for (const { table, column } of KEYED) {
      this.addSql(`drop trigger if exists "${table}_notify_cache" on "${table}";`);
      this.addSql(`create trigger "${table}_notify_cache_truncate" after truncate on "${table}" for each statement execute function vp_notify_cache();`);
      this.addSql(`create trigger "${table}_notify_cache_insert_delete" after insert or delete on "${table}" for each row execute function vp_notify_cache_key('${column}');`);
    }
    // API keys: not when only last_used_at moved (written about once a minute per key in use).
    this.addSql(`create trigger "api_key_notify_cache_update" after update on "api_key" for each row
      when ((to_jsonb(old) - 'last_used_at') is distinct from (to_jsonb(new) - 'last_used_at')) execute function vp_notify_cache_key('prefix');`);
    this.addSql(`create trigger "admin_notify_cache_update" after update on "admin" for each row
      when (old is distinct from new) execute function vp_notify_cache_key('telegram_id');`);
    this.addSql(`create trigger "customer_notify_cache_update" after update on "customer" for each row
      when (old is distinct from new) execute function vp_notify_cache_key('telegram_id');`);
  }

  override async down(): Promise<void> {
    for (const { table } of KEYED) {
      this.addSql(`drop trigger if exists "${table}_notify_cache_update" on "${table}";`);
      this.addSql(`drop trigger if exists "${table}_notify_cache_insert_delete" on "${table}";`);
      this.addSql(`drop trigger if exists "${table}_notify_cache_truncate" on "${table}";`);
      if (table !== 'api_key') {
        this.addSql(`create trigger "${table}_notify_cache" after insert or update or delete or truncate on "${table}" for each statement execute function vp_notify_cache();`);
      }
    }
    this.addSql(`create trigger "api_key_notify_cache" after insert or delete or truncate on "api_key" for each statement execute function vp_notify_cache();`);
    this.addSql(`create trigger "api_key_notify_cache_update" after update on "api_key" for each row
      when ((to_jsonb(old) - 'last_used_at') is distinct from (to_jsonb(new) - 'last_used_at')) execute function vp_notify_cache();`);
    this.addSql(`drop function if exists vp_notify_cache_key();`);
  }
}
