import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ResellerStatus } from '../../entities/reseller.entity';
import { WebhookStatus } from '../../entities/webhook-delivery.entity';
import { CustomerType } from './customer.types';
import { OrderType } from './order.types';
import { SubscriptionType } from './subscription.types';
import { LedgerEntryType } from './wallet.types';
import { SafeIntScalar } from './scalars';
import { PageInfo } from './system.types';

registerEnumType(ResellerStatus, { name: 'ResellerStatus', description: 'SUSPENDED resellers can read but not order or add customers.' });
registerEnumType(WebhookStatus, { name: 'WebhookStatus' });

@ObjectType({ description: "A reseller's own price for a plan." })
export class PlanPriceType {
  @Field(() => ID) planId!: string;
  @Field(() => Int) price!: number;
}

@InputType()
export class PlanPriceInput {
  @Field(() => ID) planId!: string;
  @Field(() => Int) price!: number;
}

@ObjectType({ description: 'A business selling our plans through the API from a prepaid balance (the webhook secret is never shown).' })
export class ResellerType {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => ResellerStatus) status!: ResellerStatus;
  @Field(() => Int, { description: 'Percent off shop prices for plans without an own price.' }) discountPercent!: number;
  @Field(() => [PlanPriceType], { description: 'Own prices per plan; they override discountPercent.' }) planPrices!: PlanPriceType[];
  @Field(() => SafeIntScalar, { description: 'How far below zero the balance may go.' }) creditLimit!: number;
  @Field(() => Int, { description: 'Max subscriptions provisioning or active at once; 0 = unlimited.' }) maxActiveSubscriptions!: number;
  @Field(() => [ID], { description: 'Plans it may sell; empty = all.' }) allowedPlanIds!: string[];
  @Field(() => [String], { description: 'Server groups its plans may be on; empty = any.' }) allowedServerGroups!: string[];
  @Field(() => String, { nullable: true }) webhookUrl!: string | null;
  @Field({ description: 'Whether a webhook signing secret is set.' }) webhookSecretSet!: boolean;
  @Field(() => Date) createdAt!: Date;
}

@InputType()
export class CreateResellerInput {
  @Field() name!: string;
  @Field(() => Int, { nullable: true }) discountPercent?: number;
  @Field(() => [PlanPriceInput], { nullable: true }) planPrices?: PlanPriceInput[];
  @Field(() => SafeIntScalar, { nullable: true }) creditLimit?: number;
  @Field(() => Int, { nullable: true }) maxActiveSubscriptions?: number;
  @Field(() => [ID], { nullable: true }) allowedPlanIds?: string[];
  @Field(() => [String], { nullable: true }) allowedServerGroups?: string[];
  @Field(() => String, { nullable: true, description: 'http(s) receiver; loopback/private addresses are refused unless WEBHOOK_ALLOW_PRIVATE_URLS.' })
  webhookUrl?: string;
  @Field(() => String, { nullable: true, description: '16–200 characters; stored encrypted, never returned.' }) webhookSecret?: string;
}

@InputType()
export class UpdateResellerInput {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => Int, { nullable: true }) discountPercent?: number;
  @Field(() => [PlanPriceInput], { nullable: true, description: 'Replaces the whole list.' }) planPrices?: PlanPriceInput[];
  @Field(() => SafeIntScalar, { nullable: true }) creditLimit?: number;
  @Field(() => Int, { nullable: true }) maxActiveSubscriptions?: number;
  @Field(() => [ID], { nullable: true }) allowedPlanIds?: string[];
  @Field(() => [String], { nullable: true }) allowedServerGroups?: string[];
  @Field(() => String, { nullable: true, description: 'An empty string clears the webhook.' }) webhookUrl?: string;
  @Field(() => String, { nullable: true }) webhookSecret?: string;
}

@ObjectType()
export class ResellerBalanceType {
  @Field(() => ID) resellerId!: string;
  @Field(() => SafeIntScalar, { description: 'Sum of the ledger entries.' }) balance!: number;
  @Field(() => SafeIntScalar) creditLimit!: number;
  @Field(() => SafeIntScalar, { description: 'What can still be spent: balance + creditLimit.' }) available!: number;
  @Field() currency!: string;
}

@ObjectType({ description: 'A page of ledger entries, newest first.' })
export class LedgerConnection {
  @Field(() => [LedgerEntryType]) nodes!: LedgerEntryType[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType({ description: 'A page of customers, newest first.' })
export class CustomerConnection {
  @Field(() => [CustomerType]) nodes!: CustomerType[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType({ description: 'A page of subscriptions, newest first.' })
export class SubscriptionConnection {
  @Field(() => [SubscriptionType]) nodes!: SubscriptionType[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType({ description: 'Money of a period [from, to): ledger totals, orders and the margin against shop prices.' })
export class ResellerStatementType {
  @Field(() => Date) from!: Date;
  @Field(() => Date) to!: Date;
  @Field(() => SafeIntScalar) openingBalance!: number;
  @Field(() => SafeIntScalar) closingBalance!: number;
  @Field(() => SafeIntScalar) topUps!: number;
  @Field(() => SafeIntScalar, { description: 'Charged for orders.' }) purchases!: number;
  @Field(() => SafeIntScalar) refunds!: number;
  @Field(() => SafeIntScalar) adjustments!: number;
  @Field(() => Int, { description: 'Orders paid in the period and not failed or refunded.' }) orderCount!: number;
  @Field(() => SafeIntScalar, { description: 'What those orders cost at shop prices.' }) shopValue!: number;
  @Field(() => SafeIntScalar, { description: 'shopValue minus what was paid for them.' }) margin!: number;
  @Field(() => [OrderType], { description: 'Orders paid in the period (up to 1000), oldest first.' }) orders!: OrderType[];
}

@ObjectType({ description: 'One webhook event and the log of delivering it.' })
export class WebhookDeliveryType {
  @Field(() => ID, { description: 'The event id (the `id` of the JSON body).' }) id!: string;
  @Field() event!: string;
  @Field(() => WebhookStatus) status!: WebhookStatus;
  @Field(() => Int) attempts!: number;
  @Field(() => Int, { nullable: true }) lastStatusCode!: number | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date, { nullable: true }) lastAttemptAt!: Date | null;
  @Field(() => Date, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: 'A page of webhook deliveries, newest first.' })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryType]) nodes!: WebhookDeliveryType[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
