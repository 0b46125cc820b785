/**
 * The API of `npm run bench:bot` in its own process (the default; `--api in-process` runs it in
 * the bot's): the production API (createApi over the migrated database in DATABASE_URL), as the
 * shop bot's `npm run start:user-bot` would reach it beside `npm start`. It reports over IPC what
 * the bench prints per screen: the SQL statements it sent and its main thread's time on a CPU and
 * waiting for one. BENCH_API_PROFILE=FILE writes a CPU profile of the measured part to FILE.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseConfig } from '../src/config';
import { createApi, type ApiHandle } from '../src/http/api-server';
import { createLogger } from '../src/logger';
import { openOrm } from '../src/main/orm';
import { createAppServices } from '../src/main/services';

/** The main thread's time on a CPU and waiting in the run queue (ms), where Linux tells; else zeros. */
export function mainThreadTimes(): { run: number; wait: number } {
  try {
    const [run, wait] = readFileSync('/proc/self/schedstat', 'utf8').split(' ').map(Number);
    return { run: run / 1e6, wait: wait / 1e6 };
  } catch {
    return { run: 0, wait: 0 };
  }
}

/**
 * CPU time (ms) of the PostgreSQL backends serving database `db` (Linux /proc: the process title
 * names the database), else 0. Counts backends alive at the time of the call.
 */
export function postgresCpu(db: string): number {
  let ticks = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!title.startsWith('postgres:') || !title.includes(` ${db} `)) continue;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // The process ended meanwhile, or is not ours to read.
      }
    }
  } catch {
    return 0;
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** What the API process reports: totals since it started (the bench takes differences). */
export interface ApiCounters {
  sql: number;
  run: number;
  wait: number;
}

/** Messages between the bench and its API process. */
export type ToApi = { type: 'counters' } | { type: 'stop' };
export type FromApi = { type: 'ready'; port: number } | ({ type: 'counters' } & ApiCounters) | { type: 'stopped' };

/** Starts the API over `url` and counts the SQL statements of its pool. */
export async function startBenchApi(url: string): Promise<{ port: number; api: ApiHandle; counters(): ApiCounters; stop(): Promise<void> }> {
  const logger = createLogger({ level: 'silent' });
  const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATABASE_URL: url });
  // The pool as production sizes it (DATABASE_POOL_MAX).
  const orm = await openOrm(url, config.DATABASE_POOL_MAX);
  const services = createAppServices({ config, logger, orm });
  const api = await createApi({ config, logger, orm, services });
  const port = await api.start();
  let sql = 0;
  orm.em.getConnection().getKnex().on('query', () => (sql += 1));
  return {
    port,
    api,
    counters: () => ({ sql, ...mainThreadTimes() }),
    async stop() {
      await api.stop();
      await services.panels.close();
      await orm.close(true);
    },
  };
}

if (require.main === module && process.send) {
  const send = (m: FromApi) => process.send!(m);
  // BENCH_API_PROFILE=FILE: a CPU profile of this process from the first counters (the start of
  // the measured part) to the last (its end).
  const profileFile = process.env.BENCH_API_PROFILE;
  const inspector = profileFile ? new Session() : null;
  let asked = 0;
  const profile = async () => {
    asked += 1;
    if (!inspector) return;
    if (asked === 1) {
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
    } else if (asked === 4) {
      writeFileSync(profileFile!, JSON.stringify((await inspector.post('Profiler.stop')).profile));
    }
  };
  void startBenchApi(process.env.DATABASE_URL!).then(
    (bench) => {
      process.on('message', (m: ToApi) => {
        if (m.type === 'counters') void profile().then(() => send({ type: 'counters', ...bench.counters() }));
        if (m.type === 'stop') void bench.stop().then(() => send({ type: 'stopped' }));
      });
      send({ type: 'ready', port: bench.port });
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
