import { Migration } from '@mikro-orm/migrations';

/**
 * One row per panel: `panel_key` is the panel's host, port and web base path, normalised
 * (src/services/server.service.ts panelKeyOf). Existing rows are keyed here with the same rules;
 * of servers already added twice only the oldest gets the key (the others keep working unkeyed).
 */
export class Migration20261203140000_server_panel_key extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "server" add column "panel_key" text null;`);
    this.addSql(`alter table "server" add constraint "server_panel_key_unique" unique ("panel_key");`);
    this.addSql(`
      with parts as (
        select id, created_at, regexp_match(base_url, '^(https?)://(?:[^@/]*@)?([^:/?#\\[\\]]+)(?::(\\d+))?([^?#]*)', 'i') as m from "server"
      ), keyed as (
        select id, created_at,
          lower(m[2]) || ':' || coalesce(m[3], case lower(m[1]) when 'https' then '443' else '80' end) ||
          regexp_replace(regexp_replace(case when m[4] = '' then '/' else m[4] end, '/{2,}', '/', 'g'), '([^/])$', '\\1/') as key
        from parts where m is not null
      ), ranked as (
        select id, key, row_number() over (partition by key order by created_at, id) as n from keyed
      )
      update "server" s set "panel_key" = r.key from ranked r where s.id = r.id and r.n = 1;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "server" drop constraint "server_panel_key_unique";`);
    this.addSql(`alter table "server" drop column "panel_key";`);
  }

}
