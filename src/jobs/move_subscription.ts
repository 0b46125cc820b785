import { z } from 'zod';
import { processEvacuation } from '../services/evacuation.service';
import { defineJob } from './job.types';

/** The move of one subscription (an evacuation row with its subscription set); in its source's evacuation queue. */
export const moveSubscriptionPayload = z.object({ evacuationId: z.uuid() });
export type MoveSubscriptionPayload = z.infer<typeof moveSubscriptionPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    move_subscription: MoveSubscriptionPayload;
  }
}

/**
 * Moves one subscription to the move's target (same client UUID/password, same subscription URL),
 * deletes it from the source when that answers, and finishes the move (COMPLETED or FAILED with the
 * reason). A repeated run finds the move finished and does nothing; a panel outage is retried.
 */
export default defineJob({
  name: 'move_subscription',
  schema: moveSubscriptionPayload,
  async run(payload, ctx) {
    const outcome = await processEvacuation(ctx.em, { panels: ctx.deps.panels, logger: ctx.logger }, payload.evacuationId, {
      attempt: ctx.helpers.job.attempts,
      maxAttempts: ctx.helpers.job.max_attempts,
    });
    ctx.logger.info({ evacuationId: payload.evacuationId, outcome }, 'move_subscription');
  },
});
