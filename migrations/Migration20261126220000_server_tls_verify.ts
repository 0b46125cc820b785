import { Migration } from '@mikro-orm/migrations';

export class Migration20261126220000_server_tls_verify extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "server" add column "tls_verify" boolean not null default true;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "server" drop column "tls_verify";`);
  }

}
