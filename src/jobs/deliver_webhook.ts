import { z } from 'zod';
import { deliverWebhook } from '../services/webhook.delivery';
import { defineJob } from './job.types';

/** POSTs one signed reseller webhook event and logs the attempt (src/services/webhook.delivery.ts). */
export default defineJob({
  name: 'deliver_webhook',
  schema: z.object({ deliveryId: z.uuid() }),
  async run({ deliveryId }, ctx) {
    const deps = { secrets: ctx.deps.secrets, allowPrivate: ctx.config.WEBHOOK_ALLOW_PRIVATE_URLS, timeoutMs: ctx.config.WEBHOOK_TIMEOUT_MS, logger: ctx.logger };
    const outcome = await deliverWebhook(ctx.em, deps, deliveryId, { attempt: ctx.helpers.job.attempts, maxAttempts: ctx.helpers.job.max_attempts });
    ctx.logger.info({ deliveryId, outcome }, 'deliver_webhook');
  },
});
