import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { OrderKind, PaymentMethod } from '../../entities/order.entity';
import { PaymentStatus, type Payment } from '../../entities/payment.entity';
import type { PaymentRead } from '../../services/order.read';
import { SafeIntScalar } from './scalars';
import { CustomerType } from './customer.types';

/** GraphQL types of the payment domain and their presenters (entities → GraphQL objects): Payments of orders and their review. */

registerEnumType(PaymentMethod, { name: 'PaymentMethod' });

registerEnumType(PaymentStatus, { name: 'PaymentStatus' });

@ObjectType({ description: 'How an order is paid.' })
export class PaymentType {
  @Field(() => ID) id!: string;
  @Field(() => PaymentMethod) method!: PaymentMethod;
  @Field(() => PaymentStatus) status!: PaymentStatus;
  @Field(() => Int) amount!: number;
  @Field(() => Int, { nullable: true, description: 'CARD_TO_CARD: transfer exactly this amount (unique among open payments).' })
  payableAmount!: number | null;
  @Field(() => Date, { nullable: true, description: 'CARD_TO_CARD: deadline of the transfer.' }) expiresAt!: Date | null;
  @Field(() => String, { nullable: true }) cardNumber!: string | null;
  @Field(() => String, { nullable: true }) cardHolder!: string | null;
  @Field(() => ID, { nullable: true }) receiptId!: string | null;
  @Field(() => String, { nullable: true }) trackingCode!: string | null;
  @Field(() => Date, { nullable: true }) submittedAt!: Date | null;
  @Field(() => Date, { nullable: true }) reviewedAt!: Date | null;
  @Field(() => String, { nullable: true }) rejectReason!: string | null;
}

@ObjectType({ description: 'A card payment waiting for review, with what the reviewer needs.' })
export class PaymentReviewType {
  @Field(() => PaymentType) payment!: PaymentType;
  @Field(() => ID) orderId!: string;
  @Field(() => SafeIntScalar) orderNumber!: number;
  @Field(() => OrderKind) orderKind!: OrderKind;
  @Field(() => String, { nullable: true }) planTitleFa!: string | null;
  @Field(() => String, { nullable: true }) planTitleEn!: string | null;
  @Field(() => CustomerType) customer!: CustomerType;
}

@ObjectType({ description: 'A receipt image (bytes as base64), for the admin bot to show.' })
export class ReceiptImageType {
  @Field(() => ID) id!: string;
  @Field() mimeType!: string;
  @Field(() => Int) size!: number;
  @Field() base64!: string;
}

/** A card-to-card payment still waiting for the transfer or its review (shows the card to pay to). */
export function isOpenCardPayment(p: Pick<Payment, 'method' | 'status'>): boolean {
  return p.method === 'CARD_TO_CARD' && (p.status === 'PENDING' || p.status === 'SUBMITTED');
}

/** A payment read as a plain row (src/services/order.read.ts). */
export function presentPaymentRead(p: PaymentRead, card?: { number: string; holder: string }): PaymentType {
  const open = isOpenCardPayment(p);
  return {
    id: p.id,
    method: p.method,
    status: p.status,
    amount: p.amount,
    payableAmount: p.payableAmount,
    expiresAt: p.expiresAt,
    cardNumber: open ? card?.number || null : null,
    cardHolder: open ? card?.holder || null : null,
    receiptId: p.receiptId,
    trackingCode: p.trackingCode,
    submittedAt: p.submittedAt,
    reviewedAt: p.reviewedAt,
    rejectReason: p.rejectReason,
  };
}

export function presentPayment(p: Payment, card?: { number: string; holder: string }): PaymentType {
  return presentPaymentRead(
    {
      id: p.id,
      method: p.method,
      status: p.status,
      amount: p.amount,
      payableAmount: p.payableAmount ?? null,
      expiresAt: p.expiresAt ?? null,
      receiptId: p.receipt?.id ?? null,
      trackingCode: p.trackingCode ?? null,
      submittedAt: p.submittedAt ?? null,
      reviewedAt: p.reviewedAt ?? null,
      rejectReason: p.rejectReason ?? null,
    },
    card,
  );
}
