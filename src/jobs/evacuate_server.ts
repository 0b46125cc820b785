import { z } from 'zod';
import { processEvacuation } from '../services/evacuation.service';
import { defineJob } from './job.types';

/** One batch of an evacuation; runs of one source share a queue, so they never overlap. */
export const evacuateServerPayload = z.object({ evacuationId: z.uuid() });
export type EvacuateServerPayload = z.infer<typeof evacuateServerPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    evacuate_server: EvacuateServerPayload;
  }
}

/**
 * Moves the next batch of subscriptions off an evacuated server (same client UUID/password, same
 * subscription URL), deletes them from the source when it answers, and enqueues the next batch
 * or finishes the evacuation.
 */
export default defineJob({
  name: 'evacuate_server',
  schema: evacuateServerPayload,
  async run(payload, ctx) {
    const outcome = await processEvacuation(ctx.em, { panels: ctx.deps.panels, logger: ctx.logger }, payload.evacuationId, {
      attempt: ctx.helpers.job.attempts,
      maxAttempts: ctx.helpers.job.max_attempts,
    });
    ctx.logger.info({ evacuationId: payload.evacuationId, outcome }, 'evacuate_server');
  },
});
