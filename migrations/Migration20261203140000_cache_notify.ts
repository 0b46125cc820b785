import { Migration } from '@mikro-orm/migrations';

/**
 * Announces every change of the tables that API processes cache (API keys, admins, plans,
 * settings, customers) on the `vp_cache` channel, whoever writes: API, worker, CLI or psql.
 * One notification per statement; Postgres delivers it at commit, folded per transaction.
 */
export class Migration20261203140000_cache_notify extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function vp_notify_cache() returns trigger language plpgsql as $$
begin
  perform pg_notify('vp_cache', TG_TABLE_NAME);
  return null;
end $$;`);
    for (const table of ['admin', 'plan', 'setting', 'customer']) {
      this.addSql(`create trigger "${table}_notify_cache" after insert or update or delete or truncate on "${table}" for each statement execute function vp_notify_cache();`);
    }
    // API keys: not when only last_used_at moved (written about once a minute per key in use).
    this.addSql(`create trigger "api_key_notify_cache" after insert or delete or truncate on "api_key" for each statement execute function vp_notify_cache();`);
    this.addSql(`create trigger "api_key_notify_cache_update" after update on "api_key" for each row
      when ((to_jsonb(old) - 'last_used_at') is distinct from (to_jsonb(new) - 'last_used_at')) execute function vp_notify_cache();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "api_key_notify_cache_update" on "api_key";`);
    for (const table of ['api_key', 'admin', 'plan', 'setting', 'customer']) this.addSql(`drop trigger if exists "${table}_notify_cache" on "${table}";`);
    this.addSql(`drop function if exists vp_notify_cache();`);
  }
}
