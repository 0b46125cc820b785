/**
 * Approval benchmark (`npm run bench:approve`, issue 10 §4).
 *
 * 200 open card-to-card orders (by default) are approved one after the other through the
 * service the `approvePayment` mutation runs (in its own transaction, as the resolver does). A
 * graphile-worker runner (LISTEN/NOTIFY, as in production) stands in for the worker and records
 * when each provisioning job starts. In the same run, 200 jobs of a no-op task added through
 * graphile-worker's own `addJob` (no wrapper of ours) give the floor. It prints SQL statements per approval (knex `query` events),
 * BEGIN→COMMIT time, and approve→job-start latency p50/p99 next to the raw enqueue→start.
 *
 *   npm run bench:approve
 *   npm run bench:approve -- --approvals 500
 *   npm run bench:approve -- --explain        also list the statements of one approval
 *                                             (BENCH_SQL_WIDTH=100000 prints them whole)
 *
 * Targets: ≤ 8 statements per approval; approve → job start p50 ≤ 10 ms, p99 ≤ 40 ms.
 * Printed, never asserted in a test. Database: see bench/bench-db.ts.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { run, type Runner } from 'graphile-worker';
import { migrate } from '../src/db/database';
import { openOrm } from '../src/main/orm';
import { Customer } from '../src/entities/customer.entity';
import { Inbound } from '../src/entities/inbound.entity';
import { Payment } from '../src/entities/payment.entity';
import { Plan } from '../src/entities/plan.entity';
import { Server, ServerKind, ServerStatus } from '../src/entities/server.entity';
import { createOrder } from '../src/services/order.service';
import { approvePayment } from '../src/services/payment.service';
import { openBenchDb } from './bench-db';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { approvals: { type: 'string', default: '200' }, explain: { type: 'boolean', default: false } } });
  const n = Number(values.approvals);
  if (!(n > 0)) throw new Error('--approvals must be positive');
  const db = await openBenchDb();
  const orm = await openOrm(db.url, 10);
  let runner: Runner | null = null;
  try {
    await migrate(orm);
    const em = orm.em.fork();
    const group = `bench-${randomUUID().slice(0, 8)}`;
    const plan = em.create(Plan, { code: group, titleFa: 'بنچ', titleEn: 'Bench', trafficBytes: 1024 ** 3, durationDays: 30, price: 1000, serverGroup: group });
    const server = em.create(Server, {
      name: group,
      kind: ServerKind.SUI,
      baseUrl: 'http://127.0.0.1:9',
      credentialsEnc: 'unused',
      serverGroup: group,
      capacity: n * 2,
      status: ServerStatus.HEALTHY,
    });
    em.create(Inbound, { server, remoteId: '1', tag: 'vless-443', protocol: 'vless', port: 443 });
    await em.flush();
    const paymentIds: string[] = [];
    for (let i = 0; i < n; i++) {
      const order = await orm.em.fork().transactional(async (tx) => {
        const customer = tx.create(Customer, { telegramId: 8_000_000_000 + i, username: `a${i}` });
        await tx.flush();
        return createOrder(tx, { provisionMaxAttempts: 9 }, {
          customer,
          principal: `bench:${i}`,
          actor: 'bench',
          idempotencyKey: randomUUID(),
          order: { kind: 'NEW', planId: plan.id, paymentMethod: 'CARD_TO_CARD' },
        });
      });
      paymentIds.push((await orm.em.fork().findOneOrFail(Payment, { order: order.id })).id);
    }

    // The worker's stand-in: records when each job starts.
    const startedAt = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    const onStart = (key: string) => {
      startedAt.set(key, performance.now());
      waiters.get(key)?.();
    };
    runner = await run({
      connectionString: db.url,
      concurrency: 4,
      noHandleSignals: true,
      pollInterval: 2000,
      logger: new (await import('graphile-worker')).Logger(() => () => undefined),
      taskList: {
        provision_subscription: async (payload) => onStart(`sub:${(payload as { subscriptionId: string }).subscriptionId}`),
        send_notification: async () => undefined,
        bench_noop: async (payload) => onStart(`raw:${(payload as { i: number }).i}`),
      },
    });
    const started = (key: string) =>
      startedAt.has(key) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(key, resolve));

    const knex = orm.em.getConnection().getKnex();
    let statements = 0;
    const firstSql: string[] = [];
    knex.on('query', (q: { sql: string }) => {
      statements += 1;
      if (values.explain && perApproval.length === 0) firstSql.push(q.sql.replace(/\s+/g, ' ').slice(0, Number(process.env.BENCH_SQL_WIDTH ?? 160)));
    });
    const perApproval: number[] = [];
    const txMs: number[] = [];
    const approveLatency: number[] = [];
    for (const id of paymentIds) {
      statements = 0;
      const t0 = performance.now();
      const payment = await orm.em.fork().transactional((tx) => approvePayment(tx, { provisionMaxAttempts: 9 }, id, null, 'bench'));
      const committed = performance.now();
      txMs.push(committed - t0);
      perApproval.push(statements);
      const key = `sub:${payment.order.subscription!.id}`;
      await started(key);
      approveLatency.push(startedAt.get(key)! - committed);
    }
    const rawLatency: number[] = [];
    for (let i = 0; i < n; i++) {
      await runner.addJob('bench_noop', { i });
      const committed = performance.now();
      await started(`raw:${i}`);
      rawLatency.push(startedAt.get(`raw:${i}`)! - committed);
    }
    process.stdout.write(
      [
        `database: ${db.label}`,
        `${n} approvals (sequential, each in its own transaction, as the approvePayment mutation runs it)`,
        `SQL statements per approval: p50 ${pct(perApproval, 50)}, max ${Math.max(...perApproval)} (target ≤ 8, BEGIN and COMMIT included)`,
        `BEGIN → COMMIT: p50 ${pct(txMs, 50).toFixed(1)} ms, p99 ${pct(txMs, 99).toFixed(1)} ms`,
        `approve (commit) → provisioning job start: p50 ${pct(approveLatency, 50).toFixed(1)} ms, p99 ${pct(approveLatency, 99).toFixed(1)} ms (target p50 ≤ 10, p99 ≤ 40)`,
        `graphile addJob → job start (same run):    p50 ${pct(rawLatency, 50).toFixed(1)} ms, p99 ${pct(rawLatency, 99).toFixed(1)} ms`,
        ...(values.explain ? ['statements of the first approval:', ...firstSql.map((q, i) => `  ${i + 1}. ${q}`)] : []),
        '',
      ].join('\n'),
    );
  } finally {
    if (runner) await runner.stop();
    await orm.close(true);
    await db.release();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
