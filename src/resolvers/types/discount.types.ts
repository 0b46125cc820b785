import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { DiscountCode } from '../../entities/discount-code.entity';

/** GraphQL types of the discount domain and their presenters (entities → GraphQL objects): Discount codes. */

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

export function presentDiscount(d: DiscountCode): DiscountCodeType {
  return {
    id: d.id,
    code: d.code,
    percent: d.percent ?? null,
    amount: d.amount ?? null,
    maxUses: d.maxUses ?? null,
    used: d.used,
    validFrom: d.validFrom ?? null,
    validUntil: d.validUntil ?? null,
    planIds: d.planIds,
    active: d.active,
  };
}
