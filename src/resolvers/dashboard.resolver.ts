import { Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import { buildDashboard } from '../services/dashboard.service';
import { Auth } from './auth';
import type { Ctx as Context } from './context';
import { SafeIntScalar } from './types/scalars';

@ObjectType()
class StatusCount {
  @Field() status!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'The shop at a glance. "Today" starts at 00:00 UTC; amounts in the shop currency.' })
class DashboardType {
  @Field(() => Int) customers!: number;
  @Field(() => Int) customersToday!: number;
  @Field(() => [StatusCount]) subscriptionsByStatus!: StatusCount[];
  @Field(() => Int) ordersPaidToday!: number;
  @Field(() => SafeIntScalar, { description: 'Paid purchases (not wallet top-ups) today.' }) revenueToday!: number;
  @Field(() => SafeIntScalar, { description: 'Paid purchases in the last 7 × 24 hours.' }) revenueLast7Days!: number;
  @Field(() => SafeIntScalar, { description: 'Paid purchases in the last 30 × 24 hours.' }) revenueLast30Days!: number;
  @Field(() => Int, { description: 'Card payments with a receipt waiting for review.' }) paymentsToReview!: number;
  @Field(() => Int) failedOrders!: number;
  @Field(() => [StatusCount], { description: 'Active servers by health status.' }) serversByStatus!: StatusCount[];
  @Field(() => SafeIntScalar, { description: 'Money held in customer wallets.' }) walletBalances!: number;
}

/** The admin dashboard. */
@Resolver()
export class DashboardResolver {
  @Query(() => DashboardType)
  @Auth(Role.ADMIN, Role.SUPPORT)
  async dashboard(@Ctx() ctx: Context): Promise<DashboardType> {
    return buildDashboard(ctx.em);
  }
}
