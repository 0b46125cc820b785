import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { createIsolatedDatabase } from '../helpers/db';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('npm start (all-in-one process)', () => {
  let db: { url: string; drop(): Promise<void> };
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    db = await createIsolatedDatabase();
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await db.drop();
  });

  it('writes a first ADMIN key (no terminal: a 0600 file, never the output) that answers { me { role } }, and exits cleanly within 10 s of SIGTERM', async () => {
    const port = await freePort();
    let stdout = '';
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vp-all-'));
    child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main/all.ts'], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', JEST_WORKER_ID: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (stdout += String(d)));
    child.stderr!.on('data', (d) => (stdout += String(d)));
    const file = path.join(dataDir, 'first-admin-key.txt');
    const key = await waitFor(async () => (fs.existsSync(file) && stdout.includes('first-admin-key.txt') ? /vpk_[A-Za-z0-9]{10}_[A-Za-z0-9_-]+/.exec(fs.readFileSync(file, 'utf8'))?.[0] : undefined), 60_000);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // Logs are JSON when stdout is not a terminal, and the key is in none of the output.
    expect(stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'))).toEqual([]);
    expect(stdout).not.toContain(key);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/graphiql`)).status).toBe(200);
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ me { role } }' }),
    });
    expect(await res.json()).toEqual({ data: { me: { role: 'ADMIN' } } });

    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stdout).toContain('"msg":"bye"');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 90_000);
});
