import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { AuditLog } from '../entities/audit-log.entity';
import { AppError } from '../errors';

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

/** Opaque cursor `<at ISO>|<id>` (newest first ordering). */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime())) throw new AppError('BAD_USER_INPUT', 'Invalid cursor.');
  return { at, id };
}

/** One page of the audit log, newest first. */
export async function listAuditLogs(
  em: EntityManager,
  filter: AuditLogQuery,
  first: number,
  after?: string | null,
): Promise<{ nodes: AuditLog[]; endCursor: string | null; hasNextPage: boolean }> {
  const where: FilterQuery<AuditLog> & Record<string, unknown> = {};
  for (const k of ['action', 'resourceType', 'resourceId', 'apiKeyId', 'adminId', 'customerId'] as const) {
    if (filter[k]) where[k] = filter[k];
  }
  const at: Record<string, Date> = {};
  if (filter.from) at.$gte = filter.from;
  if (filter.to) at.$lt = filter.to;
  if (Object.keys(at).length) where.at = at;
  const conditions: FilterQuery<AuditLog>[] = [where];
  if (after) {
    const c = decodeCursor(after);
    conditions.push({ $or: [{ at: { $lt: c.at } }, { at: c.at, id: { $lt: c.id } }] });
  }
  const rows = await em.find(AuditLog, { $and: conditions }, { orderBy: [{ at: 'desc' }, { id: 'desc' }], limit: first + 1 });
  const nodes = rows.slice(0, first);
  const last = nodes[nodes.length - 1];
  return { nodes, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.at, last.id) : null };
}
