import { Migration } from '@mikro-orm/migrations';

/**
 * `subscription.client_create_intent_at`: set and committed by provisioning before it first asks a
 * panel to create the subscription's client. While it is null no attempt can have created the
 * client, so a first attempt creates without looking the client up first (issue 10 §3). Existing
 * rows get their creation time: an attempt may have run before this column existed, so their
 * provisioning keeps looking first.
 */
export class Migration20261203170000_client_create_intent extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "subscription" add column "client_create_intent_at" timestamptz null;`);
    this.addSql(`update "subscription" set "client_create_intent_at" = "created_at";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "subscription" drop column "client_create_intent_at";`);
  }
}
