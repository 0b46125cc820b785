import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { AuditLog } from '../entities/audit-log.entity';
import { AppError } from '../errors';
import { currentAuditScope } from './audit.context';
import { isUuid } from './ids';
import { olderThan, toPage, type Page } from './pagination';

/** Filter of the audit log query (all optional, combined with AND). */
export interface AuditLogQuery {
  action?: string | null;
  resourceType?: string | null;
  resourceId?: string | null;
  apiKeyId?: string | null;
  adminId?: string | null;
  customerId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** One page of the audit log, newest first. */
export async function listAuditLogs(
  em: EntityManager,
  filter: AuditLogQuery,
  first: number,
  after?: string | null,
): Promise<Page<AuditLog>> {
  for (const k of ['apiKeyId', 'adminId', 'customerId'] as const) {
    const id = filter[k];
    if (id && !isUuid(id)) throw new AppError('BAD_USER_INPUT', `\`filter.${k}\` must be a UUID.`, { field: `filter.${k}` });
  }
  const where: FilterQuery<AuditLog> & Record<string, unknown> = {};
  for (const k of ['action', 'resourceType', 'resourceId', 'apiKeyId', 'adminId', 'customerId'] as const) {
    if (filter[k]) where[k] = filter[k];
  }
  const at: Record<string, Date> = {};
  if (filter.from) at.$gte = filter.from;
  if (filter.to) at.$lt = filter.to;
  if (Object.keys(at).length) where.at = at;
  const conditions: FilterQuery<AuditLog>[] = [where];
  const cursor = olderThan(after, 'at');
  if (cursor) conditions.push(cursor as FilterQuery<AuditLog>);
  const rows = await em.find(AuditLog, { $and: conditions }, { orderBy: [{ at: 'desc' }, { id: 'desc' }], limit: first + 1 });
  return toPage(rows, first, (r) => r.at);
}

/**
 * Writes the one `call` row of an audited action that changed no row (so every mutation leaves a
 * trace); does nothing outside an audit scope or when the ORM subscriber already recorded rows.
 */
export async function recordCallIfSilent(em: EntityManager): Promise<void> {
  const scope = currentAuditScope();
  if (!scope || scope.recorded > 0) return;
  em.create(AuditLog, {
    actorType: scope.actor.actorType,
    apiKeyId: scope.actor.apiKeyId ?? null,
    role: scope.actor.role ?? null,
    adminId: scope.actor.adminId ?? null,
    customerId: scope.actor.customerId ?? null,
    telegramId: scope.actor.telegramId ?? null,
    action: scope.action,
    operation: 'call',
    correlationId: scope.correlationId ?? null,
    ip: scope.ip ?? null,
  });
  await em.flush();
}
