import type { EntityManager } from '@mikro-orm/postgresql';
import { Role } from '../entities/common';
import type { Customer } from '../entities/customer.entity';
import { AppError, isAppError } from '../errors';
import { customerOfPrincipal, getCustomerOrFail } from './customer.service';
import { isUuid } from './ids';
import type { Principal } from './principal';
import { ownCustomer, ownSubscription, resellerOfPrincipal } from './reseller.policy';
import { preparedRows } from './prepared.read';

/** Roles that may act on any customer. */
const STAFF = [Role.ADMIN, Role.SUPPORT];

/**
 * The customer an operation is about: a USER_BOT acts only for the Telegram user it names (a
 * `customerId` naming someone else reads as not found); staff name the customer.
 */
export async function customerInScope(em: EntityManager, p: Principal, customerId?: string | null): Promise<Customer> {
  if (p.role === Role.USER_BOT) {
    const own = await customerOfPrincipal(em, p);
    if (customerId && customerId !== own.id) throw new AppError('CUSTOMER_NOT_FOUND');
    return own;
  }
  if (STAFF.includes(p.role)) {
    if (!customerId) throw new AppError('BAD_USER_INPUT', 'customerId is required.');
    return getCustomerOrFail(em, customerId);
  }
  throw new AppError('FORBIDDEN');
}

/**
 * {@link customerInScope} for reads that need only the id: a bot's own customer comes from its
 * principal (resolved once per request at authentication), staff's by one existence check.
 */
export async function customerIdInScope(em: EntityManager, p: Principal, customerId?: string | null): Promise<string> {
  if (p.role === Role.USER_BOT) {
    if (!p.telegramId) throw new AppError('BAD_USER_INPUT', 'Send X-Telegram-User-Id to act for a Telegram user.');
    if (!p.customerId) throw new AppError('CUSTOMER_NOT_FOUND', 'Register the Telegram user first (registerTelegramUser).');
    if (customerId && customerId !== p.customerId) throw new AppError('CUSTOMER_NOT_FOUND');
    return p.customerId;
  }
  if (STAFF.includes(p.role)) {
    if (!customerId) throw new AppError('BAD_USER_INPUT', 'customerId is required.');
    const found = isUuid(customerId) ? await preparedRows(em, 'select 1 from customer where id = $1', [customerId]) : [];
    if (found.length === 0) throw new AppError('CUSTOMER_NOT_FOUND');
    return customerId;
  }
  throw new AppError('FORBIDDEN');
}

/** Throws unless the principal may see rows of `customerId`. */
export async function assertCustomerAccess(em: EntityManager, p: Principal, customerId: string): Promise<void> {
  if (STAFF.includes(p.role)) return;
  if (p.role === Role.USER_BOT) {
    const own = await customerOfPrincipal(em, p);
    if (own.id === customerId) return;
  }
  throw new AppError('NOT_FOUND');
}

/**
 * Whether the principal may see rows of `customerId` ({@link assertCustomerAccess} as a yes/no):
 * a caller who cannot even be resolved to a customer (e.g. a bot without a registered user) may not.
 */
export async function canAccessCustomer(em: EntityManager, p: Principal, customerId: string): Promise<boolean> {
  try {
    await assertCustomerAccess(em, p, customerId);
    return true;
  } catch (err) {
    if (isAppError(err)) return false;
    throw err;
  }
}

/**
 * The customer a new order is for: a user bot's own; for a reseller, its own customer named by
 * `customerId` (required) and, for a renewal, a subscription of that customer; anything else of
 * another reseller's reads as not found.
 */
export async function customerForOrder(em: EntityManager, p: Principal, input: { customerId?: string | null; subscriptionId?: string | null }): Promise<Customer> {
  if (p.role !== Role.RESELLER) return customerInScope(em, p);
  const reseller = await resellerOfPrincipal(em, p);
  if (!input.customerId) throw new AppError('BAD_USER_INPUT', 'customerId is required for reseller orders.');
  const customer = await ownCustomer(em, reseller, input.customerId);
  if (input.subscriptionId) {
    const sub = await ownSubscription(em, reseller, input.subscriptionId);
    if (sub.customer.id !== customer.id) throw new AppError('NOT_FOUND', 'Subscription not found.');
  }
  return customer;
}
