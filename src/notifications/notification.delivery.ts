import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BotChannel, SendResult, TelegramSender } from '../clients/telegram.types';
import { Customer } from '../entities/customer.entity';
import { Notification, NotificationChannel, NotificationStatus } from '../entities/notification.entity';
import { enqueue } from '../jobs/enqueue';
import type { Logger } from '../logger';
import { deliveryJobOptions } from './notification.queue';
import { NotificationRenderError, recipientLanguage, renderNotification } from './notification.render';

/** A 429 asking to wait at most this long is waited out in-process (once); longer ones reschedule. */
export const IN_PROCESS_RETRY_AFTER_MAX_S = 10;
/** Attempts over all rescheduled jobs after which a notification is given up (FAILED). */
export const MAX_NOTIFICATION_ATTEMPTS = 30;

/** What one delivery attempt needs from its process. */
export interface DeliveryDeps {
  /** The Telegram Bot API sender of both bots. */
  telegram: TelegramSender;
  /** PUBLIC_URL, for subscription links in the message. */
  publicUrl: string;
  logger: Logger;
}

/** Where the attempt stands in its job's retries. */
export interface DeliveryAttempt {
  /** True on the job's last attempt: a failure then marks the row FAILED instead of PENDING. */
  isLast: boolean;
}

type Outcome = { retry: false } | { retry: true; description: string };

/**
 * Delivers one outbox notification through the right bot. The row is locked for the send, so
 * running it twice (or twice at once) sends once. Outcomes: SENT; UNDELIVERABLE on 403 (the
 * customer is marked as having blocked the bot); FAILED on a request Telegram refuses or a row
 * that cannot be rendered; left PENDING (waiting) while its bot has no token; 429 waits `retry_after` (short: in-process, long: a
 * new job at now + retry_after); network errors and 5xx throw so the job is retried, and the last
 * attempt marks the row FAILED rather than leaving it PENDING.
 */
export async function deliverNotification(em: EntityManager, deps: DeliveryDeps, notificationId: string, attempt: DeliveryAttempt): Promise<void> {
  let outcome: Outcome;
  try {
    outcome = await em.transactional((tx) => deliver(tx, deps, notificationId, attempt));
  } catch (err) {
    // Unexpected (e.g. database) errors roll the attempt back; the last one still must not leave the row PENDING.
    if (attempt.isLast) await giveUp(em, deps.logger, notificationId, err);
    throw err;
  }
  if (outcome.retry) throw new Error(`Telegram send failed, will retry: ${outcome.description}`);
}

async function deliver(em: EntityManager, deps: DeliveryDeps, notificationId: string, attempt: DeliveryAttempt): Promise<Outcome> {
  const { logger } = deps;
  const n = await em.findOne(Notification, { id: notificationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!n) {
    logger.warn({ notificationId }, 'notification not found; nothing to send');
    return { retry: false };
  }
  if (n.status !== NotificationStatus.PENDING) return { retry: false };
  const channel: BotChannel = n.channel === NotificationChannel.ADMIN_BOT ? 'ADMIN_BOT' : 'USER_BOT';
  if (!deps.telegram.isConfigured(channel)) {
    // No token for this bot: the row waits (PENDING, no attempt counted) until a process with the
    // token starts and resumes it (resumeWaitingNotifications). Warned once at start, not per row.
    logger.debug({ notificationId, channel }, 'no bot token: notification left waiting');
    return { retry: false };
  }
  n.attempts += 1;
  const log = logger.child({ notificationId, kind: n.kind, channel: n.channel, attempt: n.attempts });

  let message;
  try {
    message = await renderNotification(em, n, await recipientLanguage(em, n), { publicUrl: deps.publicUrl });
  } catch (err) {
    if (!(err instanceof NotificationRenderError)) throw err;
    markFailed(n, `render: ${err.message}`);
    log.error({ reason: n.lastError }, 'notification cannot be rendered; marked FAILED');
    return { retry: false };
  }

  let result: SendResult = await deps.telegram.send(channel, n.recipientTelegramId, message);
  if (!result.ok && result.kind === 'rate_limited' && result.retryAfter <= IN_PROCESS_RETRY_AFTER_MAX_S) {
    log.info({ retryAfter: result.retryAfter }, 'rate limited by Telegram; waiting in-process once');
    await sleep(result.retryAfter * 1000);
    result = await deps.telegram.send(channel, n.recipientTelegramId, message);
  }

  if (result.ok) {
    n.status = NotificationStatus.SENT;
    n.sentAt = new Date();
    n.lastError = null;
    n.telegramMessageId = result.messageId;
    n.captioned = result.captioned ?? false;
    log.info({ messageId: result.messageId }, 'notification sent');
    return { retry: false };
  }
  n.lastError = result.description;
  switch (result.kind) {
    case 'blocked':
      n.status = NotificationStatus.UNDELIVERABLE;
      if (n.channel === NotificationChannel.USER_BOT) {
        await em.nativeUpdate(Customer, { telegramId: n.recipientTelegramId, botBlockedAt: null }, { botBlockedAt: new Date() });
      }
      log.info({ reason: result.description }, 'recipient blocked the bot; marked UNDELIVERABLE');
      return { retry: false };
    case 'bad_request':
    case 'not_configured':
      markFailed(n, result.description);
      log.error({ reason: result.description, result: result.kind }, 'Telegram refused the notification; marked FAILED');
      return { retry: false };
    case 'rate_limited': {
      if (n.attempts >= MAX_NOTIFICATION_ATTEMPTS) {
        markFailed(n, `gave up after ${n.attempts} attempts: ${result.description}`);
        return { retry: false };
      }
      const runAt = new Date(Date.now() + result.retryAfter * 1000);
      // A key of its own: this job still holds `send_notification:<id>` while it runs.
      await enqueue(em, 'send_notification', { notificationId: n.id }, { jobKey: `send_notification:${n.id}:a${n.attempts}`, runAt, maxAttempts: 10 });
      n.lastError = `rate limited: retry after ${result.retryAfter}s (${result.description})`;
      log.warn({ retryAfter: result.retryAfter, runAt }, 'rate limited by Telegram; rescheduled');
      return { retry: false };
    }
    case 'transient':
      if (attempt.isLast || n.attempts >= MAX_NOTIFICATION_ATTEMPTS) {
        markFailed(n, `gave up after ${n.attempts} attempts: ${result.description}`);
        log.error({ reason: result.description }, 'Telegram unreachable on the last attempt; marked FAILED');
        return { retry: false };
      }
      log.warn({ reason: result.description }, 'Telegram unreachable; the job will be retried');
      return { retry: true, description: result.description };
  }
}

function markFailed(n: Notification, reason: string): void {
  n.status = NotificationStatus.FAILED;
  n.lastError = reason.slice(0, 1000);
}

async function giveUp(em: EntityManager, logger: Logger, notificationId: string, err: unknown): Promise<void> {
  const reason = `gave up on the last attempt: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000);
  try {
    await em
      .fork()
      .nativeUpdate(Notification, { id: notificationId, status: NotificationStatus.PENDING }, { status: NotificationStatus.FAILED, lastError: reason });
  } catch (updateErr) {
    logger.error({ err: updateErr, notificationId }, 'could not mark the notification FAILED after its last attempt');
  }
}

/**
 * At process start: warns once per bot without a token (its notifications wait as PENDING), and
 * for each bot that has one, enqueues the delivery of rows left waiting (one job per row, keyed
 * by the row, so rows that already have a delivery job keep it). Returns how many were resumed.
 */
export async function resumeWaitingNotifications(em: EntityManager, telegram: TelegramSender, logger: Logger): Promise<number> {
  let resumed = 0;
  for (const [channel, setting] of [['USER_BOT', 'USER_BOT_TOKEN'], ['ADMIN_BOT', 'ADMIN_BOT_TOKEN']] as const) {
    const stored = channel === 'ADMIN_BOT' ? NotificationChannel.ADMIN_BOT : NotificationChannel.USER_BOT;
    if (!telegram.isConfigured(channel)) {
      logger.warn({ channel }, `${setting} is not set: ${channel === 'USER_BOT' ? 'customer' : 'admin'} notifications wait (PENDING) until it is set and the process restarts`);
      continue;
    }
    const waiting = await em.find(Notification, { channel: stored, status: NotificationStatus.PENDING }, { fields: ['id'], orderBy: { createdAt: 'asc' } });
    for (const n of waiting) {
      await enqueue(em, 'send_notification', { notificationId: n.id }, { ...deliveryJobOptions(n.id), jobKeyMode: 'preserve_run_at' });
    }
    resumed += waiting.length;
  }
  if (resumed > 0) logger.info({ resumed }, 'resumed notifications that waited for a bot token');
  return resumed;
}
