import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import { createDiscountCode, listDiscountCodes, setDiscountCodeActive } from '../services/discount.service';
import { createPlan, deletePlan, listPlans, updatePlan } from '../services/plan.service';
import { Auth, Public } from './auth';
import type { Ctx as Context } from './context';
import { presentDiscount } from './types/discount.types';
import { presentPlan } from './types/plan.types';
import { CreateDiscountCodeInput, DiscountCodeType } from './types/discount.types';
import { CreatePlanInput, PlanType, UpdatePlanInput } from './types/plan.types';

/** The catalogue: plans and discount codes. */
@Resolver()
export class PlanResolver {
  @Query(() => [PlanType], { description: 'Plans on sale, in sort order (admins may include inactive and trial plans).' })
  @Public()
  async plans(@Ctx() ctx: Context, @Arg('includeInactive', { defaultValue: false }) includeInactive: boolean): Promise<PlanType[]> {
    const all = includeInactive && ctx.principal?.role === Role.ADMIN;
    return ctx.caches.plans.get(all ? 'all' : 'onSale', async () => (await listPlans(ctx.em, { includeInactive: all })).map(presentPlan));
  }

  @Mutation(() => PlanType)
  @Auth(Role.ADMIN)
  async createPlan(@Ctx() ctx: Context, @Arg('input') input: CreatePlanInput): Promise<PlanType> {
    return presentPlan(await createPlan(ctx.em, input));
  }

  @Mutation(() => PlanType)
  @Auth(Role.ADMIN)
  async updatePlan(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('input') input: UpdatePlanInput): Promise<PlanType> {
    return presentPlan(await updatePlan(ctx.em, id, input));
  }

  @Mutation(() => PlanType, { description: 'Deletes a plan that was never sold (PLAN_IN_USE otherwise: deactivate it with updatePlan).' })
  @Auth(Role.ADMIN)
  async deletePlan(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<PlanType> {
    const plan = await deletePlan(ctx.em, id);
    return presentPlan(Object.assign(plan, { id }));
  }

  @Query(() => [DiscountCodeType])
  @Auth(Role.ADMIN)
  async discountCodes(@Ctx() ctx: Context): Promise<DiscountCodeType[]> {
    return (await listDiscountCodes(ctx.em)).map(presentDiscount);
  }

  @Mutation(() => DiscountCodeType)
  @Auth(Role.ADMIN)
  async createDiscountCode(@Ctx() ctx: Context, @Arg('input') input: CreateDiscountCodeInput): Promise<DiscountCodeType> {
    return presentDiscount(await createDiscountCode(ctx.em, input));
  }

  @Mutation(() => DiscountCodeType)
  @Auth(Role.ADMIN)
  async setDiscountCodeActive(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('active') active: boolean): Promise<DiscountCodeType> {
    return presentDiscount(await setDiscountCodeActive(ctx.em, id, active));
  }
}
