import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Customer, CustomerStatus, Language } from '../entities/customer.entity';
import { Order } from '../entities/order.entity';
import { AppError } from '../errors';
import type { Principal } from './principal';
import { lockForTransaction } from './transaction';

export const registerInput = z.object({
  username: z.string().trim().max(64).nullish(),
  displayName: z.string().trim().max(128).nullish(),
  language: z.enum(Language).nullish(),
  /** The /start payload: another customer's referral code. */
  referralCode: z.string().trim().max(64).nullish(),
});
export type RegisterInput = z.input<typeof registerInput>;

/** The customer a USER_BOT principal acts for; CUSTOMER_NOT_FOUND when not registered yet. */
export async function customerOfPrincipal(em: EntityManager, p: Principal): Promise<Customer> {
  if (!p.telegramId) throw new AppError('BAD_USER_INPUT', 'Send X-Telegram-User-Id to act for a Telegram user.');
  const customer = await em.findOne(Customer, { telegramId: p.telegramId });
  if (!customer) throw new AppError('CUSTOMER_NOT_FOUND', 'Register the Telegram user first (registerTelegramUser).');
  return customer;
}

/** Refuses banned customers. */
export function assertCanBuy(customer: Customer): void {
  if (customer.status === CustomerStatus.BANNED) throw new AppError('CUSTOMER_BANNED');
}

/**
 * Idempotent upsert of the Telegram user a USER_BOT acts for. The referral code counts only on
 * first registration and never from oneself. A user who comes back after blocking the bot is
 * marked reachable again.
 */
export async function registerTelegramUser(em: EntityManager, p: Principal, input: RegisterInput): Promise<Customer> {
  if (!p.telegramId) throw new AppError('BAD_USER_INPUT', 'Send X-Telegram-User-Id to act for a Telegram user.');
  const data = registerInput.parse(input);
  // Serialises concurrent /start of the same user so the upsert never races.
  await lockForTransaction(em, `customer:tg:${p.telegramId}`);
  let customer = await em.findOne(Customer, { telegramId: p.telegramId });
  if (!customer) {
    const referrer = data.referralCode ? await em.findOne(Customer, { referralCode: data.referralCode }) : null;
    customer = em.create(Customer, {
      telegramId: p.telegramId,
      username: data.username ?? null,
      displayName: data.displayName ?? null,
      language: data.language ?? Language.FA,
      referredBy: referrer ?? null,
    });
  } else {
    if (data.username !== undefined) customer.username = data.username;
    if (data.displayName !== undefined) customer.displayName = data.displayName;
    if (data.language) customer.language = data.language;
    customer.botBlockedAt = null;
  }
  await em.flush();
  return customer;
}

export async function setCustomerLanguage(em: EntityManager, customer: Customer, language: Language): Promise<Customer> {
  customer.language = language;
  await em.flush();
  return customer;
}

export async function getCustomerOrFail(em: EntityManager, id: string): Promise<Customer> {
  const c = z.uuid().safeParse(id).success ? await em.findOne(Customer, { id }) : null;
  if (!c) throw new AppError('CUSTOMER_NOT_FOUND');
  return c;
}

/** Admin search by Telegram id, @username (prefix, case-insensitive) or order number. */
export async function searchCustomers(em: EntityManager, query: string, limit = 20): Promise<Customer[]> {
  const q = query.trim().replace(/^@/, '');
  if (!q) return [];
  const found = new Map<string, Customer>();
  if (/^\d+$/.test(q)) {
    const n = Number(q);
    for (const c of await em.find(Customer, { telegramId: n })) found.set(c.id, c);
    const order = await em.findOne(Order, { number: n }, { populate: ['customer'] });
    if (order) found.set(order.customer.id, order.customer);
  }
  const escaped = q.replace(/[\\%_]/g, (m) => `\\${m}`);
  for (const c of await em.find(Customer, { username: { $ilike: `${escaped}%` } }, { limit, orderBy: { createdAt: 'desc' } })) found.set(c.id, c);
  return [...found.values()].slice(0, limit);
}

export async function setCustomerBanned(em: EntityManager, id: string, banned: boolean): Promise<Customer> {
  const c = await getCustomerOrFail(em, id);
  c.status = banned ? CustomerStatus.BANNED : CustomerStatus.ACTIVE;
  await em.flush();
  return c;
}
