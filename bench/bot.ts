/**
 * `npm run bench:bot`: 200 simulated Telegram users doing /start → Buy → plan list at once through
 * the fake Bot API (HTTP, long polling through the runner), into the real shop bot, with the real
 * API and PostgreSQL in the same run. Prints p50/p99 time from update to answer per screen and the
 * GraphQL requests each screen cost (targets: ≤ 2 requests per screen, p99 under 1 s).
 *
 * Two processes, as in production (`npm run start:user-bot` beside `npm start`): this one runs
 * the shop bot and the fake Bot API; the API runs in a child process (bench/bot-api.ts) over the
 * same database and reports its SQL and CPU over IPC. `--api in-process` runs the API in this
 * process instead (then everything shares one thread and p99 ≈ users × CPU per update).
 *
 * Where the time goes, per screen: SQL statements per update (the bot's own session/conversation
 * state, and the API's), each process's main thread time per update on a CPU and waiting for one
 * (Linux /proc/self/schedstat: on a shared machine much of the wall time can be the wait), and the
 * CPU of the PostgreSQL backends of the bench's database (/proc, when the server is local).
 *
 * Before the measured run, --warmup N other users (default 50) go through both screens, as bench:api
 * warms up before its rounds: a running bot's pooled connections are open and its code optimised.
 *
 * Options: --users N (default 200); --warmup N (default 50); --api child|in-process (default child); --profile FILE writes
 * a CPU profile of this process during the measured part (the two screens, not the set-up) to FILE
 * (.cpuprofile, for Chrome DevTools or any profile reader); BENCH_API_PROFILE=FILE does the same
 * for the API process.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config';
import { migrate } from '../src/db/database';
import { Role } from '../src/entities/common';
import { Plan } from '../src/entities/plan.entity';
import { createLogger } from '../src/logger';
import { postgresStateStore } from '../src/main/bot-state.pg';
import { openOrm } from '../src/main/orm';
import { createApiKey } from '../src/services/api-key.service';
import { createShopBot } from '../src/bots/shop/bot';
import { startFakeTelegram } from '../test/helpers/fake-telegram';
import { openBenchDb } from './bench-db';
import { mainThreadTimes, postgresCpu, startBenchApi, type ApiCounters, type FromApi, type ToApi } from './bot-api';

const TOKEN = '301:bench-shop-bot';

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The API, in a child process or in this one, and how to read its counters. */
interface BenchApi {
  port: number;
  label: string;
  counters(): Promise<ApiCounters | null>;
  stop(): Promise<void>;
}

async function childApi(url: string): Promise<BenchApi> {
  const ts = __filename.endsWith('.ts');
  const child = fork(__filename.replace(/bot\.(ts|js)$/, 'bot-api.$1'), [], {
    env: { ...process.env, DATABASE_URL: url, TS_NODE_TRANSPILE_ONLY: 'true' },
    execArgv: ts ? ['-r', 'ts-node/register'] : [],
  });
  const next = (type: FromApi['type']) =>
    new Promise<FromApi>((resolve, reject) => {
      const on = (m: FromApi) => {
        if (m.type !== type) return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
      child.once('exit', (code) => reject(new Error(`API process exited (${code})`)));
    });
  const ask = (m: ToApi, answer: FromApi['type']) => {
    const reply = next(answer);
    child.send(m);
    return reply;
  };
  const ready = (await next('ready')) as Extract<FromApi, { type: 'ready' }>;
  return {
    port: ready.port,
    label: 'API in a child process',
    counters: async () => (await ask({ type: 'counters' }, 'counters')) as ApiCounters,
    async stop() {
      await ask({ type: 'stop' }, 'stopped');
      child.disconnect();
    },
  };
}

async function inProcessApi(url: string): Promise<BenchApi> {
  const api = await startBenchApi(url);
  return { port: api.port, label: 'API in this process', counters: async () => ({ ...api.counters(), run: 0, wait: 0 }), stop: api.stop };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '200' }, warmup: { type: 'string', default: '50' }, api: { type: 'string', default: 'child' }, profile: { type: 'string' } } });
  const users = Number(values.users);
  const warmUsers = Number(values.warmup);
  const db = await openBenchDb();
  // The bot's pool (its sessions) as production sizes it: DATABASE_POOL_MAX of start:user-bot.
  const orm = await openOrm(db.url, parseConfig({ DATABASE_URL: db.url }).DATABASE_POOL_MAX);
  await migrate(orm, createLogger({ level: 'silent' }));
  const em = orm.em.fork();
  for (let i = 0; i < 4; i++) {
    em.create(Plan, { code: `bench-${i}-${Date.now()}`, titleFa: `پلن ${i + 1}`, titleEn: `Plan ${i + 1}`, trafficBytes: (i + 1) * 10 * 1024 ** 3, durationDays: 30, price: 100_000 * (i + 1), sortOrder: i });
  }
  await em.flush();
  const { secret } = await createApiKey(em, { name: 'bench shop bot', role: Role.USER_BOT }, 'bench');
  const api = values.api === 'in-process' ? await inProcessApi(db.url) : await childApi(db.url);
  const fake = await startFakeTelegram({ tokens: [TOKEN] });

  const waiting = new Map<number, () => void>();
  let screen = '';
  const requests = new Map<string, number>();
  const botSql = new Map<string, number>();
  const count = (m: Map<string, number>) => m.set(screen, (m.get(screen) ?? 0) + 1);
  const pgStore = postgresStateStore(orm, 'bench-shop');
  const countedStore = {
    read: (key: string) => (count(botSql), pgStore.read(key)),
    readMany: (keys: string[]) => (count(botSql), pgStore.readMany!(keys)),
    write: (key: string, value: unknown) => (count(botSql), pgStore.write(key, value)),
    delete: (key: string) => (count(botSql), pgStore.delete(key)),
  };
  const shop = createShopBot(
    { token: TOKEN, apiRoot: fake.apiRoot, apiUrl: `http://127.0.0.1:${api.port}`, apiKey: secret },
    {
      store: countedStore,
      logger: { info() {}, warn() {}, error() {} },
      onGraphqlRequest: () => requests.set(screen, (requests.get(screen) ?? 0) + 1),
      onUpdateDone: (id) => {
        waiting.get(id)?.();
        waiting.delete(id);
      },
    },
  );
  const handle = await shop.startPolling({ timeoutSeconds: 10 });

  const send = async (user: number, text: string): Promise<number> => {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const id = fake.pushUpdate(TOKEN, {
        message: {
          message_id: Math.floor(Math.random() * 1e9),
          date: Math.floor(Date.now() / 1000),
          chat: { id: user, type: 'private', first_name: 'B' },
          from: { id: user, is_bot: false, first_name: 'B', language_code: 'fa' },
          text,
          ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.length }] } : {}),
        },
      });
      waiting.set(id, resolve);
    });
    return performance.now() - started;
  };

  // Warm-up, as bench:api does before its rounds: other users go through both screens first, so
  // the measured run meets what a running bot has (pooled connections open, code optimised by the
  // JIT). The measured users are still new to the bot and the API: none of their rows or sessions
  // exist or are cached. Not counted in anything printed.
  screen = 'warm-up';
  const warmIds = Array.from({ length: warmUsers }, (_, i) => 6_900_000_000 + i);
  for (const text of ['/start', '🛒 خرید اشتراک']) await Promise.all(warmIds.map((u) => send(u, text)));

  const ids = Array.from({ length: users }, (_, i) => 7_000_000_000 + i);
  const results: Record<string, number[]> = { '/start': [], 'Buy → plan list': [] };
  const perUpdate = new Map<string, { run: number; wait: number; apiSql: number; apiRun: number; apiWait: number; pg: number }>();
  const dbName = new URL(db.url).pathname.slice(1);
  const inspector = values.profile ? new Session() : null;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  const wall = performance.now();
  for (const [name, text] of [['/start', '/start'], ['Buy → plan list', '🛒 خرید اشتراک']] as const) {
    screen = name;
    const before = { ...mainThreadTimes(), api: (await api.counters())!, pg: postgresCpu(dbName) };
    results[name] = await Promise.all(ids.map((u) => send(u, text)));
    const after = { ...mainThreadTimes(), api: (await api.counters())!, pg: postgresCpu(dbName) };
    perUpdate.set(name, {
      run: (after.run - before.run) / users,
      wait: (after.wait - before.wait) / users,
      apiSql: (after.api.sql - before.api.sql) / users,
      apiRun: (after.api.run - before.api.run) / users,
      apiWait: (after.api.wait - before.api.wait) / users,
      pg: (after.pg - before.pg) / users,
    });
  }
  const total = performance.now() - wall;
  if (inspector) {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(values.profile!, JSON.stringify(profile));
    inspector.disconnect();
  }

  const plansShown = ids.filter((u) => fake.sentTo(u, TOKEN).some((m) => m.buttons.length >= 4)).length;
  const child = values.api !== 'in-process';
  process.stdout.write(`\nshop bot: ${users} users, /start then Buy at once, after a warm-up of ${warmUsers} other users (runner long polling, fake Bot API over HTTP; ${api.label}; PostgreSQL: ${db.label})\n\n`);
  process.stdout.write(`${'screen'.padEnd(18)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'GraphQL/screen'.padStart(15)}\n`);
  let ok = true;
  for (const [name, times] of Object.entries(results)) {
    const sorted = [...times].sort((a, b) => a - b);
    const perScreen = (requests.get(name) ?? 0) / users;
    ok &&= perScreen <= 2 && pct(sorted, 99) < 1000;
    process.stdout.write(`${name.padEnd(18)} ${pct(sorted, 50).toFixed(0).padStart(8)} ${pct(sorted, 99).toFixed(0).padStart(8)} ${sorted[sorted.length - 1].toFixed(0).padStart(8)} ${perScreen.toFixed(2).padStart(15)}\n`);
  }
  const cols = child ? ['SQL bot', 'SQL API', 'CPU bot', 'wait bot', 'CPU API', 'wait API', 'CPU PG'] : ['SQL bot', 'SQL API', 'CPU ms', 'wait ms', 'CPU PG'];
  const what = child
    ? 'bot: this process (bot + fake Bot API), API: the child; ms of each main thread on a CPU / waiting for one; PG: the database\'s backends'
    : 'CPU/wait: the one main thread (bot, API, fake Bot API) on a CPU / waiting for one, ms; PG: the database\'s backends';
  process.stdout.write(`\n${'where the time goes'.padEnd(18)} ${cols.map((c) => c.padStart(8)).join(' ')}  (per update; ${what})\n`);
  for (const name of Object.keys(results)) {
    const bot = (botSql.get(name) ?? 0) / users;
    const u = perUpdate.get(name)!;
    const cells = child ? [bot, u.apiSql, u.run, u.wait, u.apiRun, u.apiWait, u.pg] : [bot, u.apiSql, u.run, u.wait, u.pg];
    process.stdout.write(`${name.padEnd(18)} ${cells.map((v, i) => v.toFixed(i < 2 ? 2 : 1).padStart(8)).join(' ')}\n`);
  }
  process.stdout.write(`\nplan lists shown: ${plansShown}/${users}; wall time ${(total / 1000).toFixed(1)} s; targets (≤ 2 requests per screen, p99 < 1 s): ${ok ? 'met' : 'NOT met'}\n`);

  await handle.stop();
  await fake.close();
  await api.stop();
  await orm.close(true);
  await db.release();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
