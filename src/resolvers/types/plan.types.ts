import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RenewalTraffic, type Plan } from '../../entities/plan.entity';
import type { PlanRead } from '../../services/subscription.read';
import { SafeIntScalar } from './scalars';

/** GraphQL types of the plan domain and their presenters (entities → GraphQL objects): Plans: what is sold. */

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

export function presentPlan(p: Plan | PlanRead): PlanType {
  return {
    id: p.id,
    code: p.code,
    titleFa: p.titleFa,
    titleEn: p.titleEn,
    trafficBytes: p.trafficBytes,
    durationDays: p.durationDays,
    deviceLimit: p.deviceLimit,
    price: p.price,
    active: p.active,
    sortOrder: p.sortOrder,
    isTrial: p.isTrial,
    serverGroup: p.serverGroup,
    protocols: p.protocols,
    renewalTraffic: p.renewalTraffic,
  };
}
