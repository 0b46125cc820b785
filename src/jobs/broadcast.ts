import { z } from 'zod';
import { runBroadcast } from '../notifications/broadcast.delivery';
import { defineJob } from './job.types';

/** The broadcast to continue. */
export const broadcastPayload = z.object({ broadcastId: z.uuid() });
export type BroadcastPayload = z.infer<typeof broadcastPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    broadcast: BroadcastPayload;
  }
}

/** Sends the next batches of a broadcast (src/notifications/broadcast.delivery.ts). */
export default defineJob({
  name: 'broadcast',
  schema: broadcastPayload,
  async run({ broadcastId }, ctx) {
    const outcome = await runBroadcast(ctx.em, { telegram: ctx.deps.telegram, logger: ctx.logger }, broadcastId);
    ctx.logger.info({ broadcastId, outcome }, 'broadcast run');
  },
});
