import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is acting, as recorded in the audit log. */
export interface AuditActor {
  actorType: 'API_KEY' | 'ADMIN' | 'CUSTOMER' | 'SYSTEM';
  apiKeyId?: string | null;
  role?: string | null;
  adminId?: string | null;
  customerId?: string | null;
  telegramId?: number | null;
}

/** The scope of one audited action (a GraphQL mutation, a job run, a CLI command). */
export interface AuditScope {
  actor: AuditActor;
  /** Mutation name, `job:<task>` or `cli:<command>`. */
  action: string;
  correlationId?: string | null;
  ip?: string | null;
  /** How many audit rows this scope has written so far. */
  recorded: number;
}

export const SYSTEM_ACTOR: AuditActor = { actorType: 'SYSTEM' };

const storage = new AsyncLocalStorage<AuditScope>();

/** Runs `fn` with an audit scope; every ORM flush inside it is recorded against that scope. */
export function runInAuditScope<T>(scope: Omit<AuditScope, 'recorded'>, fn: () => Promise<T>): Promise<T> {
  return storage.run({ ...scope, recorded: 0 }, fn);
}

/** The current audit scope, if any. */
export function currentAuditScope(): AuditScope | undefined {
  return storage.getStore();
}
