import type { EntityManager } from '@mikro-orm/postgresql';
import type { MiddlewareFn } from 'type-graphql';
import { recordCallIfSilent } from '../services/audit.service';
import { runInAuditScope, type AuditScope } from '../services/audit.context';
import { auditActorOf } from '../services/principal';
import type { Ctx } from './context';

/** Who and what a request's transaction is audited as. */
export type RequestAudit = Omit<AuditScope, 'recorded'>;

/**
 * The one way a request writes: `work` runs in one database transaction inside an audit scope, so
 * each row it writes is audited by the ORM subscriber in that same transaction, and a call that
 * wrote no row still leaves one `call` row. Used by every root mutation (the middleware below) and
 * by the HTTP routes that write (`POST /receipts`).
 */
export async function runInRequestTransaction<T>(em: EntityManager, audit: RequestAudit, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return runInAuditScope(audit, () =>
    em.transactional(async (tx) => {
      const result = await work(tx);
      await tx.flush();
      await recordCallIfSilent(tx);
      return result;
    }),
  );
}

/**
 * Mutations whose service writes in single statements that are atomic on their own and audit
 * what they write (registerTelegramUser: every customer's /start, see customer.service.ts). They
 * run in the audit scope without a transaction (no BEGIN and COMMIT around one statement), and a
 * call that changed nothing leaves no audit row.
 */
const SELF_CONTAINED_MUTATIONS: ReadonlySet<string> = new Set(['registerTelegramUser']);

/**
 * Runs every root mutation in {@link runInRequestTransaction}; the resolver (and every service it
 * calls) sees the transaction's EntityManager as `ctx.em`. No mutation can skip it (this is a
 * global middleware), except the few of {@link SELF_CONTAINED_MUTATIONS}.
 */
export const mutationTransaction: MiddlewareFn<Ctx> = async ({ context, info }, next) => {
  if (info.parentType.name !== 'Mutation' || info.path.prev !== undefined) return next();
  const outer = context.em;
  const audit = { actor: auditActorOf(context.principal), action: info.fieldName, correlationId: context.requestId, ip: context.ip };
  if (SELF_CONTAINED_MUTATIONS.has(info.fieldName)) return runInAuditScope(audit, () => next());
  try {
    return await runInRequestTransaction(outer, audit, (tx) => {
      context.em = tx;
      context.scope.em = tx;
      return next();
    });
  } finally {
    context.em = outer;
    context.scope.em = outer;
  }
};
