import { z } from 'zod';
import { deliverWebhook } from '../services/webhook.delivery';
import { defineJob } from './job.types';

/** The webhook delivery (event) to POST. */
export const deliverWebhookPayload = z.object({ deliveryId: z.uuid() });
export type DeliverWebhookPayload = z.infer<typeof deliverWebhookPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    deliver_webhook: DeliverWebhookPayload;
  }
}

/** POSTs one signed reseller webhook event and logs the attempt (src/services/webhook.delivery.ts). */
export default defineJob({
  name: 'deliver_webhook',
  schema: deliverWebhookPayload,
  async run({ deliveryId }, ctx) {
    const deps = { secrets: ctx.deps.secrets, allowPrivate: ctx.config.WEBHOOK_ALLOW_PRIVATE_URLS, timeoutMs: ctx.config.WEBHOOK_TIMEOUT_MS, logger: ctx.logger };
    const outcome = await deliverWebhook(ctx.em, deps, deliveryId, { attempt: ctx.helpers.job.attempts, maxAttempts: ctx.helpers.job.max_attempts });
    ctx.logger.info({ deliveryId, outcome }, 'deliver_webhook');
  },
});
