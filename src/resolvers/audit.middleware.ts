import type { MiddlewareFn } from 'type-graphql';
import { AuditLog } from '../entities/audit-log.entity';
import { currentAuditScope, runInAuditScope } from '../services/audit.context';
import { auditActorOf } from '../services/principal';
import type { Ctx } from './context';

/**
 * Runs every root mutation in one database transaction inside an audit scope: each row it writes
 * is audited by the ORM subscriber in that same transaction, and a mutation that wrote no row
 * still leaves one `call` row. No mutation can skip it: this is a global middleware.
 */
export const auditMutations: MiddlewareFn<Ctx> = async ({ context, info }, next) => {
  if (info.parentType.name !== 'Mutation' || info.path.prev !== undefined) return next();
  const outer = context.em;
  try {
    return await runInAuditScope(
      {
        actor: auditActorOf(context.principal),
        action: info.fieldName,
        correlationId: context.requestId,
        ip: context.ip,
      },
      () =>
        outer.transactional(async (em) => {
          context.em = em;
          context.scope.em = em;
          const result = await next();
          await em.flush();
          const scope = currentAuditScope()!;
          if (scope.recorded === 0) {
            em.create(AuditLog, {
              actorType: scope.actor.actorType,
              apiKeyId: scope.actor.apiKeyId ?? null,
              role: scope.actor.role ?? null,
              adminId: scope.actor.adminId ?? null,
              customerId: scope.actor.customerId ?? null,
              telegramId: scope.actor.telegramId ?? null,
              action: info.fieldName,
              operation: 'call',
              correlationId: scope.correlationId ?? null,
              ip: scope.ip ?? null,
            });
            await em.flush();
          }
          return result;
        }),
    );
  } finally {
    context.em = outer;
    context.scope.em = outer;
  }
};
