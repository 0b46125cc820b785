import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import path from 'node:path';
import { ALL_ENTITIES } from '../entities/entities';

/**
 * MikroORM 6 configuration (legacy decorators + reflect-metadata, see design/STACK.md §8).
 * Migrations live in /migrations (TS) and dist/migrations (compiled); no snapshot file, and the
 * graphile_worker schema is never diffed. Event subscribers (the audit log) are not wired here:
 * the composition root passes them (src/main/orm.ts), so this core file depends on no service.
 */
export function ormConfig(clientUrl: string, overrides: Partial<Options> = {}): Options {
  const root = path.resolve(__dirname, '..', '..');
  const compiled = __filename.endsWith('.js');
  return defineConfig({
    clientUrl,
    entities: ALL_ENTITIES,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: true },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
    pool: { min: 0, max: 10 },
    preferTs: !compiled,
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: compiled ? path.join(root, 'migrations') : path.join(root, 'dist', 'migrations'),
      pathTs: path.join(root, 'migrations'),
      glob: compiled ? '!(*.d).js' : '!(*.d).{js,ts}',
      transactional: true,
      silent: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
      fileName: (timestamp, name) => `Migration${timestamp}${name ? `_${name}` : ''}`,
    },
    schemaGenerator: { ignoreSchema: ['graphile_worker'] },
    ...overrides,
  });
}
