import type { MikroORM } from '@mikro-orm/postgresql';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { quickAddJob } from 'graphile-worker';
import { Client } from 'pg';
import { ensureDatabase, migrate } from '../../src/db/database';
import { spawn, type ChildProcess } from 'node:child_process';
import { openOrm } from '../../src/main/orm';
import { startWorkerProcess, until, type WorkerProcess } from '../helpers/worker-process';

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

/** Adds a cheap job through graphile-worker's own API (no ORM in this test's process) and returns its id. */
async function addJob(url: string): Promise<string> {
  return (await quickAddJob({ connectionString: url }, 'expire_payments', {})).id;
}

async function jobDone(url: string, id: string): Promise<boolean> {
  const c = new Client({ connectionString: url });
  try {
    await c.connect();
    const r = await c.query(`select 1 from graphile_worker._private_jobs where id = $1`, [id]);
    return r.rowCount === 0;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A PostgreSQL server run by test/helpers/pg-server.ts in a child process. */
async function startPgServer(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'test/helpers/pg-server.ts', dataDir, String(port)], {
    cwd: path.resolve(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('ready')) resolve();
    });
    child.stderr!.on('data', (d) => (out += String(d)));
    child.on('exit', (code) => reject(new Error(`the PostgreSQL helper exited (${code}): ${out}`)));
  });
  return child;
}

async function stopPgServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('the worker when PostgreSQL restarts', () => {
  let dataDir: string;
  let port: number;
  let pg: ChildProcess | null = null;
  let url: string;
  let worker: WorkerProcess | null = null;

  const serverUrl = (): string => `postgresql://postgres:postgres@127.0.0.1:${port}`;
  const startPg = async (): Promise<void> => {
    pg = await startPgServer(dataDir, port);
  };

  beforeAll(async () => {
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vp-restart-pg-')), 'data');
    fs.chmodSync(path.dirname(dataDir), 0o777);
    port = await freePort();
    await startPg();
    await ensureDatabase(serverUrl(), 'vp_restart');
    url = `${serverUrl()}/vp_restart`;
    const orm: MikroORM = await openOrm(url, 2);
    try {
      await migrate(orm);
    } finally {
      await orm.close(true);
    }
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    if (pg) await stopPgServer(pg);
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('reconnects by itself, logs it, and runs the jobs queued after the restart', async () => {
    worker = startWorkerProcess({
      DATABASE_URL: url,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      WORKER_HEARTBEAT_MS: '200',
      LOG_LEVEL: 'info',
    });
    const w = worker;
    await until(async () => w.logs().some((l) => l.msg === 'worker running'), 60_000, () => w.output());
    const before = await addJob(url);
    await until(() => jobDone(url, before), 30_000, () => `the first job (${w.output()})`);

    // A real restart: the server goes away (every connection is cut) and comes back on the same port.
    await stopPgServer(pg!);
    pg = null;
    await until(async () => w.logs().some((l) => l.msg === 'lost the database connection; reconnecting'), 30_000, () => `the worker to notice (${w.output()})`);
    await startPg();

    const after = await addJob(url);
    await until(() => jobDone(url, after), 60_000, () => `the job queued after the restart (${w.output()})`);
    expect(w.child.exitCode).toBeNull();
    await until(async () => w.logs().some((l) => l.msg === 'reconnected to the database; worker running again'), 30_000, () => w.output());
    expect(await w.stop()).toBe(0);
  }, 180_000);
});
