/**
 * CPU and database counters of `bench:provision`: CPU time is the robust figure on a shared machine
 * (wall time there depends on whatever else runs). Linux /proc only; elsewhere the CPU of other
 * processes reads as null.
 */
import fs from 'node:fs';
import type { Knex, MikroORM } from '@mikro-orm/postgresql';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime (and, with `reaped`, the CPU of its exited children) of one process, in ms. */
function procCpuMs(pid: number, reaped: boolean): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the name start at 3 (state): utime 14, stime 15, cutime 16, cstime 17.
    const at = (n: number) => Number(f[n - 3]);
    return (at(14) + at(15) + (reaped ? at(16) + at(17) : 0)) * TICK_MS;
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU (ms) used so far by a process and everything it started: its own, that of its live
 * children, and that of children already exited (a PostgreSQL server: postmaster, backends
 * that come and go, background workers).
 */
export function treeCpuMs(pid: number): number | null {
  const own = procCpuMs(pid, true);
  if (own === null) return null;
  return own + childrenOf(pid).reduce((n, c) => n + (procCpuMs(c, true) ?? 0), 0);
}

/** This process's CPU so far, in ms. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Counts the SQL statements the ORM's connection sends (every job body query goes through it). */
export function countOrmStatements(orm: MikroORM): { count(): number } {
  const knex = (orm.em.getConnection() as unknown as { getKnex(): Knex }).getKnex();
  let n = 0;
  const log = process.env.BENCH_SQL_LOG === '1';
  knex.on('query', (q: { sql: string }) => {
    n += 1;
    if (log) process.stderr.write(`SQL ${q.sql.replace(/\s+/g, ' ').slice(0, +(process.env.BENCH_SQL_LEN ?? 220))}\n`);
  });
  return { count: () => n };
}

/** Transactions committed and rolled back in the database so far (every statement outside BEGIN counts one). */
export async function databaseXacts(orm: MikroORM): Promise<number> {
  const [r] = await orm.em.fork().getConnection().execute<Array<{ n: string }>>(
    `select (xact_commit + xact_rollback)::text as n from pg_stat_database where datname = current_database()`,
  );
  return Number(r!.n);
}

/** CPU profile of this process between start() and stop() (`--profile <file>`: the run phase only). */
export async function startProfile(file: string | undefined): Promise<{ stop(): Promise<void> }> {
  if (!file) return { stop: async () => {} };
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
