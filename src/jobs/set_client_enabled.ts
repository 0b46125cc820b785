import { z } from 'zod';
import { applyClientEnabled } from '../services/subscription-admin.service';
import { defineJob } from './job.types';

/** The subscription whose panel client follows its status. */
export const setClientEnabledPayload = z.object({ subscriptionId: z.uuid() });
export type SetClientEnabledPayload = z.infer<typeof setClientEnabledPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    set_client_enabled: SetClientEnabledPayload;
  }
}

/** Makes the panel client follow the subscription's status (src/services/subscription-admin.service.ts). */
export default defineJob({
  name: 'set_client_enabled',
  schema: setClientEnabledPayload,
  async run(payload, ctx) {
    const outcome = await applyClientEnabled(ctx.em, ctx.deps.panels, payload.subscriptionId);
    ctx.logger.info({ subscriptionId: payload.subscriptionId, ...outcome }, 'set_client_enabled');
  },
});
