import { Migration } from '@mikro-orm/migrations';

/** Notification status SENDING: a row is claimed (committed) before its Telegram send, so it is sent at most once. */
export class Migration20261203160000_notification_sending extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "notification" drop constraint if exists "notification_status_check";`);
    this.addSql(`alter table "notification" add constraint "notification_status_check" check ("status" in ('PENDING', 'SENDING', 'SENT', 'FAILED', 'UNDELIVERABLE'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`update "notification" set "status" = 'FAILED', "last_error" = 'delivery unknown (was SENDING)' where "status" = 'SENDING';`);
    this.addSql(`alter table "notification" drop constraint if exists "notification_status_check";`);
    this.addSql(`alter table "notification" add constraint "notification_status_check" check ("status" in ('PENDING', 'SENT', 'FAILED', 'UNDELIVERABLE'));`);
  }
}
