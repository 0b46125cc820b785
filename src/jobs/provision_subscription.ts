import { z } from 'zod';
import { provisionSubscription } from '../services/subscription-provisioning.service';
import { defineJob } from './job.types';

/** Places a paid subscription, creates its panel client exactly once, marks it ACTIVE, notifies. */
export default defineJob({
  name: 'provision_subscription',
  schema: z.object({ subscriptionId: z.uuid(), orderId: z.uuid().nullable() }),
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
