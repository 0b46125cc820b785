/**
 * The database a benchmark runs on: DATABASE_URL when set (a throw-away database is created on that
 * server when allowed, else the bench's rows are deleted afterwards); otherwise an embedded
 * PostgreSQL on a temporary data directory that is removed at the end.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ensureDatabase } from '../src/db/database';
import { runningPostgresPid, startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres';
import { createLogger } from '../src/logger';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A database for the bench and how to give it back. */
export interface BenchDb {
  url: string;
  label: string;
  /** Deletes what the bench wrote when it had to use an existing database. */
  cleanupRows: boolean;
  /** The embedded server's postmaster (for CPU accounting), when the bench started one. */
  postgresPid?: number;
  release(): Promise<void>;
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: `${serverUrl}/postgres` });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function openBenchDb(): Promise<BenchDb> {
  const given = process.env.DATABASE_URL;
  const name = `vp_bench_${randomBytes(4).toString('hex')}`;
  if (given) {
    const serverUrl = given.replace(/\/[^/?]*(\?.*)?$/, '');
    try {
      await adminQuery(serverUrl, `create database "${name}"`);
      return {
        url: `${serverUrl}/${name}`,
        label: `DATABASE_URL server, throw-away database ${name}`,
        cleanupRows: false,
        release: () => adminQuery(serverUrl, `drop database if exists "${name}" with (force)`),
      };
    } catch {
      return { url: given, label: 'DATABASE_URL (bench rows deleted afterwards)', cleanupRows: true, release: async () => {} };
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vp-bench-pg-'));
  fs.chmodSync(dir, 0o777);
  const port = await freePort();
  let pg: EmbeddedDatabase;
  try {
    pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port, persistent: false, logger: createLogger({ level: 'warn' }) });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  await ensureDatabase(pg.serverUrl, name);
  return {
    url: `${pg.serverUrl}/${name}`,
    label: `embedded PostgreSQL on port ${port} (temporary data dir)`,
    cleanupRows: false,
    postgresPid: runningPostgresPid(path.join(dir, 'data')) ?? undefined,
    release: async () => {
      await pg.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
