import { z } from 'zod';
import { applyOrder } from '../services/subscription-provisioning.service';
import { defineJob } from './job.types';

/** The order whose paid renewal or extra traffic is applied. */
export const applyOrderPayload = z.object({ orderId: z.uuid() });
export type ApplyOrderPayload = z.infer<typeof applyOrderPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    apply_order: ApplyOrderPayload;
  }
}

/** Applies a paid renewal or extra traffic to the same panel client (absolute expiry and quota). */
export default defineJob({
  name: 'apply_order',
  schema: applyOrderPayload,
  async run(payload, ctx) {
    const outcome = await applyOrder(
      ctx.em,
      { panels: ctx.deps.panels, alerts: ctx.deps.alerts, logger: ctx.logger },
      payload,
      { attempt: ctx.helpers.job.attempts, maxAttempts: ctx.helpers.job.max_attempts },
    );
    ctx.logger.info({ orderId: payload.orderId, outcome }, 'apply_order');
  },
});
