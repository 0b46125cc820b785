import { spawn, type ChildProcess } from 'node:child_process';
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

  it('prints a first ADMIN key that answers { me { role } }, and exits cleanly within 10 s of SIGTERM', async () => {
    const port = await freePort();
    let stdout = '';
    child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main/all.ts'], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: { ...process.env, DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', JEST_WORKER_ID: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (stdout += String(d)));
    child.stderr!.on('data', (d) => (stdout += String(d)));
    const key = await waitFor(async () => /vpk_[A-Za-z0-9]{10}_[A-Za-z0-9_-]+/.exec(stdout)?.[0], 60_000);
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
    // The key is printed to the terminal once, never into a JSON log line.
    expect(stdout.split('\n').filter((l) => l.startsWith('{') && l.includes(key))).toEqual([]);

    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stdout).toContain('"msg":"bye"');
  }, 90_000);
});
