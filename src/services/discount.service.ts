import { type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { DiscountCode } from '../entities/discount-code.entity';
import { Plan } from '../entities/plan.entity';
import { AppError } from '../errors';
import { isUuid } from './ids';
import { flushUnique } from './unique-violation';

export const createDiscountInput = z
  .object({
    code: z.string().trim().regex(/^[A-Za-z0-9_-]{3,32}$/, '3–32 letters, digits, - or _').transform((c) => c.toUpperCase()),
    percent: z.number().int().min(1).max(100).nullish(),
    amount: z.number().int().min(1).nullish(),
    maxUses: z.number().int().min(1).nullish(),
    validFrom: z.date().nullish(),
    validUntil: z.date().nullish(),
    planIds: z.array(z.uuid()).default([]),
  })
  .refine((v) => !!v.percent !== !!v.amount, { message: 'give either percent or amount', path: ['percent'] })
  .refine((v) => !v.validFrom || !v.validUntil || v.validUntil > v.validFrom, { message: 'validUntil must be after validFrom', path: ['validUntil'] });
export type CreateDiscountInput = z.input<typeof createDiscountInput>;

export async function createDiscountCode(em: EntityManager, input: CreateDiscountInput): Promise<DiscountCode> {
  const d = createDiscountInput.parse(input);
  d.planIds = [...new Set(d.planIds.map((id) => id.toLowerCase()))];
  if (d.planIds.length > 0) {
    const found = new Set((await em.find(Plan, { id: { $in: d.planIds } }, { fields: ['id'] })).map((p) => p.id));
    const unknown = d.planIds.filter((id) => !found.has(id));
    if (unknown.length > 0) throw new AppError('PLAN_NOT_FOUND', `Unknown plan id(s): ${unknown.join(', ')}.`, { field: 'planIds', planIds: unknown });
  }
  const row = em.create(DiscountCode, { ...d, percent: d.percent ?? null, amount: d.amount ?? null, maxUses: d.maxUses ?? null });
  await flushUnique(em, 'DISCOUNT_CODE_TAKEN');
  return row;
}

export async function setDiscountCodeActive(em: EntityManager, id: string, active: boolean): Promise<DiscountCode> {
  const row = isUuid(id) ? await em.findOne(DiscountCode, { id }) : null;
  if (!row) throw new AppError('NOT_FOUND', 'Discount code not found.');
  row.active = active;
  await em.flush();
  return row;
}

export async function listDiscountCodes(em: EntityManager): Promise<DiscountCode[]> {
  return em.find(DiscountCode, {}, { orderBy: { createdAt: 'desc' } });
}

/** Finds a usable code for a plan, or throws DISCOUNT_CODE_INVALID / DISCOUNT_CODE_EXHAUSTED. */
export async function findUsableCode(em: EntityManager, code: string, planId: string, now = new Date()): Promise<DiscountCode> {
  const row = await em.findOne(DiscountCode, { code: code.trim().toUpperCase() });
  if (
    !row ||
    !row.active ||
    (row.validFrom && row.validFrom > now) ||
    (row.validUntil && row.validUntil <= now) ||
    (row.planIds.length > 0 && !row.planIds.includes(planId))
  ) {
    throw new AppError('DISCOUNT_CODE_INVALID');
  }
  if (row.maxUses !== null && row.maxUses !== undefined && row.used >= row.maxUses) throw new AppError('DISCOUNT_CODE_EXHAUSTED');
  return row;
}

/**
 * Counts one use, exactly once even under concurrency: a guarded UPDATE that only succeeds while
 * uses remain (the row lock serialises concurrent redemptions; the check constraint backs it).
 */
export async function redeemCode(em: EntityManager, id: string): Promise<void> {
  const res = await em.execute(
    `update discount_code set used = used + 1 where id = ? and (max_uses is null or used < max_uses) returning id`,
    [id],
  );
  if (res.length === 0) throw new AppError('DISCOUNT_CODE_EXHAUSTED');
}

/** Gives a use back (the order it was counted for was cancelled or expired unpaid). */
export async function releaseCode(em: EntityManager, id: string): Promise<void> {
  await em.execute(`update discount_code set used = used - 1 where id = ? and used > 0`, [id]);
}
