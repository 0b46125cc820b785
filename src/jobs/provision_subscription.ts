import { z } from 'zod';
import { provisionSubscription } from '../services/subscription-provisioning.service';
import { defineJob } from './job.types';

/**
 * The subscription to provision, and the order that paid for it (null for a trial or a retry
 * without one).
 */
export const provisionSubscriptionPayload = z.object({ subscriptionId: z.uuid(), orderId: z.uuid().nullable() });
export type ProvisionSubscriptionPayload = z.infer<typeof provisionSubscriptionPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    provision_subscription: ProvisionSubscriptionPayload;
  }
}

/** Places a paid subscription, creates its panel client exactly once, marks it ACTIVE, notifies. */
export default defineJob({
  name: 'provision_subscription',
  schema: provisionSubscriptionPayload,
  async run(payload, ctx) {
    const outcome = await provisionSubscription(
      ctx.em,
      { panels: ctx.deps.panels, alerts: ctx.deps.alerts, logger: ctx.logger },
      payload,
      { attempt: ctx.helpers.job.attempts, maxAttempts: ctx.helpers.job.max_attempts },
    );
    ctx.logger.info({ subscriptionId: payload.subscriptionId, outcome }, 'provision_subscription');
  },
});
