import {
  type ChangeSet,
  ChangeSetType,
  type EntityMetadata,
  type EventSubscriber,
  type FlushEventArgs,
} from '@mikro-orm/core';
import { AuditLog, type AuditDiff } from '../entities/audit-log.entity';
import { currentAuditScope, SYSTEM_ACTOR, type AuditScope } from './audit.context';

/** Entities whose writes are bookkeeping, not actions: never audited row by row. */
const NOT_AUDITED = new Set(['AuditLog', 'UsageSample', 'Notification', 'WebhookDelivery', 'WorkerHeartbeat']);

/** Whether writes of an entity (by class name) leave audit rows. */
export function isAudited(className: string): boolean {
  return !NOT_AUDITED.has(className);
}

const REDACTED = '[REDACTED]';

export function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return '[binary]';
  if (value && typeof value === 'object' && 'id' in (value as Record<string, unknown>) && !Array.isArray(value)) {
    const id = (value as Record<string, unknown>).id;
    if (typeof id === 'string' || typeof id === 'number') return id;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Copies the given keys of a row, replacing hidden (secret) properties by a marker. */
export function pick(meta: EntityMetadata, source: Record<string, unknown> | undefined | null, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!source) return out;
  for (const key of keys) {
    const prop = meta.properties[key];
    if (prop?.hidden) {
      out[key] = REDACTED;
      continue;
    }
    out[key] = plain(source[key]);
  }
  return out;
}

function diffOf(cs: ChangeSet<object>): { operation: string; diff: AuditDiff } {
  const meta = cs.meta as EntityMetadata;
  const payload = (cs.payload ?? {}) as Record<string, unknown>;
  const original = cs.originalEntity as Record<string, unknown> | undefined;
  const payloadKeys = Object.keys(payload).map((k) => meta.properties[k]?.name ?? k);
  switch (cs.type) {
    case ChangeSetType.CREATE:
      return { operation: 'create', diff: { after: pick(meta, cs.entity as Record<string, unknown>, payloadKeys) } };
    case ChangeSetType.UPDATE:
      return {
        operation: 'update',
        diff: {
          before: pick(meta, original, payloadKeys),
          after: pick(meta, cs.entity as Record<string, unknown>, payloadKeys),
        },
      };
    default:
      return {
        operation: 'delete',
        diff: { before: pick(meta, original ?? (cs.entity as Record<string, unknown>), Object.keys(meta.properties)) },
      };
  }
}

/**
 * The audit_log row of one change in the current audit scope (the caller, a job, or SYSTEM when there
 * is none). Used by the subscriber below and by writes that bypass the flush (src/services/write-batch.ts).
 */
export function auditRowData(
  scope: AuditScope | undefined,
  change: { operation: string; resourceType: string; resourceId: unknown; diff: AuditDiff },
): Omit<AuditLog, 'id' | 'at'> & Partial<Pick<AuditLog, 'id' | 'at'>> {
  const actor = scope?.actor ?? SYSTEM_ACTOR;
  const pk = change.resourceId;
  return {
    actorType: actor.actorType,
    apiKeyId: actor.apiKeyId ?? null,
    role: actor.role ?? null,
    adminId: actor.adminId ?? null,
    customerId: actor.customerId ?? null,
    telegramId: actor.telegramId ?? null,
    action: scope?.action ?? 'system',
    operation: change.operation,
    resourceType: change.resourceType,
    resourceId: pk === undefined || pk === null ? null : String(pk),
    diff: change.diff,
    correlationId: scope?.correlationId ?? null,
    ip: scope?.ip ?? null,
  };
}

/**
 * The one audit mechanism: on every ORM flush, each created, updated or deleted row becomes an
 * audit_log row in the same transaction, attributed to the current audit scope (the mutation's
 * caller, a job, or SYSTEM when there is none).
 */
export class AuditSubscriber implements EventSubscriber {
  async onFlush(args: FlushEventArgs): Promise<void> {
    const scope = currentAuditScope();
    for (const cs of args.uow.getChangeSets()) {
      if (!isAudited(cs.meta.className)) continue;
      if (cs.type === ChangeSetType.DELETE_EARLY || cs.type === ChangeSetType.UPDATE_EARLY) continue;
      const { operation, diff } = diffOf(cs);
      const pk = (cs.entity as Record<string, unknown>)[cs.meta.primaryKeys[0]];
      const row = args.em.create(AuditLog, auditRowData(scope, { operation, resourceType: cs.meta.tableName, resourceId: pk, diff }));
      args.uow.computeChangeSet(row);
      if (scope) scope.recorded += 1;
    }
  }
}
