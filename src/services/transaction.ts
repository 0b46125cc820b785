import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * A service that must run inside a transaction was called outside one: a programming error (its
 * lock would be released at once, its writes would not be atomic), never a user error.
 */
export class TransactionRequiredError extends Error {
  constructor(what: string) {
    super(`${what} must run inside a transaction (em.transactional, or the mutation transaction of a request).`);
    this.name = 'TransactionRequiredError';
  }
}

/** Refuses to go on outside a transaction; `what` names the caller in the error. */
export function assertInTransaction(em: EntityManager, what: string): void {
  if (!em.isInTransaction()) throw new TransactionRequiredError(what);
}

/**
 * Takes the transaction-scoped advisory lock named `key` (held until commit or rollback), after
 * asserting that there is a transaction to hold it: outside one, Postgres would release it at the
 * end of the statement and serialise nothing.
 */
export async function lockForTransaction(em: EntityManager, key: string): Promise<void> {
  assertInTransaction(em, `The lock "${key.split(':')[0]}"`);
  await em.execute(`select pg_advisory_xact_lock(hashtext(?))`, [key]);
}
