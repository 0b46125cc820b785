import { z } from 'zod';
import { removeFailedClient } from '../services/subscription-provisioning.service';
import { defineJob } from './job.types';

/** The FAILED subscription whose panel client (if any) is deleted. */
export const removeFailedClientPayload = z.object({ subscriptionId: z.uuid() });
export type RemoveFailedClientPayload = z.infer<typeof removeFailedClientPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    remove_failed_client: RemoveFailedClientPayload;
  }
}

/**
 * Takes a refunded subscription's client off the panel (an attempt may have created it although
 * the answer was lost); retries until the panel answers. Queued by failOrder.
 */
export default defineJob({
  name: 'remove_failed_client',
  schema: removeFailedClientPayload,
  async run(payload, ctx) {
    const outcome = await removeFailedClient(ctx.em, { panels: ctx.deps.panels }, payload);
    ctx.logger.info({ subscriptionId: payload.subscriptionId, outcome }, 'remove_failed_client');
  },
});
