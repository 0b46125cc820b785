import { pageSize } from '../services/pagination';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Admin } from '../entities/admin.entity';
import { Role } from '../entities/common';
import type { Payment } from '../entities/payment.entity';
import { customerInScope } from '../services/access.policy';
import {
  approvePayment,
  approvePaymentByAmount,
  getReceiptWithData,
  listPaymentsToReview,
  rejectPayment,
  submitPaymentReceipt,
} from '../services/payment.service';
import { describePrincipal } from '../services/principal';
import { Auth } from './auth';
import type { Ctx as Context } from './context';
import { presentCustomer } from './types/customer.types';
import { isOpenCardPayment, presentPayment } from './types/payment.types';
import { PaymentReviewType, PaymentType, ReceiptImageType } from './types/payment.types';

function reviewer(ctx: Context): Admin | null {
  return ctx.principal?.adminId ? ctx.em.getReference(Admin, ctx.principal.adminId) : null;
}

/** The card details are read only for an open card payment (the only one that shows them). */
async function present(ctx: Context, p: Payment): Promise<PaymentType> {
  return presentPayment(p, isOpenCardPayment(p) ? await ctx.loaders.card.load('card') : undefined);
}

/** Card-to-card receipts and their review. */
@Resolver()
export class PaymentResolver {
  @Mutation(() => PaymentType, {
    description: 'Attaches a receipt (uploaded with POST /receipts) and/or a bank tracking code to a card payment; admins are told.',
  })
  @Auth(Role.USER_BOT)
  async submitPaymentReceipt(
    @Ctx() ctx: Context,
    @Arg('paymentId', () => ID) paymentId: string,
    @Arg('receiptId', () => ID, { nullable: true }) receiptId: string | null,
    @Arg('trackingCode', () => String, { nullable: true }) trackingCode: string | null,
  ): Promise<PaymentType> {
    const customer = await customerInScope(ctx.em, ctx.principal!);
    return present(ctx, await submitPaymentReceipt(ctx.em, customer, { paymentId, receiptId, trackingCode }));
  }

  @Mutation(() => PaymentType, { description: 'Approves a card payment; exactly one review wins (PAYMENT_ALREADY_REVIEWED for the rest).' })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async approvePayment(@Ctx() ctx: Context, @Arg('paymentId', () => ID) paymentId: string): Promise<PaymentType> {
    const deps = { provisionMaxAttempts: ctx.config.PROVISION_MAX_ATTEMPTS };
    return present(ctx, await approvePayment(ctx.em, deps, paymentId, reviewer(ctx), describePrincipal(ctx.principal)));
  }

  @Mutation(() => PaymentType, {
    description: 'Approves the open card payment with exactly this payable amount (as a bank statement line shows it).',
  })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async approvePaymentByAmount(
    @Ctx() ctx: Context,
    @Arg('payableAmount', () => Int) payableAmount: number,
    @Arg('reference', () => String, { nullable: true, description: "The bank's reference of the transfer." }) reference: string | null,
  ): Promise<PaymentType> {
    const deps = { provisionMaxAttempts: ctx.config.PROVISION_MAX_ATTEMPTS };
    return present(ctx, await approvePaymentByAmount(ctx.em, deps, { payableAmount, reference }, reviewer(ctx), describePrincipal(ctx.principal)));
  }

  @Mutation(() => PaymentType, { description: 'Rejects a card payment with a reason the customer reads; the order is cancelled.' })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async rejectPayment(
    @Ctx() ctx: Context,
    @Arg('paymentId', () => ID) paymentId: string,
    @Arg('reason') reason: string,
  ): Promise<PaymentType> {
    return present(ctx, await rejectPayment(ctx.em, paymentId, reason, reviewer(ctx)));
  }

  @Query(() => [PaymentReviewType], { description: 'Card payments waiting for review, oldest first.' })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async paymentsToReview(
    @Ctx() ctx: Context,
    @Arg('includeUnsubmitted', { defaultValue: false }) includeUnsubmitted: boolean,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
  ): Promise<PaymentReviewType[]> {
    const rows = await listPaymentsToReview(ctx.em, { includePending: includeUnsubmitted, limit: pageSize(first, 100) });
    return Promise.all(
      rows.map(async (p) => ({
        payment: await present(ctx, p),
        orderId: p.order.id,
        orderNumber: p.order.number,
        orderKind: p.order.kind,
        planTitleFa: p.order.plan?.titleFa ?? null,
        planTitleEn: p.order.plan?.titleEn ?? null,
        customer: presentCustomer(p.order.customer),
      })),
    );
  }

  @Query(() => ReceiptImageType, { description: 'A receipt image, for reviewers.' })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async receiptImage(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<ReceiptImageType> {
    const r = await getReceiptWithData(ctx.em, id);
    return { id: r.id, mimeType: r.mimeType, size: r.size, base64: r.data.toString('base64') };
  }
}
