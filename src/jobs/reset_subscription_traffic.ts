import { z } from 'zod';
import { resetSubscriptionTraffic } from '../services/subscription-admin.service';
import { defineJob } from './job.types';

/**
 * The subscription and the usage epoch the reset was requested in (a reset applies once per
 * traffic period).
 */
export const resetSubscriptionTrafficPayload = z.object({ subscriptionId: z.uuid(), epoch: z.number().int().min(0) });
export type ResetSubscriptionTrafficPayload = z.infer<typeof resetSubscriptionTrafficPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    reset_subscription_traffic: ResetSubscriptionTrafficPayload;
  }
}

/** Zeroes a subscription's traffic on its panel and in the database (a new traffic period). */
export default defineJob({
  name: 'reset_subscription_traffic',
  schema: resetSubscriptionTrafficPayload,
  async run(payload, ctx) {
    const outcome = await resetSubscriptionTraffic(ctx.em, ctx.deps.panels, payload);
    ctx.logger.info({ subscriptionId: payload.subscriptionId, outcome }, 'reset_subscription_traffic');
  },
});

