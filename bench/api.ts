/**
 * API read benchmark (`npm run bench:api`, issue 10).
 *
 * Builds dist/, seeds a fresh database (10 plans, 2 servers, one customer with 20 ACTIVE
 * subscriptions, 60 orders with payments), starts the API (`dist/src/main/api.js`) and, in the
 * same run, a bare Apollo Server hello-world with the same `plans` shape (bench/hello-apollo.ts).
 * Each target is loaded with autocannon (50 connections), interleaved with the anchor, for 3 rounds;
 * it prints the medians of req/s, p50, p99 and server CPU milliseconds per request (from
 * /proc/<pid>/stat of the serving process) and the ratio to the hello-world of the same round.
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
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { migrate } from '../src/db/database';
import { openOrm } from '../src/main/orm';
import { Customer } from '../src/entities/customer.entity';
import { Role } from '../src/entities/common';
import { Order, OrderKind, OrderStatus, PaymentMethod } from '../src/entities/order.entity';
import { Payment, PaymentStatus } from '../src/entities/payment.entity';
import { Plan } from '../src/entities/plan.entity';
import { Server, ServerKind, ServerStatus } from '../src/entities/server.entity';
import { Subscription, SubscriptionStatus } from '../src/entities/subscription.entity';
import { createApiKey } from '../src/services/api-key.service';
import { openBenchDb } from './bench-db';
import { freePort } from './bench-db';

const CONNECTIONS = 50;
const GB = 1024 ** 3;
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
  errors: number;
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

async function load(url: string, target: Target, pid: number, seconds: number): Promise<Sample> {
  const before = cpuMs(pid);
  const result = await autocannon({
    url: url + target.path,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const cpu = cpuMs(pid) - before;
  const requests = result.requests.total;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerReq: requests > 0 ? cpu / requests : NaN,
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

async function seed(url: string): Promise<{ adminKey: string; botKey: string; telegramId: number; subToken: string; customerId: string }> {
  const orm = await openOrm(url, 2);
  try {
    await migrate(orm);
    const em = orm.em.fork();
    const plans = Array.from({ length: 10 }, (_, i) =>
      em.create(Plan, {
        code: `bench-${i}`,
        titleFa: `پلن ${i}`,
        titleEn: `Plan ${i}`,
        trafficBytes: (i + 1) * 10 * GB,
        durationDays: 30,
        price: (i + 1) * 50_000,
        serverGroup: 'default',
      }),
    );
    const servers = [0, 1].map((i) =>
      em.create(Server, {
        name: `bench-${i}`,
        kind: i === 0 ? ServerKind.SUI : ServerKind.XUI,
        baseUrl: `http://127.0.0.1:9/${i}`,
        credentialsEnc: 'unused',
        serverGroup: 'default',
        capacity: 1000,
        status: ServerStatus.HEALTHY,
      }),
    );
    const telegramId = 7_000_000_000 + Math.floor(Math.random() * 1e6);
    const customer = em.create(Customer, { telegramId, username: 'bench' });
    const subs = Array.from({ length: 20 }, (_, i) =>
      em.create(Subscription, {
        customer,
        plan: plans[i % 10]!,
        server: servers[i % 2]!,
        panelName: `bench-${randomUUID().slice(0, 8)}`,
        status: SubscriptionStatus.ACTIVE,
        trafficLimitBytes: 50 * GB,
        usedDownBytes: i * GB,
        expiresAt: new Date(Date.now() + 20 * 86_400_000),
        links: [`vless://${randomUUID()}@example.com:443?type=tcp#bench-${i}`, `trojan://${randomBytes(8).toString('hex')}@example.com:443#bench-${i}`],
        inboundIds: ['1', '2'],
        activatedAt: new Date(),
      }),
    );
    for (let i = 0; i < 60; i++) {
      const plan = plans[i % 10]!;
      const order = em.create(Order, {
        number: 100_000 + i,
        customer,
        plan,
        kind: OrderKind.NEW,
        status: OrderStatus.FULFILLED,
        paymentMethod: PaymentMethod.CARD_TO_CARD,
        price: plan.price,
        amountDue: plan.price,
        principal: `tg:${telegramId}`,
        idempotencyKey: randomUUID(),
        subscription: subs[i % 20]!,
        paidAt: new Date(),
        fulfilledAt: new Date(),
      });
      em.create(Payment, { order, method: PaymentMethod.CARD_TO_CARD, amount: plan.price, payableAmount: plan.price + i, status: PaymentStatus.APPROVED });
    }
    await em.flush();
    const admin = await createApiKey(em, { name: 'bench admin', role: Role.ADMIN }, 'bench');
    const bot = await createApiKey(em, { name: 'bench bot', role: Role.USER_BOT }, 'bench');
    return { adminKey: admin.secret, botKey: bot.secret, telegramId, subToken: subs[0]!.subToken, customerId: customer.id };
  } finally {
    await orm.close(true);
  }
}

/**
 * `--profile`: the API ran with --cpu-prof; prints where its CPU went, grouped by package
 * (node_modules/<name>, our own src/, node internals), and the top functions by self time.
 */
function printProfile(dir: string): void {
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const prof = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      nodes: Array<{ id: number; hitCount?: number; children?: number[]; callFrame: { functionName: string; url: string; lineNumber: number } }>;
    };
    const total = prof.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
    const byPkg = new Map<string, number>();
    const byFn = new Map<string, number>();
    for (const n of prof.nodes) {
      const hits = n.hitCount ?? 0;
      if (!hits) continue;
      const url = n.callFrame.url;
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
      const pkg = m ? m[1]! : url.includes('/dist/src/') ? 'our code (src/)' : url ? 'node internals' : `(${n.callFrame.functionName || 'program'})`;
      byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + hits);
      const fn = `${n.callFrame.functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '')}:${n.callFrame.lineNumber + 1}`;
      byFn.set(fn, (byFn.get(fn) ?? 0) + hits);
    }
    // Total (inclusive) time of our own functions: a sample counts for every distinct function on its stack.
    const parent = new Map<number, number>();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const ours = new Map<string, number>();
    for (const n of prof.nodes) {
      const hits = n.hitCount ?? 0;
      if (!hits) continue;
      const seen = new Set<string>();
      for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
        const f = byId.get(id)!.callFrame;
        if (!f.url.includes('/dist/src/')) continue;
        const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/dist\//, '')}:${f.lineNumber + 1}`;
        if (!seen.has(name)) ours.set(name, (ours.get(name) ?? 0) + hits);
        seen.add(name);
      }
    }
    const top = (m: Map<string, number>, k: number) =>
      [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, h]) => `  ${((100 * h) / total).toFixed(1).padStart(5)}%  ${name}\n`).join('');
    process.stdout.write(`\nCPU profile of the API (${file}), self time by package:\n${top(byPkg, 15)}top functions:\n${top(byFn, 25)}our functions by total time:\n${top(ours, 25)}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
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
    await load(`http://127.0.0.1:${helloPort}`, anchor, hello.pid!, 2);
    for (const t of targets) await load(apiUrl, t, api.pid!, 2);

    const results = new Map<string, { s: Sample[]; ratios: number[] }>();
    for (const t of [anchor, ...targets]) results.set(t.name, { s: [], ratios: [] });
    for (let r = 0; r < rounds; r++) {
      for (const t of targets) {
        const a = await load(`http://127.0.0.1:${helloPort}`, anchor, hello.pid!, seconds);
        const s = await load(apiUrl, t, api.pid!, seconds);
        results.get(anchor.name)!.s.push(a);
        results.get(t.name)!.s.push(s);
        results.get(t.name)!.ratios.push(s.rps / a.rps);
      }
      process.stdout.write(`round ${r + 1}/${rounds} done\n`);
    }
    const row = (cells: string[]) => `| ${cells.join(' | ')} |\n`;
    let out = '\n' + row(['what', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'ratio to hello-world', 'target', 'verdict']);
    out += row(['---', '---:', '---:', '---:', '---:', '---:', '---', '---']);
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
