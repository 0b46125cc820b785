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

/** A row claimed for one send: the message is rendered, the row is SENDING (committed). */
interface Claim {
  channel: BotChannel;
  chatId: number;
  message: Awaited<ReturnType<typeof renderNotification>>;
  attempts: number;
}

/**
 * Delivers one outbox notification through the right bot, AT MOST ONCE per row:
 * 1. claim: in its own committed transaction the row goes PENDING → SENDING (attempt counted) and
 *    the message is rendered; a row that is not PENDING is left alone, so a second run of the job
 *    (also one started after a SIGKILL of the first, or overlapping it) sends nothing;
 * 2. send, with no transaction open (a short 429 is waited out in-process once);
 * 3. record: SENT with Telegram's message id; UNDELIVERABLE on 403 (the customer is marked as
 *    having blocked the bot); FAILED on a request Telegram refuses or a row that cannot be
 *    rendered; back to PENDING when Telegram did not take the message (429: a new job at
 *    now + retry_after; network errors and 5xx: the job throws and is retried, the last attempt
 *    marks FAILED).
 * Telegram's sendMessage has no idempotency key, so a crash between 1 and 3 leaves the row SENDING
 * and the message is not sent again: a rare lost message (visible as SENDING) is the chosen
 * trade-off over a duplicate "config ready" (issue 13 §4). While its bot has no token the row
 * waits (PENDING, no attempt counted).
 */
export async function deliverNotification(em: EntityManager, deps: DeliveryDeps, notificationId: string, attempt: DeliveryAttempt): Promise<void> {
  let outcome: Outcome;
  try {
    const claim = await em.transactional((tx) => claimForSend(tx, deps, notificationId));
    if (!claim) return;
    let result: SendResult = await deps.telegram.send(claim.channel, claim.chatId, claim.message);
    if (!result.ok && result.kind === 'rate_limited' && result.retryAfter <= IN_PROCESS_RETRY_AFTER_MAX_S) {
      deps.logger.info({ notificationId, retryAfter: result.retryAfter }, 'rate limited by Telegram; waiting in-process once');
      await sleep(result.retryAfter * 1000);
      result = await deps.telegram.send(claim.channel, claim.chatId, claim.message);
    }
    outcome = await em.fork().transactional((tx) => recordResult(tx, deps, notificationId, claim, result, attempt));
  } catch (err) {
    // Unexpected (e.g. database) errors: the last attempt still must not leave the row PENDING.
    if (attempt.isLast) await giveUp(em, deps.logger, notificationId, err);
    throw err;
  }
  if (outcome.retry) throw new Error(`Telegram send failed, will retry: ${outcome.description}`);
}

/** Step 1: PENDING → SENDING with the message rendered, or null when there is nothing to send now. */
async function claimForSend(em: EntityManager, deps: DeliveryDeps, notificationId: string): Promise<Claim | null> {
  const { logger } = deps;
  const n = await em.findOne(Notification, { id: notificationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!n) {
    logger.warn({ notificationId }, 'notification not found; nothing to send');
    return null;
  }
  if (n.status !== NotificationStatus.PENDING) return null;
  const channel: BotChannel = n.channel === NotificationChannel.ADMIN_BOT ? 'ADMIN_BOT' : 'USER_BOT';
  if (!deps.telegram.isConfigured(channel)) {
    // No token for this bot: the row waits (PENDING, no attempt counted) until a process with the
    // token starts and resumes it (resumeWaitingNotifications). Warned once at start, not per row.
    logger.debug({ notificationId, channel }, 'no bot token: notification left waiting');
    return null;
  }
  n.attempts += 1;
  try {
    const message = await renderNotification(em, n, await recipientLanguage(em, n), { publicUrl: deps.publicUrl });
    n.status = NotificationStatus.SENDING;
    return { channel, chatId: n.recipientTelegramId, message, attempts: n.attempts };
  } catch (err) {
    if (!(err instanceof NotificationRenderError)) throw err;
    markFailed(n, `render: ${err.message}`);
    logger.error({ notificationId, kind: n.kind, reason: n.lastError }, 'notification cannot be rendered; marked FAILED');
    return null;
  }
}

/** Step 3: what Telegram answered, recorded on the SENDING row. */
async function recordResult(em: EntityManager, deps: DeliveryDeps, notificationId: string, claim: Claim, result: SendResult, attempt: DeliveryAttempt): Promise<Outcome> {
  const n = await em.findOneOrFail(Notification, { id: notificationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const log = deps.logger.child({ notificationId, kind: n.kind, channel: n.channel, attempt: claim.attempts });
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
      n.status = NotificationStatus.PENDING;
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
      n.status = NotificationStatus.PENDING;
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
    // A SENDING row may have reached Telegram: it stays SENDING (never sent twice).
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
