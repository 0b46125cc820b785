import type { EntityManager } from '@mikro-orm/postgresql';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TelegramSender } from '../clients/telegram.types';
import { Notification, NotificationStatus } from '../entities/notification.entity';
import type { Logger } from '../logger';
import { IN_PROCESS_RETRY_AFTER_MAX_S } from './notification.delivery';
import { NotificationRenderError, recipientLanguage, renderNotification } from './notification.render';

/** What {@link refreshReceiptMessages} needs from its process. */
export interface ReceiptMessageDeps {
  telegram: TelegramSender;
  publicUrl: string;
  logger: Logger;
}

/**
 * After a receipt was approved or rejected, edits the review message in every admin's chat so it
 * says who decided and when, without the buttons. Rows are locked first, so a message still being
 * delivered is edited once its send committed (and a message delivered after the decision was
 * already rendered decided). Edits are absolute, so running this twice changes nothing more.
 * Throws when Telegram was unreachable or asked to wait long, so the job retries.
 */
export async function refreshReceiptMessages(em: EntityManager, deps: ReceiptMessageDeps, paymentId: string): Promise<{ edited: number }> {
  return em.transactional(async (tx) => {
    // Locked first (a send in flight commits before we read its message id), then read fresh.
    const locked = await tx.execute<Array<{ id: string }>>(
      `select id from notification where kind = 'ADMIN_NEW_RECEIPT' and params->>'paymentId' = ? order by created_at for update`,
      [paymentId],
    );
    if (locked.length === 0) return { edited: 0 };
    const rows = await tx.find(Notification, { id: { $in: locked.map((r) => r.id) } }, { refresh: true, orderBy: { createdAt: 'asc' } });
    let edited = 0;
    const retryLater: string[] = [];
    for (const n of rows) {
      if (n.status !== NotificationStatus.SENT || !n.telegramMessageId) continue;
      let message;
      try {
        message = await renderNotification(tx, n, await recipientLanguage(tx, n), { publicUrl: deps.publicUrl });
      } catch (err) {
        if (err instanceof NotificationRenderError) {
          deps.logger.warn({ notificationId: n.id, err: err.message }, 'receipt message cannot be rendered; not edited');
          continue;
        }
        throw err;
      }
      const edit = () => deps.telegram.edit('ADMIN_BOT', n.recipientTelegramId, n.telegramMessageId!, { html: message.html, buttons: message.buttons }, { captioned: n.captioned ?? false });
      let result = await edit();
      if (!result.ok && result.kind === 'rate_limited' && result.retryAfter <= IN_PROCESS_RETRY_AFTER_MAX_S) {
        await sleep(result.retryAfter * 1000);
        result = await edit();
      }
      if (result.ok) edited += 1;
      else if (result.kind === 'rate_limited' || result.kind === 'transient') retryLater.push(result.description);
      else deps.logger.warn({ notificationId: n.id, reason: result.description }, 'receipt message could not be edited');
    }
    if (retryLater.length > 0) throw new Error(`could not edit ${retryLater.length} receipt message(s): ${retryLater[0]}`);
    return { edited };
  });
}
