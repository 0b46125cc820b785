import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { OrderKind, OrderStatus, PaymentMethod, type Order } from '../../entities/order.entity';
import type { OrderRead } from '../../services/order.read';
import { PURCHASE_KINDS, PURCHASE_METHODS } from '../../services/order.service';
import { enumOf, SafeIntScalar } from './scalars';
import { PageInfo } from './system.types';
import { PaymentType } from './payment.types';
import { PlanType, presentPlan } from './plan.types';

/** GraphQL types of the order domain and their presenters (entities → GraphQL objects): Orders and invoices. */

registerEnumType(OrderKind, { name: 'OrderKind', description: 'NEW subscription, RENEW, ADD_TRAFFIC, free TRIAL, wallet TOP_UP.' });

registerEnumType(OrderStatus, { name: 'OrderStatus' });

/** What createOrder sells: the service's list, so the schema offers only what the service accepts. */
export const PurchaseKind = enumOf(PURCHASE_KINDS);
registerEnumType(PurchaseKind, { name: 'PurchaseKind', description: 'What createOrder sells: NEW subscription, RENEW, ADD_TRAFFIC, wallet TOP_UP (the free trial is requestTrial).' });

/** How a createOrder caller may pay (FREE is given by the system only). */
export const PurchasePaymentMethod = enumOf(PURCHASE_METHODS);
registerEnumType(PurchasePaymentMethod, { name: 'PurchasePaymentMethod', description: 'CARD_TO_CARD or WALLET (user bot); RESELLER_BALANCE (reseller keys).' });

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
  @Field(() => PurchaseKind) kind!: (typeof PURCHASE_KINDS)[number];
  @Field(() => ID, { nullable: true }) planId?: string;
  @Field(() => ID, { nullable: true, description: 'RENEW and ADD_TRAFFIC: the subscription to change.' }) subscriptionId?: string;
  @Field(() => String, { nullable: true }) discountCode?: string;
  @Field(() => PurchasePaymentMethod) paymentMethod!: (typeof PURCHASE_METHODS)[number];
  @Field(() => Int, { nullable: true, description: 'TOP_UP: amount to add to the wallet.' }) amount?: number;
  @Field(() => ID, { nullable: true, description: 'RESELLER keys: the customer (own, see upsertResellerCustomer) the order is for; pay with RESELLER_BALANCE.' })
  customerId?: string;
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

@ObjectType({ description: 'A page of orders, newest first; pass pageInfo.endCursor as `after` for the next page.' })
export class OrderConnection {
  @Field(() => [OrderType]) nodes!: OrderType[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

export function presentOrder(o: Order, payment: PaymentType | null): OrderType {
  return {
    id: o.id,
    number: o.number,
    kind: o.kind,
    status: o.status,
    customerId: o.customer.id,
    plan: o.plan ? presentPlan(o.plan) : null,
    subscriptionId: o.subscription?.id ?? null,
    price: o.price,
    discount: o.discount,
    amountDue: o.amountDue,
    paymentMethod: o.paymentMethod,
    payment,
    failureReason: o.failureReason ?? null,
    attempt: o.attempt,
    createdAt: o.createdAt,
    paidAt: o.paidAt ?? null,
    fulfilledAt: o.fulfilledAt ?? null,
  };
}

/** An order read as a plain row with its plan and payment (src/services/order.read.ts). */
export function presentOrderRead(o: OrderRead, payment: PaymentType | null): OrderType {
  return {
    id: o.id,
    number: o.number,
    kind: o.kind,
    status: o.status,
    customerId: o.customerId,
    plan: o.plan ? presentPlan(o.plan) : null,
    subscriptionId: o.subscriptionId,
    price: o.price,
    discount: o.discount,
    amountDue: o.amountDue,
    paymentMethod: o.paymentMethod,
    payment,
    failureReason: o.failureReason,
    attempt: o.attempt,
    createdAt: o.createdAt,
    paidAt: o.paidAt,
    fulfilledAt: o.fulfilledAt,
  };
}
