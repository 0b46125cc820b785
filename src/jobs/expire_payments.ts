import { z } from 'zod';
import { expireUnpaidPayments } from '../services/payment-expiry.service';
import { defineJob } from './job.types';

/** Cron only: no fields of its own. */
export const expirePaymentsPayload = z.object({ _cron: z.object({ ts: z.string().optional(), backfilled: z.boolean().optional() }).optional() });
export type ExpirePaymentsPayload = z.infer<typeof expirePaymentsPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    expire_payments: ExpirePaymentsPayload;
  }
}

/**
 * Every minute (src/jobs/schedule.ts): unpaid card-to-card payments past their deadline expire and
 * the customer is told.
 */
export default defineJob({
  name: 'expire_payments',
  schema: expirePaymentsPayload,
  async run(_payload, ctx) {
    const expired = await expireUnpaidPayments(ctx.em);
    if (expired > 0) ctx.logger.info({ expired }, 'expire_payments');
  },
});
