import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { AppServices } from '../services/app-services';
import type { Principal } from '../services/principal';
import type { Loaders } from './loaders';
import type { ReadCaches } from './read-caches';

/** Per-request GraphQL context. `em` is a fork per request (a transaction's fork inside a mutation). */
export interface Ctx {
  em: EntityManager;
  principal: Principal | null;
  /** Set when a key was presented but refused; auth errors then say UNAUTHENTICATED. */
  authFailure: string | null;
  requestId: string;
  ip: string | null;
  logger: Logger;
  config: Config;
  services: AppServices;
  loaders: Loaders;
  /** Process-wide caches of rarely changing answers (plans), dropped on change. */
  caches: ReadCaches;
  /**
   * Shared by Apollo's per-operation shallow copies of the context: `scope.em` is the EntityManager
   * of the running operation (a mutation's transaction), read by the loaders.
   */
  scope: { em: EntityManager };
}
