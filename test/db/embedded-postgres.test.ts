import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { liveOwnerOf, ownerFileOf, startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { createLogger } from '../../src/logger';

/**
 * A data folder as a running instance leaves it: postmaster.pid names a live "postgres" (a child
 * process standing in for it) and the port of a server that answers (the tests' PostgreSQL), and
 * the owner file names the instance that started it.
 */
describe('embedded PostgreSQL ownership', () => {
  const logger = createLogger({ level: 'silent' });
  let root: string;
  let dataDir: string;
  let postgres: ChildProcess;
  let owner: ChildProcess;

  const sleeper = () => spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
  const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vp-owner-'));
    dataDir = path.join(root, 'pg');
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, 'PG_VERSION'), '18\n');
    postgres = sleeper();
    owner = sleeper();
    const port = new URL(process.env.TEST_PG_SERVER_URL!).port;
    fs.writeFileSync(path.join(dataDir, 'postmaster.pid'), `${postgres.pid}\n${dataDir}\n1700000000\n${port}\n/tmp\n127.0.0.1\n`);
    fs.writeFileSync(ownerFileOf(dataDir), `${owner.pid}\n`);
  });

  afterAll(() => {
    postgres.kill('SIGKILL');
    owner.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses a second start on a data folder whose owner is alive, and leaves the running server alone', async () => {
    expect(await liveOwnerOf(dataDir)).toBe(owner.pid);
    await expect(startEmbeddedPostgres({ dataDir, port: 1, persistent: true, logger })).rejects.toThrow(
      new RegExp(`another instance \\(process ${owner.pid}\\) is running with this data folder`),
    );
    expect(alive(postgres)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(true);
  });

  it('sees no live owner when the owner process is gone (a killed run: its server is left behind)', async () => {
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    fs.writeFileSync(ownerFileOf(dataDir), `${gone.pid}\n`);
    try {
      expect(await liveOwnerOf(dataDir)).toBeNull();
    } finally {
      fs.writeFileSync(ownerFileOf(dataDir), `${owner.pid}\n`);
    }
  });
});
