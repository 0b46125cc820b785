/**
 * `npm run bench:bot`: 200 simulated Telegram users doing /start → Buy → plan list at once through
 * the fake Bot API (HTTP, long polling through the runner), into the real shop bot, with the real
 * API and PostgreSQL in the same process. Prints p50/p99 time from update to answer per screen and
 * the GraphQL requests each screen cost (targets: ≤ 2 requests per screen, p99 under 1 s).
 *
 * Where the time goes, per screen: SQL statements per update (the bot's own session/conversation
 * state, and the API's), and the main thread's time per update on a CPU and waiting for one (Linux
 * /proc/self/schedstat: on a shared machine most of the wall time can be the wait). Everything here
 * (bot, API, fake Bot API) shares that one thread, so p99 ≈ users × main-thread CPU per update.
 *
 * Options: --users N (default 200); --profile FILE writes a CPU profile of the measured part (the
 * two screens, not the set-up) to FILE (.cpuprofile, for Chrome DevTools or any profile reader).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config';
import { migrate } from '../src/db/database';
import { Role } from '../src/entities/common';
import { Plan } from '../src/entities/plan.entity';
import { createApi } from '../src/http/api-server';
import { createLogger } from '../src/logger';
import { postgresStateStore } from '../src/main/bot-state.pg';
import { openOrm } from '../src/main/orm';
import { createAppServices } from '../src/main/services';
import { createApiKey } from '../src/services/api-key.service';
import { createShopBot } from '../src/bots/shop/bot';
import { startFakeTelegram } from '../test/helpers/fake-telegram';
import { openBenchDb } from './bench-db';

const TOKEN = '301:bench-shop-bot';

/** The main thread's time on a CPU and waiting in the run queue (ms), where Linux tells; else zeros. */
function mainThreadTimes(): { run: number; wait: number } {
  try {
    const [run, wait] = readFileSync('/proc/self/schedstat', 'utf8').split(' ').map(Number);
    return { run: run / 1e6, wait: wait / 1e6 };
  } catch {
    return { run: 0, wait: 0 };
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '200' }, profile: { type: 'string' } } });
  const users = Number(values.users);
  const db = await openBenchDb();
  const logger = createLogger({ level: 'silent' });
  const orm = await openOrm(db.url, 20);
  await migrate(orm, logger);
  const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATABASE_URL: db.url });
  const services = createAppServices({ config, logger, orm });
  const api = await createApi({ config, logger, orm, services });
  const port = await api.start();
  const em = orm.em.fork();
  for (let i = 0; i < 4; i++) {
    em.create(Plan, { code: `bench-${i}-${Date.now()}`, titleFa: `پلن ${i + 1}`, titleEn: `Plan ${i + 1}`, trafficBytes: (i + 1) * 10 * 1024 ** 3, durationDays: 30, price: 100_000 * (i + 1), sortOrder: i });
  }
  await em.flush();
  const { secret } = await createApiKey(em, { name: 'bench shop bot', role: Role.USER_BOT }, 'bench');
  const fake = await startFakeTelegram({ tokens: [TOKEN] });

  const waiting = new Map<number, () => void>();
  let screen = '';
  const requests = new Map<string, number>();
  const botSql = new Map<string, number>();
  const allSql = new Map<string, number>();
  const count = (m: Map<string, number>) => m.set(screen, (m.get(screen) ?? 0) + 1);
  orm.em.getConnection().getKnex().on('query', () => count(allSql));
  const pgStore = postgresStateStore(orm, 'bench-shop');
  const countedStore = {
    read: (key: string) => (count(botSql), pgStore.read(key)),
    readMany: (keys: string[]) => (count(botSql), pgStore.readMany!(keys)),
    write: (key: string, value: unknown) => (count(botSql), pgStore.write(key, value)),
    delete: (key: string) => (count(botSql), pgStore.delete(key)),
  };
  const shop = createShopBot(
    { token: TOKEN, apiRoot: fake.apiRoot, apiUrl: `http://127.0.0.1:${port}`, apiKey: secret },
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

  const ids = Array.from({ length: users }, (_, i) => 7_000_000_000 + i);
  const results: Record<string, number[]> = { '/start': [], 'Buy → plan list': [] };
  const thread = new Map<string, { run: number; wait: number }>();
  const inspector = values.profile ? new Session() : null;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  const wall = performance.now();
  for (const [name, text] of [['/start', '/start'], ['Buy → plan list', '🛒 خرید اشتراک']] as const) {
    screen = name;
    const before = mainThreadTimes();
    results[name] = await Promise.all(ids.map((u) => send(u, text)));
    const after = mainThreadTimes();
    thread.set(name, { run: (after.run - before.run) / users, wait: (after.wait - before.wait) / users });
  }
  const total = performance.now() - wall;
  if (inspector) {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(values.profile!, JSON.stringify(profile));
    inspector.disconnect();
  }

  const plansShown = ids.filter((u) => fake.sentTo(u, TOKEN).some((m) => m.buttons.length >= 4)).length;
  process.stdout.write(`\nshop bot: ${users} users, /start then Buy at once (runner long polling, fake Bot API over HTTP, API + PostgreSQL in process: ${db.label})\n\n`);
  process.stdout.write(`${'screen'.padEnd(18)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'GraphQL/screen'.padStart(15)}\n`);
  let ok = true;
  for (const [name, times] of Object.entries(results)) {
    const sorted = [...times].sort((a, b) => a - b);
    const perScreen = (requests.get(name) ?? 0) / users;
    ok &&= perScreen <= 2 && pct(sorted, 99) < 1000;
    process.stdout.write(`${name.padEnd(18)} ${pct(sorted, 50).toFixed(0).padStart(8)} ${pct(sorted, 99).toFixed(0).padStart(8)} ${sorted[sorted.length - 1].toFixed(0).padStart(8)} ${perScreen.toFixed(2).padStart(15)}\n`);
  }
  process.stdout.write(`\n${'where the time goes'.padEnd(18)} ${'SQL bot'.padStart(8)} ${'SQL API'.padStart(8)} ${'CPU ms'.padStart(8)} ${'wait ms'.padStart(8)}  (per update; CPU/wait: the one main thread on a CPU / waiting for one)\n`);
  for (const name of Object.keys(results)) {
    const bot = (botSql.get(name) ?? 0) / users;
    const sql = (allSql.get(name) ?? 0) / users;
    const t = thread.get(name)!;
    process.stdout.write(`${name.padEnd(18)} ${bot.toFixed(2).padStart(8)} ${(sql - bot).toFixed(2).padStart(8)} ${t.run.toFixed(1).padStart(8)} ${t.wait.toFixed(1).padStart(8)}\n`);
  }
  process.stdout.write(`\nplan lists shown: ${plansShown}/${users}; wall time ${(total / 1000).toFixed(1)} s; targets (≤ 2 requests per screen, p99 < 1 s): ${ok ? 'met' : 'NOT met'}\n`);

  await handle.stop();
  await fake.close();
  await api.stop();
  await services.panels.close();
  await orm.close(true);
  await db.release();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
