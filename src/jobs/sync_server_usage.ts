import { z } from 'zod';
import { syncServerUsage } from '../services/usage-sync.service';
import { defineJob } from './job.types';

/** The server whose usage is pulled. */
export const syncServerUsagePayload = z.object({ serverId: z.uuid() });
export type SyncServerUsagePayload = z.infer<typeof syncServerUsagePayload>;

declare module './enqueue' {
  interface TaskPayloads {
    sync_server_usage: SyncServerUsagePayload;
  }
}

/**
 * Pulls one server's usage in one or two panel requests, writes it in bulk with counter-reset
 * detection, ends subscriptions at quota or expiry (and disables their panel clients), flags
 * missing clients and queues warnings. Enqueued by schedule_usage_sync, one per server.
 */
export default defineJob({
  name: 'sync_server_usage',
  schema: syncServerUsagePayload,
  async run(payload, ctx) {
    const result = await syncServerUsage(ctx.em, { panels: ctx.deps.panels, alerts: ctx.deps.alerts, logger: ctx.logger }, payload.serverId);
    ctx.logger.info(result, 'sync_server_usage');
  },
});
