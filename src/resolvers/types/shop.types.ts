import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { OrderKind } from '../../entities/order.entity';
import { SafeIntScalar } from './scalars';

@ObjectType({ description: 'What the shop bot shows besides plans: support handle, required channel, trial, top-up bounds.' })
export class ShopInfoType {
  @Field(() => String, { nullable: true, description: 'Telegram handle of support (setting support_handle), null when unset.' }) supportHandle!: string | null;
  @Field(() => String, { nullable: true, description: 'Channel users must join first (setting required_channel), e.g. @mychannel.' }) requiredChannel!: string | null;
  @Field({ description: 'Whether a free trial is offered (a trial plan is set and active).' }) trialAvailable!: boolean;
  @Field() currency!: string;
  @Field(() => Int) topUpMin!: number;
  @Field(() => Int) topUpMax!: number;
}

@InputType()
export class OrderQuoteInput {
  @Field(() => OrderKind, { description: 'NEW, RENEW or ADD_TRAFFIC.' }) kind!: OrderKind;
  @Field(() => ID) planId!: string;
  @Field(() => ID, { nullable: true }) subscriptionId?: string;
  @Field(() => String, { nullable: true }) discountCode?: string;
}

@ObjectType({ description: 'What an order would cost now (nothing is reserved or redeemed).' })
export class OrderQuoteType {
  @Field(() => Int) price!: number;
  @Field(() => Int) discount!: number;
  @Field(() => Int) amountDue!: number;
  @Field(() => String, { nullable: true, description: 'The discount code applied (normalised).' }) discountCode!: string | null;
  @Field(() => SafeIntScalar, { description: "The customer's wallet balance." }) walletBalance!: number;
}
