import 'reflect-metadata';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, type Config } from '../config';
import { migrate, openDatabase, type DatabaseHandle } from '../db/database';
import { openOrm } from './orm';
import { createLogger, type Logger } from '../logger';

/** What every process starts with. */
export interface Runtime {
  config: Config;
  logger: Logger;
  db: DatabaseHandle;
  orm: MikroORM;
}

/** Parses config, opens the database (embedded when DATABASE_URL is unset) and applies migrations. */
export async function bootstrap(name: string, dbMode: 'own' | 'shared'): Promise<Runtime> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name });
  const db = await openDatabase(config, logger, dbMode);
  let orm: MikroORM;
  try {
    orm = await openOrm(db.url, config.DATABASE_POOL_MAX, logger);
    await migrate(orm, logger);
  } catch (err) {
    await db.stop().catch(() => undefined);
    throw err;
  }
  return { config, logger, db, orm };
}

/**
 * Installs SIGTERM/SIGINT handlers that run `stop` once (in order: stop accepting, finish in-flight
 * work, close the database) and exit; a second signal or the timeout forces the exit.
 */
export function onShutdown(rt: Pick<Runtime, 'logger' | 'config'>, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      rt.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    rt.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      rt.logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, rt.config.SHUTDOWN_TIMEOUT_MS + 5000);
    force.unref();
    stop()
      .then(() => {
        rt.logger.info('bye');
        process.exit(0);
      })
      .catch((err) => {
        rt.logger.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** Runs a process main, printing a fatal start-up error clearly. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err) => {
    const logger = createLogger({ level: 'error' });
    logger.fatal({ err }, 'failed to start');
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
  });
}
