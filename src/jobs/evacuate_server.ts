import { z } from 'zod';
import { processEvacuation } from '../services/evacuation.service';
import { defineJob } from './job.types';

declare module './enqueue' {
  interface TaskPayloads {
    /** One batch of an evacuation; runs of one source share a queue, so they never overlap. */
    evacuate_server: { evacuationId: string };
  }
}

/**
 * Moves the next batch of subscriptions off an evacuated server (same client UUID/password, same
 * subscription URL), deletes them from the source when it answers, and enqueues the next batch
 * or finishes the evacuation.
 */
export default defineJob({
  name: 'evacuate_server',
  schema: z.object({ evacuationId: z.uuid() }),
  async run(payload, ctx) {
    const outcome = await processEvacuation(ctx.em, { panels: ctx.deps.panels, logger: ctx.logger }, payload.evacuationId, {
      attempt: ctx.helpers.job.attempts,
      maxAttempts: ctx.helpers.job.max_attempts,
    });
    ctx.logger.info({ evacuationId: payload.evacuationId, outcome }, 'evacuate_server');
  },
});
