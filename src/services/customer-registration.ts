import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Language } from '../entities/customer.entity';
import { currentAuditScope } from './audit.context';
import { auditRowData } from './audit.subscriber';
import { preparedCustomerRows, queryTelegramCustomers, TELEGRAM_CUSTOMER_COLUMNS, toTelegramCustomer, type TelegramCustomerDbRow, type TelegramCustomerRow } from './customer-row';
import type { RegisterData } from './customer.service';

/**
 * The statements of registerTelegramUser (customer.service.ts): each writes the customer row and
 * its audit row (the row the ORM's audit subscriber would write, in the current audit scope) in
 * one statement, atomic without a transaction.
 */

/** Whether registering `data` would change the row (a user who had blocked the bot is reachable again). */
export function registrationChanges(row: TelegramCustomerRow, data: RegisterData): boolean {
  return (
    (data.username !== undefined && data.username !== row.username) ||
    (data.displayName !== undefined && data.displayName !== row.displayName) ||
    (!!data.language && data.language !== row.language) ||
    row.botBlockedAt !== null
  );
}

const AUDIT_COLUMNS = 'id, actor_type, api_key_id, role, admin_id, customer_id, telegram_id, action, operation, resource_type, correlation_id, ip';

/** Bindings for `?, ?, … ` of {@link AUDIT_COLUMNS}, for an audit row of `operation` on a customer. */
function auditValues(operation: 'create' | 'update'): unknown[] {
  const a = auditRowData(currentAuditScope(), { operation, resourceType: 'customer', resourceId: null, diff: {} });
  return [randomUUID(), a.actorType, a.apiKeyId, a.role, a.adminId, a.customerId, a.telegramId, a.action, a.operation, a.resourceType, a.correlationId, a.ip];
}

const AUDIT_PLACEHOLDERS = AUDIT_COLUMNS.split(', ').map(() => '?').join(', ');

function recorded(): void {
  const scope = currentAuditScope();
  if (scope) scope.recorded += 1;
}

/** Inserts a new Telegram customer; null when the Telegram id is already registered. */
export async function insertTelegramCustomer(em: EntityManager, telegramId: number, data: RegisterData): Promise<TelegramCustomerRow | null> {
  const sql = `with c as (
      insert into customer (id, telegram_id, username, display_name, language, referral_code, referred_by_id)
      values (?, ?, ?, ?, ?, ?, (select r.id from customer r where r.referral_code = ? and r.telegram_id is distinct from ?))
      on conflict (telegram_id) do nothing
      returning ${TELEGRAM_CUSTOMER_COLUMNS}, referred_by_id, updated_at
    ), a as (
      insert into audit_log (${AUDIT_COLUMNS}, resource_id, diff)
      select ${AUDIT_PLACEHOLDERS}, c.id::text, jsonb_build_object('after', jsonb_build_object(
        'id', c.id, 'telegramId', c.telegram_id, 'username', c.username, 'displayName', c.display_name,
        'language', c.language, 'status', c.status, 'referralCode', c.referral_code,
        'referredBy', c.referred_by_id, 'createdAt', c.created_at, 'updatedAt', c.updated_at))
      from c
    )
    select ${TELEGRAM_CUSTOMER_COLUMNS} from c`;
  const referralCode = randomUUID().replace(/-/g, '').slice(0, 10);
  const rows = await queryTelegramCustomers(em, sql, [
    randomUUID(),
    telegramId,
    data.username ?? null,
    data.displayName ?? null,
    data.language ?? Language.FA,
    referralCode,
    data.referralCode ?? null,
    telegramId,
    ...auditValues('create'),
  ]);
  if (rows[0]) recorded();
  return rows[0] ?? null;
}

/**
 * Applies a registration to an existing Telegram customer (only what changes; blocked → reachable),
 * with the row locked in the same statement. Returns the row (unchanged when there was nothing to
 * change), or null when there is no customer with that Telegram id.
 */
export async function updateTelegramCustomer(em: EntityManager, telegramId: number, data: RegisterData): Promise<TelegramCustomerRow | null> {
  const set: string[] = [];
  const setBindings: unknown[] = [];
  const assign = (column: string, value: unknown) => {
    set.push(`${column} = ?`);
    setBindings.push(value);
  };
  if (data.username !== undefined) assign('username', data.username);
  if (data.displayName !== undefined) assign('display_name', data.displayName);
  if (data.language) assign('language', data.language);
  set.push('bot_blocked_at = null');
  const diffOf = (t: string) =>
    `jsonb_build_object('username', ${t}.username, 'displayName', ${t}.display_name, 'language', ${t}.language, 'botBlockedAt', ${t}.bot_blocked_at, 'updatedAt', ${t}.updated_at)`;
  const sql = `with old as (
      select id, username, display_name, language, bot_blocked_at, updated_at from customer where telegram_id = ? for update
    ), u as (
      update customer c set ${set.join(', ')}, updated_at = now()
      from old where c.id = old.id
        and (old.username, old.display_name, old.language, old.bot_blocked_at) is distinct from (${[
          data.username !== undefined ? '?' : 'old.username',
          data.displayName !== undefined ? '?' : 'old.display_name',
          data.language ? '?' : 'old.language',
        ].join(', ')}, null)
      returning c.id, ${TELEGRAM_CUSTOMER_COLUMNS.split(', ')
        .slice(1)
        .map((col) => `c.${col}`)
        .join(', ')}, c.updated_at
    ), a as (
      insert into audit_log (${AUDIT_COLUMNS}, resource_id, diff)
      select ${AUDIT_PLACEHOLDERS}, u.id::text,
        (select jsonb_build_object('before', jsonb_object_agg(b.key, b.value), 'after', jsonb_object_agg(b.key, x.after -> b.key))
         from jsonb_each(x.before) b where b.value is distinct from x.after -> b.key)
      from u join old on old.id = u.id
      cross join lateral (select ${diffOf('old')} as before, ${diffOf('u')} as after) x
    )
    select ${TELEGRAM_CUSTOMER_COLUMNS}, true as changed from u
    union all
    select ${TELEGRAM_CUSTOMER_COLUMNS}, false from customer where telegram_id = ? and not exists (select 1 from u)`;
  const compared = [data.username, data.displayName, data.language].filter((v, i) => (i < 2 ? v !== undefined : !!v));
  const rows = await preparedCustomerRows<TelegramCustomerDbRow & { changed: boolean }>(em, sql, [telegramId, ...setBindings, ...compared, ...auditValues('update'), telegramId]);
  const row = rows[0];
  if (!row) return null;
  if (row.changed) recorded();
  return toTelegramCustomer(row);
}
