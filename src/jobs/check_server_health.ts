import { z } from 'zod';
import { checkServersHealth } from '../services/server-health.service';
import { defineJob } from './job.types';

/**
 * Cron (every minute): no serverId. `_cron.ts` (added by graphile-worker) is the tick: each server
 * applies one probe per tick, so a double or concurrent run counts once.
 */
export const checkServerHealthPayload = z.object({
  serverId: z.uuid().optional(),
  _cron: z.object({ ts: z.string(), backfilled: z.boolean().optional() }).optional(),
});
export type CheckServerHealthPayload = z.infer<typeof checkServerHealthPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    check_server_health: CheckServerHealthPayload;
  }
}

/**
 * Probes every active panel (`adapter.health()`), in parallel with bounded concurrency, and moves
 * each server between HEALTHY / DEGRADED / DOWN with hysteresis (settings `health_*`); every
 * status change alerts the admins once, in the transaction of the change.
 */
export default defineJob({
  name: 'check_server_health',
  schema: checkServerHealthPayload,
  async run(payload, ctx) {
    const tick = payload._cron ? new Date(payload._cron.ts) : new Date();
    const applied = await checkServersHealth(ctx.em, { panels: ctx.deps.panels, logger: ctx.logger }, { tick, serverId: payload.serverId });
    const changes = applied.filter((a) => a.from !== a.to);
    if (changes.length > 0) ctx.logger.info({ changes }, 'check_server_health: status changes');
    else ctx.logger.debug({ probed: applied.length }, 'check_server_health');
  },
});
