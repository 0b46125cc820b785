import { type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Admin } from '../entities/admin.entity';
import { AdminRole } from '../entities/common';
import { AppError } from '../errors';
import { isUuid } from './ids';
import { flushUnique } from './unique-violation';

export const addAdminInput = z.object({
  /** The admin's Telegram user id. */
  telegramId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  role: z.enum(AdminRole),
  displayName: z.string().trim().max(100).nullish(),
});
export type AddAdminInput = z.input<typeof addAdminInput>;

/** Registers a person as an admin of the shop. */
export async function addAdmin(em: EntityManager, input: AddAdminInput): Promise<Admin> {
  const data = addAdminInput.parse(input);
  const admin = em.create(Admin, { telegramId: data.telegramId, role: data.role, displayName: data.displayName ?? null });
  await flushUnique(em, 'ADMIN_ALREADY_EXISTS');
  return admin;
}

/** Changes an admin's role or active flag. */
export async function updateAdmin(
  em: EntityManager,
  id: string,
  patch: { role?: AdminRole | null; active?: boolean | null; displayName?: string | null },
): Promise<Admin> {
  const admin = isUuid(id) ? await em.findOne(Admin, { id }) : null;
  if (!admin) throw new AppError('ADMIN_NOT_FOUND');
  if (patch.role) admin.role = patch.role;
  if (patch.active !== undefined && patch.active !== null) admin.active = patch.active;
  if (patch.displayName !== undefined) admin.displayName = patch.displayName;
  await em.flush();
  return admin;
}

/** All admins, active first. */
export async function listAdmins(em: EntityManager): Promise<Admin[]> {
  return em.find(Admin, {}, { orderBy: { active: 'desc', createdAt: 'asc' } });
}

/** Telegram ids of active admins (alert recipients), optionally of one role. */
export async function activeAdminTelegramIds(em: EntityManager, role?: AdminRole): Promise<number[]> {
  const admins = await em.find(Admin, role ? { active: true, role } : { active: true }, { fields: ['telegramId'] });
  return admins.map((a) => a.telegramId);
}
