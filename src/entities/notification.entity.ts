import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { bigintNumber } from './common';
import type { Subscription } from './subscription.entity';

export enum NotificationStatus {
  PENDING = 'PENDING',
  /**
   * Claimed for a send (committed before the request to Telegram). A row left SENDING by a crash
   * between the send and its recording is never sent again: delivery is at most once per row.
   */
  SENDING = 'SENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
  /** The recipient blocked the bot or never started it. */
  UNDELIVERABLE = 'UNDELIVERABLE',
}

/** Which bot sends it. */
export enum NotificationChannel {
  USER_BOT = 'USER_BOT',
  ADMIN_BOT = 'ADMIN_BOT',
}

/**
 * Outbox row for a Telegram message, written in the same transaction as its event and delivered
 * by `send_notification`. Warnings are unique per (subscription, kind, threshold, period).
 */
@Entity({ tableName: 'notification' })
@Index({ properties: ['status', 'createdAt'] })
@Index({
  name: 'notification_warning_unique',
  expression:
    `create unique index "notification_warning_unique" on "notification" ("subscription_id", "kind", "threshold", "period") ` +
    `where "threshold" is not null`,
})
@Index({
  name: 'notification_receipt_payment_idx',
  expression: `create index "notification_receipt_payment_idx" on "notification" ((params->>'paymentId')) where kind = 'ADMIN_NEW_RECEIPT'`,
})
export class Notification {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Enum({ items: () => NotificationChannel })
  channel!: NotificationChannel;

  @Property({ type: bigintNumber() })
  recipientTelegramId!: number;

  /** e.g. PAYMENT_APPROVED, CONFIG_READY, USAGE_WARNING, ADMIN_NEW_RECEIPT. */
  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'jsonb', default: '{}' })
  params: Record<string, unknown> & Opt = {};

  @ManyToOne({ entity: 'Subscription', nullable: true, deleteRule: 'cascade' })
  subscription?: Subscription | null;

  /** Warning threshold (e.g. `traffic:80`, `expiry:72h`); null for other notifications. */
  @Property({ type: 'text', nullable: true })
  threshold?: string | null;

  /** The period the warning belongs to (e.g. the expiry it warns about), so renewals re-arm it. */
  @Property({ type: 'text', nullable: true })
  period?: string | null;

  @Enum({ items: () => NotificationStatus, default: NotificationStatus.PENDING })
  status: NotificationStatus & Opt = NotificationStatus.PENDING;

  @Property({ type: 'integer', default: 0 })
  attempts: number & Opt = 0;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  sentAt?: Date | null;

  /** The Telegram message id of the sent message (the one carrying the buttons), for later edits. */
  @Property({ type: bigintNumber(), nullable: true })
  telegramMessageId?: number | null;

  /** Whether that message is a photo whose caption is the text (edits use editMessageCaption). */
  @Property({ type: 'boolean', nullable: true })
  captioned?: boolean | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
