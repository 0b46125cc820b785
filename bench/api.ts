/**
 * API read benchmark (`npm run bench:api`, issue 10).
 *
 * Builds dist/, seeds a fresh database (10 plans, 2 servers, one customer with 20 ACTIVE
 * subscriptions, 60 orders with payments), starts the API (`dist/src/main/api.js`) and, in the
 * same run, a bare Apollo Server hello-world with the same `plans` shape (bench/hello-apollo.ts).
 * Each target is loaded with autocannon (50 connections), interleaved with the anchor, for 3 rounds;
 * it prints the medians of req/s, p50, p99, server CPU milliseconds per request (from
 * /proc/<pid>/stat of the serving process), the PostgreSQL CPU per request (the backends serving
 * the bench database, when PostgreSQL runs on this machine) and the ratio to the hello-world of
 * the same round.
 *
 *   npm run bench:api                       3 rounds of 5 s per target
 *   npm run bench:api -- --seconds 10 --rounds 5
 *   npm run bench:api -- --profile          also print where the API's CPU time went
 *   npm run bench:api -- --only plans,sub   only the targets whose name contains a word
 *
 * Targets (ratio of req/s to the hello-world): plans ≥ 1.0, subscriptions ≥ 0.5,
 * orders(first: 50) ≥ 0.25, /sub/ ≥ 1.0; p99 ≤ 50 ms. Printed, never asserted (noisy machines).
 * Database: see bench/bench-db.ts (DATABASE_URL or a temporary embedded PostgreSQL).
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { seed } from './api-seed';
import { openBenchDb } from './bench-db';
import { printProfile } from './cpu-profile';
import { freePort } from './bench-db';

const CONNECTIONS = 50;
const CLK_TCK = 100; // Linux USER_HZ

interface Target {
  name: string;
  goal: number;
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerReq: number;
  /** CPU of the PostgreSQL backends of the bench database per request (NaN when not measurable). */
  pgMsPerReq: number;
  errors: number;
}

/** Sums the CPU of the PostgreSQL backends connected to one database (they run on this machine when /proc has them). */
class PgCpu {
  private readonly client: Client;
  constructor(url: string) {
    this.client = new Client({ connectionString: url });
  }
  async start(): Promise<void> {
    await this.client.connect();
  }
  /** CPU ms of the current backends (by pid), or null when PostgreSQL is not local. */
  async read(): Promise<Map<number, number> | null> {
    const { rows } = await this.client.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    const out = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        out.set(pid, cpuMs(pid));
      } catch {
        // not on this machine, or exited meanwhile
      }
    }
    return rows.length > 0 && out.size === 0 ? null : out;
  }
  /** CPU used between two readings (backends that exited meanwhile are missed). */
  static spent(before: Map<number, number> | null, after: Map<number, number> | null): number {
    if (!before || !after) return NaN;
    let ms = 0;
    for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0);
    return ms;
  }
  async stop(): Promise<void> {
    await this.client.end();
  }
}

function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] = utime, fields[12] = stime (0-based after the command name)
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function load(url: string, target: Target, pid: number, seconds: number, pg: PgCpu | null): Promise<Sample> {
  const before = cpuMs(pid);
  const pgBefore = pg ? await pg.read() : null;
  const result = await autocannon({
    url: url + target.path,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const cpu = cpuMs(pid) - before;
  const pgCpu = pg ? PgCpu.spent(pgBefore, await pg.read()) : NaN;
  const requests = result.requests.total;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerReq: requests > 0 ? cpu / requests : NaN,
    pgMsPerReq: requests > 0 ? pgCpu / requests : NaN,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

function waitForLine(child: ChildProcess, re: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${out}`)));
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) resolve(m);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      profile: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  if (!(seconds > 0) || !(rounds > 0)) throw new Error('--seconds and --rounds must be positive numbers');

  process.stdout.write('building dist/ (npm run build) ...\n');
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  const db = await openBenchDb();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vp-bench-api-'));
  let api: ChildProcess | undefined;
  let hello: ChildProcess | undefined;
  let pg: PgCpu | null = null;
  try {
    const seeded = await seed(db.url);
    const port = await freePort();
    const profileDir = values.profile ? fs.mkdtempSync(path.join(os.tmpdir(), 'vp-bench-prof-')) : null;
    api = spawn(process.execPath, [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), 'dist/src/main/api.js'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: db.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
    hello = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'bench/hello-apollo.ts'], {
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const helloPort = Number((await waitForLine(hello, /listening (\d+)/, 'hello-world'))[1]);
    const apiUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${apiUrl}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (api.exitCode !== null || i > 600) throw new Error('the API did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const json = { 'content-type': 'application/json' };
    const plansBody = JSON.stringify({ query: '{ plans { id code titleFa titleEn price trafficBytes durationDays deviceLimit } }' });
    const anchor: Target = { name: 'hello-world plans', goal: 1, path: '/graphql', method: 'POST', headers: json, body: plansBody };
    const allTargets: Target[] = [
      { name: 'plans (ADMIN key)', goal: 1.0, path: '/graphql', method: 'POST', headers: { ...json, authorization: `Bearer ${seeded.adminKey}` }, body: plansBody },
      {
        name: 'subscriptions (USER_BOT, 20 rows)',
        goal: 0.5,
        path: '/graphql',
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${seeded.botKey}`, 'x-telegram-user-id': String(seeded.telegramId) },
        body: JSON.stringify({
          query:
            '{ subscriptions { id status usedBytes trafficLimitBytes expiresAt subscriptionUrl links serverName plan { id code titleFa titleEn price trafficBytes durationDays } } }',
        }),
      },
      {
        name: 'orders(first: 50) (ADMIN, nested)',
        goal: 0.25,
        path: '/graphql',
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${seeded.adminKey}` },
        body: JSON.stringify({
          query:
            `{ orders(first: 50, customerId: "${seeded.customerId}") { nodes { id number kind status amountDue createdAt plan { code titleEn price } payment { status payableAmount } } pageInfo { hasNextPage endCursor } } }`,
        }),
      },
      { name: '/sub/<token>', goal: 1.0, path: `/sub/${seeded.subToken}`, method: 'GET', headers: {} },
    ];
    const only = values.only?.split(',').map((w) => w.trim().toLowerCase()).filter(Boolean);
    const targets = only ? allTargets.filter((t) => only.some((w) => t.name.toLowerCase().includes(w))) : allTargets;
    if (targets.length === 0) throw new Error(`--only ${values.only} matches no target`);
    // Check every target answers correctly before measuring.
    for (const t of targets) {
      const res = await fetch(apiUrl + t.path, { method: t.method, headers: t.headers, body: t.body });
      const text = await res.text();
      if (!res.ok || text.includes('"errors"')) throw new Error(`${t.name}: ${res.status} ${text.slice(0, 300)}`);
    }
    process.stdout.write(`database: ${db.label}\nAPI pid ${api.pid}, hello-world pid ${hello.pid}; ${CONNECTIONS} connections, ${rounds} rounds × ${seconds} s per target\n`);
    // Warm both up (JIT, pools) before the measured rounds.
    pg = new PgCpu(db.url);
    await pg.start();
    await load(`http://127.0.0.1:${helloPort}`, anchor, hello.pid!, 2, null);
    for (const t of targets) await load(apiUrl, t, api.pid!, 2, pg);

    const results = new Map<string, { s: Sample[]; ratios: number[] }>();
    for (const t of [anchor, ...targets]) results.set(t.name, { s: [], ratios: [] });
    for (let r = 0; r < rounds; r++) {
      for (const t of targets) {
        const a = await load(`http://127.0.0.1:${helloPort}`, anchor, hello.pid!, seconds, null);
        const s = await load(apiUrl, t, api.pid!, seconds, pg);
        results.get(anchor.name)!.s.push(a);
        results.get(t.name)!.s.push(s);
        results.get(t.name)!.ratios.push(s.rps / a.rps);
      }
      process.stdout.write(`round ${r + 1}/${rounds} done\n`);
    }
    const row = (cells: string[]) => `| ${cells.join(' | ')} |\n`;
    let out = '\n' + row(['what', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'PostgreSQL CPU ms/req', 'ratio to hello-world', 'target', 'verdict']);
    out += row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---']);
    for (const t of [anchor, ...targets]) {
      const { s, ratios } = results.get(t.name)!;
      const ratio = t === anchor ? 1 : median(ratios);
      const p99 = median(s.map((x) => x.p99));
      const errors = s.reduce((n, x) => n + x.errors, 0);
      const verdict = t === anchor ? 'anchor' : ratio >= t.goal && p99 <= 50 ? 'reached' : 'MISSED';
      out += row([
        t.name,
        median(s.map((x) => x.rps)).toFixed(0),
        median(s.map((x) => x.p50)).toFixed(1),
        p99.toFixed(1),
        median(s.map((x) => x.cpuMsPerReq)).toFixed(2),
        t === anchor ? '' : ((v) => (Number.isNaN(v) ? 'n/a' : v.toFixed(2)))(median(s.map((x) => x.pgMsPerReq))),
        `${ratio.toFixed(2)}×`,
        t === anchor ? '' : `≥ ${t.goal}×, p99 ≤ 50 ms`,
        verdict + (errors ? ` (${errors} errors)` : ''),
      ]);
    }
    process.stdout.write(out);
    if (profileDir) {
      await stopChild(api);
      printProfile(profileDir);
    }
  } finally {
    await pg?.stop().catch(() => undefined);
    await stopChild(api);
    await stopChild(hello);
    await db.release();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
