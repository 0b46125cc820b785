import { z } from 'zod';
import { resetSubscriptionTraffic } from '../services/subscription-admin.service';
import { defineJob } from './job.types';

/** Zeroes a subscription's traffic on its panel and in the database (a new traffic period). */
export default defineJob({
  name: 'reset_subscription_traffic',
  schema: z.object({ subscriptionId: z.uuid(), epoch: z.number().int().min(0) }),
  async run(payload, ctx) {
    const outcome = await resetSubscriptionTraffic(ctx.em, ctx.deps.panels, payload);
    ctx.logger.info({ subscriptionId: payload.subscriptionId, outcome }, 'reset_subscription_traffic');
  },
});

declare module './enqueue' {
  interface TaskPayloads {
    reset_subscription_traffic: { subscriptionId: string; epoch: number };
  }
}
