import { z } from 'zod';
import { runBroadcast } from '../notifications/broadcast.delivery';
import { defineJob } from './job.types';

/** Sends the next batches of a broadcast (src/notifications/broadcast.delivery.ts). */
export default defineJob({
  name: 'broadcast',
  schema: z.object({ broadcastId: z.uuid() }),
  async run({ broadcastId }, ctx) {
    const outcome = await runBroadcast(ctx.em, { telegram: ctx.deps.telegram, logger: ctx.logger }, broadcastId);
    ctx.logger.info({ broadcastId, outcome }, 'broadcast run');
  },
});

declare module './enqueue' {
  interface TaskPayloads {
    broadcast: { broadcastId: string };
  }
}
