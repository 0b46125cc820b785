import { z } from 'zod';
import { Subscription } from '../entities/subscription.entity';
import { ON_PANEL_STATUSES } from '../services/subscription-lifecycle.service';
import { clientSpecOf } from '../services/subscription.service';
import { withSubscriptionLock } from '../services/subscription-lock';
import { defineJob } from './job.types';

/**
 * Makes the panel client follow the subscription's current status after an admin enabled or
 * disabled it: enabled exactly when ACTIVE. The state is read when the job runs, so the last
 * switch wins; the client is re-created (same UUID and password) if it went missing.
 */
export default defineJob({
  name: 'set_client_enabled',
  schema: z.object({ subscriptionId: z.uuid() }),
  async run(payload, ctx) {
    await withSubscriptionLock(ctx.em, payload.subscriptionId, async () => {
      const sub = await ctx.em.findOne(Subscription, { id: payload.subscriptionId }, { populate: ['server'], refresh: true });
      if (!sub || !sub.server || !(ON_PANEL_STATUSES as readonly string[]).includes(sub.status)) {
        ctx.logger.info({ subscriptionId: payload.subscriptionId, status: sub?.status }, 'set_client_enabled: nothing to do');
        return;
      }
      const result = await ctx.deps.panels.adapterFor(sub.server).ensureClient(clientSpecOf(sub));
      ctx.logger.info({ subscriptionId: sub.id, status: sub.status, action: result.action }, 'set_client_enabled');
    });
  },
});
