import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SubscriptionStatus, type Subscription } from '../../entities/subscription.entity';
import { subscriptionUrl } from '../../services/subscription.service';
import type { SubscriptionRead } from '../../services/subscription.read';
import { SafeIntScalar } from './scalars';
import { PlanType, presentPlan } from './plan.types';

/** GraphQL types of the subscription domain and their presenters (entities → GraphQL objects): Subscriptions: one customer's config on one server. */

registerEnumType(SubscriptionStatus, { name: 'SubscriptionStatus' });

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

export function presentSubscription(s: Subscription | SubscriptionRead, publicUrl: string): SubscriptionType {
  const read = 'customerId' in s;
  return {
    id: s.id,
    customerId: read ? s.customerId : s.customer.id,
    plan: presentPlan(s.plan),
    status: s.status,
    isTrial: s.isTrial,
    serverName: read ? s.serverName : (s.server?.name ?? null),
    trafficLimitBytes: s.trafficLimitBytes,
    usedUpBytes: s.usedUpBytes,
    usedDownBytes: s.usedDownBytes,
    usedBytes: s.usedUpBytes + s.usedDownBytes,
    deviceLimit: s.deviceLimit,
    expiresAt: s.expiresAt ?? null,
    subscriptionUrl: subscriptionUrl(publicUrl, s.subToken),
    links: s.links,
    lastSyncedAt: s.lastSyncedAt ?? null,
    createdAt: s.createdAt,
  };
}
