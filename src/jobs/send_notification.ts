import { z } from 'zod';
import { deliverNotification } from '../notifications/notification.delivery';
import { defineJob } from './job.types';

/** Delivers one outbox notification (src/notifications/notification.delivery.ts). */
export default defineJob({
  name: 'send_notification',
  schema: z.object({ notificationId: z.uuid() }),
  async run({ notificationId }, ctx) {
    const deps = { telegram: ctx.deps.telegram, publicUrl: ctx.config.PUBLIC_URL, logger: ctx.logger };
    await deliverNotification(ctx.em, deps, notificationId, { isLast: ctx.helpers.job.attempts >= ctx.helpers.job.max_attempts });
  },
});
