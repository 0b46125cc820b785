import { z } from 'zod';
import { revokeSubscription } from '../services/subscription-provisioning.service';
import { defineJob } from './job.types';

/** The subscription whose panel client is deleted, and why (kept in the log and audit). */
export const revokeSubscriptionPayload = z.object({ subscriptionId: z.uuid(), reason: z.string().max(200) });
export type RevokeSubscriptionPayload = z.infer<typeof revokeSubscriptionPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    revoke_subscription: RevokeSubscriptionPayload;
  }
}

/** Deletes a subscription's panel client and marks it REVOKED. */
export default defineJob({
  name: 'revoke_subscription',
  schema: revokeSubscriptionPayload,
  async run(payload, ctx) {
    const outcome = await revokeSubscription(ctx.em, { panels: ctx.deps.panels, alerts: ctx.deps.alerts, logger: ctx.logger }, payload);
    ctx.logger.info({ subscriptionId: payload.subscriptionId, reason: payload.reason, outcome }, 'revoke_subscription');
  },
});
