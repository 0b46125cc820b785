import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutgoingMessage, SendResult, TelegramSender } from '../clients/telegram.types';
import { Admin } from '../entities/admin.entity';
import { Broadcast, BroadcastStatus } from '../entities/broadcast.entity';
import { Customer } from '../entities/customer.entity';
import { enqueue } from '../jobs/enqueue';
import type { Logger } from '../logger';
import { audienceCondition } from '../services/broadcast.service';
import { formatPlainNumber, toLanguage } from '../services/format';
import { notificationTemplates } from './messages/notification.messages';

/** Telegram allows about 30 messages a second to different chats; we stay at 25. */
export const BROADCAST_RATE_PER_SECOND = 25;
/** Recipients per batch: one batch takes at least a second. */
export const BROADCAST_BATCH = 25;
/** Batches per job run; a longer broadcast continues in a new run (a worker restart loses at most one batch's counts). */
export const BROADCAST_BATCHES_PER_RUN = 40;
/** A 429 for one recipient is waited out this many times before the recipient counts as failed. */
const MAX_RATE_LIMIT_WAITS = 5;

export interface BroadcastDeps {
  telegram: TelegramSender;
  logger: Logger;
  /** Waits (tests may not change the pace; they read it). */
  sleep?: (ms: number) => Promise<void>;
}

type Outcome = 'sent' | 'blocked' | 'failed';

/**
 * One run of the `broadcast` job: sends the next batches to the audience through the shop bot,
 * about 25 messages a second, waiting out every 429 (`retry_after`) and sending that message
 * again, so a rate limit delays and loses nothing. 403 marks the customer as having blocked the
 * bot (later broadcasts skip them). Counts and the cursor are committed per batch and the admin's
 * progress message is edited; the last run sends the final report. A finished broadcast is left
 * alone, so running the job twice sends nothing twice.
 */
export async function runBroadcast(em: EntityManager, deps: BroadcastDeps, broadcastId: string): Promise<'done' | 'continued' | 'skipped'> {
  const wait = deps.sleep ?? ((ms: number) => sleep(ms));
  const b = await start(em, deps, broadcastId);
  if (!b) return 'skipped';
  const message: OutgoingMessage = { html: b.html, photo: b.photo ? { bytes: Buffer.from(b.photo), filename: `broadcast.${b.photoMimeType === 'image/png' ? 'png' : b.photoMimeType === 'image/webp' ? 'webp' : 'jpg'}` } : undefined };
  let cursor = b.cursor ?? null;
  for (let batchNo = 0; batchNo < BROADCAST_BATCHES_PER_RUN; batchNo++) {
    const started = Date.now();
    const recipients = await em.execute<Array<{ id: string; telegram_id: string }>>(
      `select c.id, c.telegram_id from customer c where ${audienceCondition(b.audience)} ${cursor ? 'and c.id > ?' : ''} order by c.id limit ?`,
      cursor ? [cursor, BROADCAST_BATCH] : [BROADCAST_BATCH],
    );
    if (recipients.length === 0) {
      await finish(em, deps, broadcastId);
      return 'done';
    }
    const counts = { sent: 0, blocked: 0, failed: 0 };
    const blocked: string[] = [];
    for (const r of recipients) {
      const outcome = await sendOne(deps, wait, Number(r.telegram_id), message);
      counts[outcome] += 1;
      if (outcome === 'blocked') blocked.push(r.id);
    }
    cursor = recipients[recipients.length - 1].id;
    await em.transactional(async (tx) => {
      if (blocked.length) await tx.nativeUpdate(Customer, { id: { $in: blocked }, botBlockedAt: null }, { botBlockedAt: new Date() });
      await tx.execute(`update broadcast set sent = sent + ?, blocked = blocked + ?, failed = failed + ?, cursor = ? where id = ?`, [
        counts.sent,
        counts.blocked,
        counts.failed,
        cursor,
        broadcastId,
      ]);
    });
    await showProgress(em, deps, broadcastId, false);
    const pace = (recipients.length / BROADCAST_RATE_PER_SECOND) * 1000 - (Date.now() - started);
    if (pace > 0) await wait(pace);
  }
  await enqueue(em, 'broadcast', { broadcastId }, { jobKey: `broadcast:${broadcastId}:next`, queueName: `broadcast:${broadcastId}`, maxAttempts: 25 });
  return 'continued';
}

async function sendOne(deps: BroadcastDeps, wait: (ms: number) => Promise<void>, chatId: number, message: OutgoingMessage): Promise<Outcome> {
  let result: SendResult = await deps.telegram.send('USER_BOT', chatId, message);
  for (let waits = 0; !result.ok && (result.kind === 'rate_limited' || result.kind === 'transient') && waits < MAX_RATE_LIMIT_WAITS; waits++) {
    await wait(result.kind === 'rate_limited' ? result.retryAfter * 1000 : 1000);
    result = await deps.telegram.send('USER_BOT', chatId, message);
  }
  if (result.ok) return 'sent';
  if (result.kind === 'blocked') return 'blocked';
  deps.logger.warn({ chatId, reason: result.description }, 'broadcast message not delivered');
  return 'failed';
}

/** Moves a QUEUED broadcast to RUNNING (counting its audience, sending the progress message); null when there is nothing to do. */
async function start(em: EntityManager, deps: BroadcastDeps, id: string): Promise<Broadcast | null> {
  const b = await em.transactional(async (tx) => {
    const row = await tx.findOne(Broadcast, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, populate: ['photo'] });
    if (!row || row.status === BroadcastStatus.DONE) return null;
    if (row.status === BroadcastStatus.QUEUED) {
      const [{ n }] = await tx.execute<Array<{ n: number }>>(`select count(*)::int as n from customer c where ${audienceCondition(row.audience)}`);
      row.total = n;
      row.status = BroadcastStatus.RUNNING;
    }
    return row;
  });
  if (b && !b.progressMessageId) await showProgress(em, deps, id, false);
  return b;
}

async function finish(em: EntityManager, deps: BroadcastDeps, id: string): Promise<void> {
  await em.nativeUpdate(Broadcast, { id, status: BroadcastStatus.RUNNING }, { status: BroadcastStatus.DONE, finishedAt: new Date() });
  await showProgress(em, deps, id, true);
}

/** Sends (first time) or edits the admin's progress message; Telegram failures here are only logged. */
async function showProgress(em: EntityManager, deps: BroadcastDeps, id: string, done: boolean): Promise<void> {
  const b = await em.fork().findOne(Broadcast, { id });
  if (!b || !b.createdByTelegramId) return;
  const chatId = b.createdByTelegramId;
  const admin = await em.fork().findOne(Admin, { telegramId: chatId });
  const lang = toLanguage(admin?.language);
  const n = (v: number) => formatPlainNumber(v, lang);
  const html = notificationTemplates(lang).broadcastProgress({ total: n(b.total), sent: n(b.sent), blocked: n(b.blocked), failed: n(b.failed), done });
  if (b.progressMessageId) {
    const r = await deps.telegram.edit('ADMIN_BOT', chatId, b.progressMessageId, { html }, { captioned: false });
    if (r.ok) return;
    deps.logger.warn({ broadcastId: id, reason: r.description }, 'broadcast progress not edited');
    if (!done) return;
  }
  const sent = await deps.telegram.send('ADMIN_BOT', chatId, { html });
  if (sent.ok && !b.progressMessageId) await em.fork().nativeUpdate(Broadcast, { id }, { progressMessageId: sent.messageId });
  else if (!sent.ok) deps.logger.warn({ broadcastId: id, reason: sent.description }, 'broadcast progress not sent');
}
