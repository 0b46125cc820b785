/**
 * Memory soak (`npm run bench:soak`): runs the production build of `npm start` (API + worker,
 * `dist/src/main/all.js`, built first) on a fresh database, sends 10,000 mixed authenticated
 * requests, prints the process's RSS, then keeps the same load for a soak and prints the RSS at
 * every sample and the least-squares slope in MB per minute.
 *
 *   npm run bench:soak                          10,000 warm-up requests, then a 10-minute soak
 *   npm run bench:soak -- --minutes 2           a shorter soak for trying it
 *   npm run bench:soak -- --sample-seconds 15   sample the RSS more often
 *
 * Targets (issue 10): RSS ≤ 250 MB after the 10,000 requests, flat over the soak. The verdict is
 * printed, never asserted in a test (machines are noisy). RSS is read from /proc/<pid>/status.
 * Database: see bench/bench-db.ts (DATABASE_URL or a temporary embedded PostgreSQL).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { firstKeyFile } from '../src/main/first-key';
import { freePort, openBenchDb } from './bench-db';

const WARMUP_REQUESTS = 10_000;
const CONNECTIONS = 20;
const RSS_TARGET_MB = 250;
/** Growth per minute over the soak still called flat (allocator noise). */
const FLAT_SLOPE_MB_PER_MIN = 1;

const MIX: readonly string[] = [
  '{ plans { id code titleEn price trafficBytes durationDays } }',
  '{ me { role } }',
  '{ dashboard { customers ordersPaidToday } }',
  '{ servers { id name status } }',
  '{ settings { key } }',
  '{ apiKeys { id name role } }',
  '{ auditLogs(first: 50) { nodes { __typename } pageInfo { hasNextPage } } }',
];

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function slope(points: Array<{ min: number; mb: number }>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.min, 0) / n;
  const my = points.reduce((s, p) => s + p.mb, 0) / n;
  const num = points.reduce((s, p) => s + (p.min - mx) * (p.mb - my), 0);
  const den = points.reduce((s, p) => s + (p.min - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/**
 * Starts `all.js` and resolves with its first-start ADMIN key once it is written (stderr is not a
 * terminal here, so the app writes it to `<DATA_DIR>/first-admin-key.txt`, never to its output).
 */
async function startApp(env: Record<string, string>): Promise<{ child: ChildProcess; key: string }> {
  const child = spawn(process.execPath, ['dist/src/main/all.js'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
  const keyFile = firstKeyFile(env.DATA_DIR!);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode} before it was ready:\n${out}`);
    const key = fs.existsSync(keyFile) ? /(vpk_[A-Za-z0-9]+_[A-Za-z0-9_-]+)/.exec(fs.readFileSync(keyFile, 'utf8'))?.[1] : undefined;
    const ready = key ? await fetch(`http://127.0.0.1:${env.PORT}/readyz`).then((r) => r.ok, () => false) : false;
    if (key && ready) return { child, key };
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, 'sample-seconds': { type: 'string', default: '60' } } });
  const minutes = Number(values.minutes);
  const sampleMs = Number(values['sample-seconds']) * 1000;
  if (!(minutes > 0) || !(sampleMs > 0)) throw new Error('--minutes and --sample-seconds must be positive numbers');

  process.stdout.write('building dist/ (npm run build) ...\n');
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  const db = await openBenchDb();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vp-soak-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const agent = new Agent({ connections: CONNECTIONS, pipelining: 1 });
  try {
    const app = await startApp({
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      USER_BOT_TOKEN: '',
      ADMIN_BOT_TOKEN: '',
    });
    child = app.child;
    const pid = child.pid!;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${app.key}` };
    const gql = async (query: string): Promise<void> => {
      const res = await request(`${base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query }), dispatcher: agent });
      const body = (await res.body.json()) as { errors?: Array<{ message: string }> };
      if (res.statusCode !== 200 || body.errors?.length) throw new Error(`${query} → ${res.statusCode} ${JSON.stringify(body.errors)}`);
    };
    for (let i = 0; i < 10; i++) {
      await gql(
        `mutation { createPlan(input: { code: "soak-${i}", titleFa: "پلن ${i}", titleEn: "Plan ${i}", trafficBytes: ${(i + 1) * 10 * 1024 ** 3}, durationDays: 30, price: ${(i + 1) * 50000} }) { id } }`,
      );
    }
    process.stdout.write(`database: ${db.label}\napp pid ${pid}, RSS at start ${rssMb(pid).toFixed(1)} MB\n`);

    let sent = 0;
    let stop = false;
    const worker = async (budget: () => boolean): Promise<void> => {
      while (!stop && budget()) {
        await gql(MIX[sent++ % MIX.length]!);
      }
    };
    const run = (budget: () => boolean) => Promise.all(Array.from({ length: CONNECTIONS }, () => worker(budget)));

    const t0 = Date.now();
    await run(() => sent < WARMUP_REQUESTS);
    const after = rssMb(pid);
    process.stdout.write(
      `after ${sent.toLocaleString('en')} mixed requests (${((Date.now() - t0) / 1000).toFixed(1)} s, ${CONNECTIONS} connections): ` +
        `RSS ${after.toFixed(1)} MB (target ≤ ${RSS_TARGET_MB} MB: ${after <= RSS_TARGET_MB ? 'reached' : 'MISSED'})\n`,
    );

    const soakStart = Date.now();
    const points: Array<{ min: number; mb: number }> = [{ min: 0, mb: after }];
    const sampler = setInterval(() => {
      const min = (Date.now() - soakStart) / 60_000;
      const mb = rssMb(pid);
      points.push({ min, mb });
      process.stdout.write(`  soak ${min.toFixed(1)} min: RSS ${mb.toFixed(1)} MB, ${sent.toLocaleString('en')} requests so far\n`);
    }, sampleMs);
    const soakEnd = soakStart + minutes * 60_000;
    await run(() => Date.now() < soakEnd);
    clearInterval(sampler);
    const s = slope(points);
    const max = Math.max(...points.map((p) => p.mb));
    process.stdout.write(
      `soak: ${minutes} min, ${sent.toLocaleString('en')} requests in all, RSS max ${max.toFixed(1)} MB, ` +
        `slope ${s.toFixed(2)} MB/min (flat when ≤ ${FLAT_SLOPE_MB_PER_MIN}: ${s <= FLAT_SLOPE_MB_PER_MIN ? 'yes' : 'NO'})\n`,
    );
    stop = true;
  } finally {
    await agent.close().catch(() => undefined);
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await db.release();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
