import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CustomerStatus, Language } from '../../entities/customer.entity';
import { LedgerKind } from '../../entities/ledger-entry.entity';
import { OrderKind, OrderStatus, PaymentMethod } from '../../entities/order.entity';
import { PaymentStatus } from '../../entities/payment.entity';
import { RenewalTraffic } from '../../entities/plan.entity';
import { SubscriptionStatus } from '../../entities/subscription.entity';
import { SafeIntScalar } from './scalars';
import { PageInfo } from './system.types';

registerEnumType(Language, { name: 'Language' });
registerEnumType(CustomerStatus, { name: 'CustomerStatus' });
registerEnumType(OrderKind, { name: 'OrderKind', description: 'NEW subscription, RENEW, ADD_TRAFFIC, free TRIAL, wallet TOP_UP.' });
registerEnumType(OrderStatus, { name: 'OrderStatus' });
registerEnumType(PaymentMethod, { name: 'PaymentMethod' });
registerEnumType(PaymentStatus, { name: 'PaymentStatus' });
registerEnumType(SubscriptionStatus, { name: 'SubscriptionStatus' });
registerEnumType(LedgerKind, { name: 'LedgerKind' });
registerEnumType(RenewalTraffic, { name: 'RenewalTraffic', description: 'RESET: a renewal starts a new traffic period; CARRY_OVER: unused traffic is kept and the plan traffic added.' });

@ObjectType({ description: 'What is sold.' })
export class PlanType {
  @Field(() => ID) id!: string;
  @Field() code!: string;
  @Field() titleFa!: string;
  @Field() titleEn!: string;
  @Field(() => SafeIntScalar, { description: 'Traffic quota in bytes; 0 = unlimited.' }) trafficBytes!: number;
  @Field(() => Int) durationDays!: number;
  @Field(() => Int, { description: 'Simultaneous devices; 0 = unlimited.' }) deviceLimit!: number;
  @Field(() => Int, { description: 'Price in the shop currency (integer).' }) price!: number;
  @Field() active!: boolean;
  @Field(() => Int) sortOrder!: number;
  @Field() isTrial!: boolean;
  @Field() serverGroup!: string;
  @Field(() => [String]) protocols!: string[];
  @Field(() => RenewalTraffic) renewalTraffic!: RenewalTraffic;
}

@InputType()
export class CreatePlanInput {
  @Field() code!: string;
  @Field() titleFa!: string;
  @Field() titleEn!: string;
  @Field(() => SafeIntScalar) trafficBytes!: number;
  @Field(() => Int) durationDays!: number;
  @Field(() => Int, { nullable: true }) deviceLimit?: number;
  @Field(() => Int) price!: number;
  @Field(() => Boolean, { nullable: true }) active?: boolean;
  @Field(() => Int, { nullable: true }) sortOrder?: number;
  @Field(() => Boolean, { nullable: true }) isTrial?: boolean;
  @Field(() => String, { nullable: true }) serverGroup?: string;
  @Field(() => [String], { nullable: true }) protocols?: string[];
  @Field(() => RenewalTraffic, { nullable: true }) renewalTraffic?: RenewalTraffic;
}

@InputType()
export class UpdatePlanInput {
  @Field(() => String, { nullable: true }) code?: string;
  @Field(() => String, { nullable: true }) titleFa?: string;
  @Field(() => String, { nullable: true }) titleEn?: string;
  @Field(() => SafeIntScalar, { nullable: true }) trafficBytes?: number;
  @Field(() => Int, { nullable: true }) durationDays?: number;
  @Field(() => Int, { nullable: true }) deviceLimit?: number;
  @Field(() => Int, { nullable: true }) price?: number;
  @Field(() => Boolean, { nullable: true }) active?: boolean;
  @Field(() => Int, { nullable: true }) sortOrder?: number;
  @Field(() => Boolean, { nullable: true }) isTrial?: boolean;
  @Field(() => String, { nullable: true }) serverGroup?: string;
  @Field(() => [String], { nullable: true }) protocols?: string[];
  @Field(() => RenewalTraffic, { nullable: true }) renewalTraffic?: RenewalTraffic;
}

@ObjectType()
export class DiscountCodeType {
  @Field(() => ID) id!: string;
  @Field() code!: string;
  @Field(() => Int, { nullable: true }) percent!: number | null;
  @Field(() => Int, { nullable: true }) amount!: number | null;
  @Field(() => Int, { nullable: true }) maxUses!: number | null;
  @Field(() => Int) used!: number;
  @Field(() => Date, { nullable: true }) validFrom!: Date | null;
  @Field(() => Date, { nullable: true }) validUntil!: Date | null;
  @Field(() => [ID]) planIds!: string[];
  @Field() active!: boolean;
}

@InputType()
export class CreateDiscountCodeInput {
  @Field() code!: string;
  @Field(() => Int, { nullable: true, description: '1–100; exclusive with amount.' }) percent?: number;
  @Field(() => Int, { nullable: true, description: 'Fixed amount off; exclusive with percent.' }) amount?: number;
  @Field(() => Int, { nullable: true }) maxUses?: number;
  @Field(() => Date, { nullable: true }) validFrom?: Date;
  @Field(() => Date, { nullable: true }) validUntil?: Date;
  @Field(() => [ID], { nullable: true, description: 'Plans it applies to; empty = all.' }) planIds?: string[];
}

@ObjectType({ description: 'An end user.' })
export class CustomerType {
  @Field(() => ID) id!: string;
  @Field(() => SafeIntScalar, { nullable: true }) telegramId!: number | null;
  @Field(() => String, { nullable: true }) username!: string | null;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => Language) language!: Language;
  @Field(() => CustomerStatus) status!: CustomerStatus;
  @Field(() => Date, { nullable: true }) trialUsedAt!: Date | null;
  @Field({ description: 'Share as /start <code>.' }) referralCode!: string;
  @Field(() => String, { nullable: true, description: "A reseller's own reference for its customer." }) externalRef!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@InputType()
export class RegisterTelegramUserInput {
  @Field(() => String, { nullable: true }) username?: string;
  @Field(() => String, { nullable: true }) displayName?: string;
  @Field(() => Language, { nullable: true }) language?: Language;
  @Field(() => String, { nullable: true, description: 'The /start payload (a referral code).' }) referralCode?: string;
}

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

@ObjectType({ description: 'A request to buy something.' })
export class OrderType {
  @Field(() => ID) id!: string;
  @Field(() => SafeIntScalar) number!: number;
  @Field(() => OrderKind) kind!: OrderKind;
  @Field(() => OrderStatus) status!: OrderStatus;
  @Field(() => ID) customerId!: string;
  @Field(() => PlanType, { nullable: true }) plan!: PlanType | null;
  @Field(() => ID, { nullable: true }) subscriptionId!: string | null;
  @Field(() => Int) price!: number;
  @Field(() => Int) discount!: number;
  @Field(() => Int) amountDue!: number;
  @Field(() => PaymentMethod) paymentMethod!: PaymentMethod;
  @Field(() => PaymentType, { nullable: true }) payment!: PaymentType | null;
  @Field(() => String, { nullable: true }) failureReason!: string | null;
  @Field(() => Int) attempt!: number;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) paidAt!: Date | null;
  @Field(() => Date, { nullable: true }) fulfilledAt!: Date | null;
}

@InputType()
export class CreateOrderInput {
  @Field(() => OrderKind) kind!: OrderKind;
  @Field(() => ID, { nullable: true }) planId?: string;
  @Field(() => ID, { nullable: true, description: 'RENEW and ADD_TRAFFIC: the subscription to change.' }) subscriptionId?: string;
  @Field(() => String, { nullable: true }) discountCode?: string;
  @Field(() => PaymentMethod) paymentMethod!: PaymentMethod;
  @Field(() => Int, { nullable: true, description: 'TOP_UP: amount to add to the wallet.' }) amount?: number;
  @Field(() => ID, { nullable: true, description: 'RESELLER keys: the customer (own, see upsertResellerCustomer) the order is for; pay with RESELLER_BALANCE.' })
  customerId?: string;
}

@ObjectType({ description: "One customer's config on one server." })
export class SubscriptionType {
  @Field(() => ID) id!: string;
  @Field(() => ID) customerId!: string;
  @Field(() => PlanType) plan!: PlanType;
  @Field(() => SubscriptionStatus) status!: SubscriptionStatus;
  @Field() isTrial!: boolean;
  @Field(() => String, { nullable: true }) serverName!: string | null;
  @Field(() => SafeIntScalar, { description: 'Bytes; 0 = unlimited.' }) trafficLimitBytes!: number;
  @Field(() => SafeIntScalar) usedUpBytes!: number;
  @Field(() => SafeIntScalar) usedDownBytes!: number;
  @Field(() => SafeIntScalar) usedBytes!: number;
  @Field(() => Int) deviceLimit!: number;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field({ description: 'Our subscription URL (stable across server moves).' }) subscriptionUrl!: string;
  @Field(() => [String], { description: 'Share links (vless://, trojan://, ...).' }) links!: string[];
  @Field(() => Date, { nullable: true }) lastSyncedAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: 'The invoice of a paid order.' })
export class InvoiceType {
  @Field() invoiceNumber!: string;
  @Field(() => Date) issuedAt!: Date;
  @Field(() => ID) orderId!: string;
  @Field(() => SafeIntScalar) orderNumber!: number;
  @Field(() => ID) customerId!: string;
  @Field() customerName!: string;
  @Field(() => SafeIntScalar, { nullable: true }) customerTelegramId!: number | null;
  @Field() kind!: string;
  @Field(() => String, { nullable: true }) planCode!: string | null;
  @Field(() => String, { nullable: true }) planTitleFa!: string | null;
  @Field(() => String, { nullable: true }) planTitleEn!: string | null;
  @Field(() => Int, { nullable: true }) durationDays!: number | null;
  @Field(() => SafeIntScalar, { nullable: true }) trafficBytes!: number | null;
  @Field(() => Int) price!: number;
  @Field(() => Int) discount!: number;
  @Field(() => String, { nullable: true }) discountCode!: string | null;
  @Field(() => Int) amountPaid!: number;
  @Field() currency!: string;
  @Field() paymentMethod!: string;
  @Field(() => String, { nullable: true }) paymentReference!: string | null;
  @Field() status!: string;
}

@ObjectType({ description: 'A wallet movement.' })
export class LedgerEntryType {
  @Field(() => ID) id!: string;
  @Field(() => SafeIntScalar) amount!: number;
  @Field(() => LedgerKind) kind!: LedgerKind;
  @Field(() => SafeIntScalar, { nullable: true }) orderNumber!: number | null;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class WalletType {
  @Field(() => ID) customerId!: string;
  @Field(() => SafeIntScalar, { description: 'Sum of the ledger entries.' }) balance!: number;
  @Field() currency!: string;
  @Field(() => [LedgerEntryType]) entries!: LedgerEntryType[];
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

@ObjectType({ description: 'A page of orders, newest first; pass pageInfo.endCursor as `after` for the next page.' })
export class OrderConnection {
  @Field(() => [OrderType]) nodes!: OrderType[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
