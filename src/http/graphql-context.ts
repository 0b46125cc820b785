import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Ctx } from '../resolvers/context';
import { createLoaders, type Loaders } from '../resolvers/loaders';
import type { ReadCaches } from '../resolvers/read-caches';
import type { AppServices } from '../services/app-services';
import type { Principal } from '../services/principal';

/** What every request's context shares (built once per API process). */
export interface ContextDeps {
  orm: MikroORM;
  logger: Logger;
  config: Config;
  services: AppServices;
  caches: ReadCaches;
}

/**
 * The per-request GraphQL context ({@link Ctx}) that builds its costly parts on first use: the
 * EntityManager fork, the request's child logger and the DataLoaders. A query answered from the
 * caches (e.g. `plans`) or from one prepared read never builds them.
 *
 * `em` and `scope.em` are read and written by the mutation transaction middleware exactly as on a
 * plain object; `scope` stays one object shared by the copy Apollo makes for each operation.
 */
export class GraphqlContext implements Ctx {
  private forked: EntityManager | null = null;
  private childLogger: Logger | null = null;
  private batchLoaders: Loaders | null = null;
  readonly scope: { em: EntityManager };
  readonly config: Config;
  readonly services: AppServices;
  readonly caches: ReadCaches;
  /**
   * `operation`: the metrics label of an answer that depends only on the plans cache, set after
   * execution (see plans-answers.ts); null when the answer must not be kept. An object, so what
   * Apollo's per-operation copy of the context sets is seen by the request that made it.
   */
  readonly answer: { operation: string | null } = { operation: null };

  constructor(
    private readonly deps: ContextDeps,
    readonly principal: Principal | null,
    readonly authFailure: string | null,
    readonly requestId: string,
    readonly ip: string | null,
  ) {
    this.config = deps.config;
    this.services = deps.services;
    this.caches = deps.caches;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the shared scope reads the context that created it
    const self = this;
    this.scope = {
      get em() {
        return self.em;
      },
      set em(em: EntityManager) {
        self.em = em;
      },
    };
  }

  get em(): EntityManager {
    return (this.forked ??= this.deps.orm.em.fork());
  }

  set em(em: EntityManager) {
    this.forked = em;
  }

  get logger(): Logger {
    return (this.childLogger ??= this.deps.logger.child({ requestId: this.requestId }));
  }

  get loaders(): Loaders {
    return (this.batchLoaders ??= createLoaders(() => this.scope.em));
  }
}
