import { Role } from '../entities/common';
import type { AuditActor } from './audit.context';
import type { TelegramCustomerRow } from './customer-row';

/**
 * Who is calling: an API key, possibly acting for a Telegram user (the bots).
 * `role` is the effective role: for an ADMIN_BOT key acting as an admin it is that admin's role.
 */
export interface Principal {
  apiKeyId: string;
  keyName: string;
  /** The role of the key itself. */
  keyRole: Role;
  /** The role that authorizes operations. */
  role: Role;
  scopes: string[];
  resellerId: string | null;
  /** The Telegram user the bot acts for (X-Telegram-User-Id). */
  telegramId: number | null;
  /** Set when an ADMIN_BOT key acts as an active admin. */
  adminId: string | null;
  /** Set when a USER_BOT key acts as a registered customer. */
  customerId: string | null;
  /**
   * That customer's row as authentication read it (possibly from the API process's cache, which
   * drops it when the row changes): lets registration see an unchanged user without a statement.
   */
  telegramCustomer?: TelegramCustomerRow | null;
}

/** The audit actor for a principal. */
export function auditActorOf(p: Principal | null): AuditActor {
  if (!p) return { actorType: 'SYSTEM' };
  return {
    actorType: p.adminId ? 'ADMIN' : p.customerId ? 'CUSTOMER' : 'API_KEY',
    apiKeyId: p.apiKeyId,
    role: p.role,
    adminId: p.adminId,
    customerId: p.customerId,
    telegramId: p.telegramId,
  };
}

/** A short description for ledger `actor` and `createdBy` columns. */
export function describePrincipal(p: Principal | null): string {
  if (!p) return 'system';
  if (p.adminId) return `admin:${p.adminId}`;
  if (p.customerId) return `customer:${p.customerId}`;
  return `key:${p.apiKeyId}`;
}

/** The scope of idempotency keys: the key, plus the Telegram user a bot acts for. */
export function idempotencyPrincipal(p: Principal): string {
  return p.telegramId ? `key:${p.apiKeyId}:tg:${p.telegramId}` : `key:${p.apiKeyId}`;
}

export { Role };
