import { z } from 'zod';
import { refreshReceiptMessages } from '../notifications/receipt-messages';
import { defineJob } from './job.types';

/** The payment whose review messages say who decided. */
export const updateReceiptMessagesPayload = z.object({ paymentId: z.uuid() });
export type UpdateReceiptMessagesPayload = z.infer<typeof updateReceiptMessagesPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    update_receipt_messages: UpdateReceiptMessagesPayload;
  }
}

/** After a receipt decision: every admin's review message says who decided (src/notifications/receipt-messages.ts). */
export default defineJob({
  name: 'update_receipt_messages',
  schema: updateReceiptMessagesPayload,
  async run({ paymentId }, ctx) {
    const result = await refreshReceiptMessages(ctx.em, { telegram: ctx.deps.telegram, publicUrl: ctx.config.PUBLIC_URL, logger: ctx.logger }, paymentId);
    ctx.logger.info({ paymentId, edited: result.edited }, 'receipt review messages updated');
  },
});
