import { MikroORM, type EventSubscriber } from '@mikro-orm/postgresql';
import { runMigrations } from 'graphile-worker';
import { Client } from 'pg';
import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { runningPostgresPid, startEmbeddedPostgres } from './embedded-postgres';
import { ormConfig } from './orm.config';

/** Name of the database the embedded server holds for the product. */
export const EMBEDDED_DB_NAME = 'vpn_platform';

/** The database a process uses, and how to release what was started for it. */
export interface DatabaseHandle {
  url: string;
  /** True when we started an embedded server. */
  embedded: boolean;
  stop(): Promise<void>;
}

/** Creates `name` on the server unless it exists. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}

/**
 * Uses DATABASE_URL, or the embedded PostgreSQL with data kept under DATA_DIR.
 * `own` (npm start): start it, restarting one left behind by a killed run, and stop it on exit.
 * `shared` (a single process run alone): attach to one that another process started, else own it.
 */
export async function openDatabase(config: Config, logger: Logger, mode: 'own' | 'shared' = 'own'): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
  const dataDir = path.join(config.DATA_DIR, 'pg');
  if (mode === 'shared' && runningPostgresPid(dataDir)) {
    const serverUrl = `postgresql://postgres:postgres@127.0.0.1:${config.EMBEDDED_PG_PORT}`;
    logger.info('attaching to the embedded PostgreSQL another process started');
    return { url: `${serverUrl}/${EMBEDDED_DB_NAME}`, embedded: true, stop: async () => {} };
  }
  const pg = await startEmbeddedPostgres({
    dataDir,
    port: config.EMBEDDED_PG_PORT,
    persistent: true,
    logger,
  });
  await ensureDatabase(pg.serverUrl, EMBEDDED_DB_NAME);
  logger.info({ port: config.EMBEDDED_PG_PORT }, 'using the embedded PostgreSQL (set DATABASE_URL to use your own server)');
  return { url: `${pg.serverUrl}/${EMBEDDED_DB_NAME}`, embedded: true, stop: () => pg.stop() };
}

/**
 * Opens the ORM on a database URL with the given event subscribers (processes use src/main/orm.ts,
 * which wires the audit subscriber). With a `logger`, the query builder's own messages (e.g.
 * "Connection Error: …" while the database is away) become log lines instead of bare console output.
 */
export async function openOrmWith(url: string, poolMax: number, subscribers: EventSubscriber[], logger?: Logger): Promise<MikroORM> {
  const driverLog = logger?.child({ component: 'database' });
  const driverOptions = driverLog
    ? {
        log: {
          warn: (m: unknown) => driverLog.warn(String(m)),
          error: (m: unknown) => driverLog.error(String(m)),
          deprecate: (m: unknown) => driverLog.debug(String(m)),
          debug: (m: unknown) => driverLog.debug(String(m)),
        },
      }
    : {};
  return MikroORM.init(ormConfig(url, { pool: { min: 0, max: poolMax }, subscribers, driverOptions }));
}

/** Applies our migrations, then graphile-worker's. Safe to run repeatedly and concurrently. */
export async function migrate(orm: MikroORM, logger?: Logger): Promise<string[]> {
  const applied = await orm.migrator.up();
  const url = orm.config.getClientUrl();
  await runMigrations({ connectionString: url, logger: undefined });
  if (applied.length) logger?.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
  return applied.map((m) => m.name);
}

/** True when the database answers and no migration of ours is pending. */
export async function isDatabaseReady(orm: MikroORM): Promise<boolean> {
  try {
    await orm.em.getConnection().execute('select 1');
    const pending = await orm.migrator.getPendingMigrations();
    return pending.length === 0;
  } catch {
    return false;
  }
}
