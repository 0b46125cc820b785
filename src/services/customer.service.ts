import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Customer, CustomerStatus, Language } from '../entities/customer.entity';
import { Order } from '../entities/order.entity';
import { AppError } from '../errors';
import type { Principal } from './principal';
import { readTelegramCustomer, type TelegramCustomerRow } from './customer-row';
import { insertTelegramCustomer, registrationChanges, updateTelegramCustomer } from './customer-registration';

export const registerInput = z.object({
  username: z.string().trim().max(64).nullish(),
  displayName: z.string().trim().max(128).nullish(),
  language: z.enum(Language).nullish(),
  /** The /start payload: another customer's referral code. */
  referralCode: z.string().trim().max(64).nullish(),
});
export type RegisterInput = z.input<typeof registerInput>;
export type RegisterData = z.output<typeof registerInput>;

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
 * marked reachable again. A banned user stays banned.
 *
 * The /start of every customer, so without a lock or a transaction of its own (the mutation runs
 * outside one, see transaction.middleware), each write one atomic statement with its audit row:
 * - a known user whose row (as authentication read it) already says what the input says: no
 *   statement and no write (nothing changed, so nothing is audited);
 * - a new user: one INSERT ... ON CONFLICT (telegram_id) DO NOTHING;
 * - a known user with a change, or the loser of two concurrent first /starts: one UPDATE of the
 *   row locked in the same statement (the audit diff is taken from that latest version).
 */
export async function registerTelegramUser(em: EntityManager, p: Principal, input: RegisterInput): Promise<TelegramCustomerRow> {
  if (!p.telegramId) throw new AppError('BAD_USER_INPUT', 'Send X-Telegram-User-Id to act for a Telegram user.');
  const data = registerInput.parse(input);
  const tg = p.telegramId;
  const known = p.telegramCustomer !== undefined ? p.telegramCustomer : await readTelegramCustomer(em, tg);
  if (known && !registrationChanges(known, data)) return known;
  if (!known) {
    const created = await insertTelegramCustomer(em, tg, data);
    if (created) return created;
  }
  const updated = await updateTelegramCustomer(em, tg, data);
  if (updated) return updated;
  // The row was deleted between the two statements: register anew.
  const created = await insertTelegramCustomer(em, tg, data);
  if (!created) throw new AppError('INTERNAL_SERVER_ERROR', 'The Telegram user could not be registered; try again.');
  return created;
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
