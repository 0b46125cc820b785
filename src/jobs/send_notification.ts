import { z } from 'zod';
import { deliverNotification } from '../notifications/notification.delivery';
import { defineJob } from './job.types';

/** The outbox row to deliver. */
export const sendNotificationPayload = z.object({ notificationId: z.uuid() });
export type SendNotificationPayload = z.infer<typeof sendNotificationPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    send_notification: SendNotificationPayload;
  }
}

/** Delivers one outbox notification (src/notifications/notification.delivery.ts). */
export default defineJob({
  name: 'send_notification',
  schema: sendNotificationPayload,
  async run({ notificationId }, ctx) {
    const deps = { telegram: ctx.deps.telegram, publicUrl: ctx.config.PUBLIC_URL, logger: ctx.logger };
    await deliverNotification(ctx.em, deps, notificationId, { isLast: ctx.helpers.job.attempts >= ctx.helpers.job.max_attempts });
  },
});
