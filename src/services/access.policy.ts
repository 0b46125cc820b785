import type { EntityManager } from '@mikro-orm/postgresql';
import { Role } from '../entities/common';
import type { Customer } from '../entities/customer.entity';
import { AppError } from '../errors';
import { customerOfPrincipal, getCustomerOrFail } from './customer.service';
import type { Principal } from './principal';

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

/** Throws unless the principal may see rows of `customerId`. */
export async function assertCustomerAccess(em: EntityManager, p: Principal, customerId: string): Promise<void> {
  if (STAFF.includes(p.role)) return;
  if (p.role === Role.USER_BOT) {
    const own = await customerOfPrincipal(em, p);
    if (own.id === customerId) return;
  }
  throw new AppError('NOT_FOUND');
}
