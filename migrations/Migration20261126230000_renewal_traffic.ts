import { Migration } from '@mikro-orm/migrations';

export class Migration20261126230000_renewal_traffic extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "plan" add column "renewal_traffic" text check ("renewal_traffic" in ('RESET', 'CARRY_OVER')) not null default 'RESET';`);
    this.addSql(`alter table "order" add column "resets_usage" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "plan" drop column "renewal_traffic";`);
    this.addSql(`alter table "order" drop column "resets_usage";`);
  }

}
