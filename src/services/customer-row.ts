import type { EntityManager } from '@mikro-orm/postgresql';
import type { CustomerStatus, Language } from '../entities/customer.entity';
import { preparedRows } from './prepared.read';

/**
 * A Telegram customer as a plain row (no entity): what authentication keeps per Telegram id (the
 * API process caches it, see AuthCaches) and what registration answers with.
 */
export interface TelegramCustomerRow {
  id: string;
  telegramId: number;
  username: string | null;
  displayName: string | null;
  language: Language;
  status: CustomerStatus;
  trialUsedAt: Date | null;
  referralCode: string;
  externalRef: string | null;
  botBlockedAt: Date | null;
  createdAt: Date;
}

/** The columns of {@link TelegramCustomerRow} for a `select` or `returning` list. */
export const TELEGRAM_CUSTOMER_COLUMNS =
  'id, telegram_id, username, display_name, language, status, trial_used_at, referral_code, external_ref, bot_blocked_at, created_at';

/** A row of {@link TELEGRAM_CUSTOMER_COLUMNS} as the database driver returns it. */
export interface TelegramCustomerDbRow {
  id: string;
  telegram_id: string | number;
  username: string | null;
  display_name: string | null;
  language: Language;
  status: CustomerStatus;
  trial_used_at: Date | string | null;
  referral_code: string;
  external_ref: string | null;
  bot_blocked_at: Date | string | null;
  created_at: Date | string;
}

// MikroORM's connection hands timestamps and bigints over as text.
const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

/** A row of {@link TELEGRAM_CUSTOMER_COLUMNS} as a {@link TelegramCustomerRow}. */
export function toTelegramCustomer(r: TelegramCustomerDbRow): TelegramCustomerRow {
  return {
    id: r.id,
    telegramId: Number(r.telegram_id),
    username: r.username,
    displayName: r.display_name,
    language: r.language,
    status: r.status,
    trialUsedAt: date(r.trial_used_at),
    referralCode: r.referral_code,
    externalRef: r.external_ref,
    botBlockedAt: date(r.bot_blocked_at),
    createdAt: date(r.created_at)!,
  };
}

/** `?` placeholders as PostgreSQL's `$1..$n` (the statements here have no other `?`). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * Runs a statement (with `?` placeholders) as a named prepared statement: every shop customer's
 * /start sends these, and PostgreSQL shares the cores with the API and the bot.
 */
export async function preparedCustomerRows<R = TelegramCustomerDbRow>(em: EntityManager, sql: string, bindings: unknown[]): Promise<R[]> {
  return preparedRows<R>(em, numbered(sql), bindings);
}

/** Runs a statement that yields rows of {@link TELEGRAM_CUSTOMER_COLUMNS}. */
export async function queryTelegramCustomers(em: EntityManager, sql: string, bindings: unknown[]): Promise<TelegramCustomerRow[]> {
  return (await preparedCustomerRows(em, sql, bindings)).map(toTelegramCustomer);
}

const READ_BY_TELEGRAM_ID = `select ${TELEGRAM_CUSTOMER_COLUMNS} from customer where telegram_id = ?`;

/** The customer of a Telegram id, or null (one statement). */
export async function readTelegramCustomer(em: EntityManager, telegramId: number): Promise<TelegramCustomerRow | null> {
  const rows = await queryTelegramCustomers(em, READ_BY_TELEGRAM_ID, [telegramId]);
  return rows[0] ?? null;
}
