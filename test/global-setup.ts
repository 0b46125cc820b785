import 'reflect-metadata';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { migrate } from '../src/db/database';
import { openOrm } from '../src/main/orm';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { createLogger } from '../src/logger';
import { TEMPLATE_DB, workerDbName, WORKER_DBS } from './helpers/db-names';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function admin(serverUrl: string, sql: string[]): Promise<void> {
  const c = new Client({ connectionString: `${serverUrl}/postgres` });
  await c.connect();
  try {
    for (const s of sql) await c.query(s);
  } finally {
    await c.end();
  }
}

/**
 * Starts an embedded PostgreSQL unless TEST_DATABASE_URL names a server, builds a template
 * database once (our migrations + graphile-worker's), and clones one database per jest worker.
 */
export default async function globalSetup(): Promise<void> {
  const logger = createLogger({ level: 'warn' });
  let serverUrl = process.env.TEST_DATABASE_URL?.replace(/\/[^/]*$/, '');
  if (!serverUrl) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vp-test-pg-'));
    fs.chmodSync(dataDir, 0o777);
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'data'), port: await freePort(), persistent: false, logger });
    (globalThis as Record<string, unknown>).__EMBEDDED_PG__ = { stop: pg.stop, dataDir };
    serverUrl = pg.serverUrl;
  }
  process.env.TEST_PG_SERVER_URL = serverUrl;
  const dbs = [TEMPLATE_DB, ...Array.from({ length: WORKER_DBS }, (_, i) => workerDbName(i + 1))];
  await admin(serverUrl, [
    ...dbs.map((d) => `update pg_database set datistemplate = false where datname = '${d}'`),
    ...dbs.map((d) => `drop database if exists "${d}" with (force)`),
    `create database "${TEMPLATE_DB}"`,
  ]);
  const orm = await openOrm(`${serverUrl}/${TEMPLATE_DB}`, 2);
  try {
    await migrate(orm);
  } finally {
    await orm.close(true);
    // jest may run a single test file in this same process: MikroORM keeps its entity metadata on
    // globalThis, and the copy built here (outside the test realm) breaks discovery there.
    for (const key of Object.keys(globalThis)) if (key.startsWith('mikro-orm-')) delete (globalThis as Record<string, unknown>)[key];
  }
  await admin(serverUrl, [
    `update pg_database set datistemplate = true where datname = '${TEMPLATE_DB}'`,
    ...Array.from({ length: WORKER_DBS }, (_, i) => `create database "${workerDbName(i + 1)}" template "${TEMPLATE_DB}"`),
  ]);
}
