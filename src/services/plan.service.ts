import { ForeignKeyConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Plan, RenewalTraffic } from '../entities/plan.entity';
import { AppError } from '../errors';
import { flushUnique } from './unique-violation';

const PROTOCOLS = ['vless', 'vmess', 'trojan', 'shadowsocks', 'hysteria2', 'tuic'] as const;

const planFields = {
  code: z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,49}$/i, 'letters, digits, - and _ (max 50)'),
  titleFa: z.string().trim().min(1).max(100),
  titleEn: z.string().trim().min(1).max(100),
  /** Bytes; 0 = unlimited. */
  trafficBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  durationDays: z.number().int().min(1).max(3650),
  deviceLimit: z.number().int().min(0).max(1000),
  /** Toman. */
  price: z.number().int().min(0).max(2_000_000_000),
  active: z.boolean(),
  sortOrder: z.number().int().min(-10000).max(10000),
  isTrial: z.boolean(),
  serverGroup: z.string().trim().min(1).max(50),
  protocols: z.array(z.enum(PROTOCOLS)).max(PROTOCOLS.length),
  renewalTraffic: z.enum(RenewalTraffic),
};

export const createPlanInput = z.object({
  ...planFields,
  deviceLimit: planFields.deviceLimit.default(0),
  active: planFields.active.default(true),
  sortOrder: planFields.sortOrder.default(0),
  isTrial: planFields.isTrial.default(false),
  serverGroup: planFields.serverGroup.default('default'),
  protocols: planFields.protocols.default([]),
  renewalTraffic: planFields.renewalTraffic.default(RenewalTraffic.RESET),
});
export type CreatePlanInput = z.input<typeof createPlanInput>;

export const updatePlanInput = z.object(Object.fromEntries(Object.entries(planFields).map(([k, v]) => [k, v.nullish()])) as {
  [K in keyof typeof planFields]: z.ZodOptional<z.ZodNullable<(typeof planFields)[K]>>;
});
export type UpdatePlanInput = z.input<typeof updatePlanInput>;

export async function createPlan(em: EntityManager, input: CreatePlanInput | object): Promise<Plan> {
  const plan = em.create(Plan, createPlanInput.parse(input));
  await flushUnique(em, 'PLAN_CODE_TAKEN');
  return plan;
}

export async function updatePlan(em: EntityManager, id: string, input: UpdatePlanInput | object): Promise<Plan> {
  const plan = await getPlanOrFail(em, id);
  const data = updatePlanInput.parse(input);
  for (const [k, v] of Object.entries(data)) if (v !== undefined && v !== null) (plan as unknown as Record<string, unknown>)[k] = v;
  await flushUnique(em, 'PLAN_CODE_TAKEN');
  return plan;
}

/** Deletes a plan nothing refers to; a plan that was sold is kept (deactivate it instead). */
export async function deletePlan(em: EntityManager, id: string): Promise<Plan> {
  const plan = await getPlanOrFail(em, id);
  em.remove(plan);
  try {
    await em.flush();
  } catch (err) {
    // RESTRICT foreign keys answer 23001 (restrict_violation), which the driver does not classify.
    if (err instanceof ForeignKeyConstraintViolationException || (err as { code?: string }).code === '23001') throw new AppError('PLAN_IN_USE');
    throw err;
  }
  return plan;
}

export async function getPlanOrFail(em: EntityManager, id: string): Promise<Plan> {
  const plan = z.uuid().safeParse(id).success ? await em.findOne(Plan, { id }) : null;
  if (!plan) throw new AppError('PLAN_NOT_FOUND');
  return plan;
}

/** Plans in sort order; customers see only active, non-trial plans. */
export async function listPlans(em: EntityManager, opts: { includeInactive?: boolean } = {}): Promise<Plan[]> {
  return em.find(Plan, opts.includeInactive ? {} : { active: true, isTrial: false }, { orderBy: { sortOrder: 'asc', price: 'asc' } });
}
