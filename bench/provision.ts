/**
 * Provisioning benchmark (`npm run bench:provision`, issue 10 §3).
 *
 * 1,000 paid orders (by default) on two simulated panels (S-UI 1.5 with an API token, 3x-ui 3.0.2 with a password login),
 * with 50 ms added to every panel request. The panels run in a child process of their own
 * (bench/provision-panels.ts): real panels are other machines, and in this process they took the
 * worker's event loop and a sixth of its CPU. The orders are paid in the database (fulfilPaidOrder:
 * subscription placed, provisioning job queued), then the real worker (graphile-worker with our
 * task list; PANEL_CONCURRENCY as configured, WORKER_CONCURRENCY defaulting to twice the panel
 * slots, 2 × servers × PANEL_CONCURRENCY, see below) runs until every subscription is ACTIVE. It prints:
 *   - panel requests per provisioning (the simulators' counters), per panel kind;
 *   - CPU per provisioning of the worker (this process), of the panels' process and, when the
 *     bench started its own embedded PostgreSQL, of the database server (the robust figure on a
 *     busy machine); SQL statements through the ORM, database transactions, jobs run;
 *   - wall time from worker start to the last ACTIVE, and the ratio to the ideal bound
 *     ceil(orders / (servers × PANEL_CONCURRENCY)) × requests × latency, where `requests` is the
 *     target of 2 per provisioning (target ratio ≤ 1.25);
 *   - job time (graphile-worker job:start → job:success) of the first and the last 100 jobs
 *     (must not grow as the panels fill up).
 *
 *   npm run bench:provision
 *   npm run bench:provision -- --orders 300 --latency 50
 *   npm run bench:provision -- --profile run.cpuprofile   (CPU profile of the run phase, this process)
 *
 * Exit code 1 when a subscription did not become ACTIVE.
 * Printed, never asserted in a test (noisy machines). Database: see bench/bench-db.ts.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { Job } from 'graphile-worker';
import { createPanelAdapter } from '../src/clients/panel.factory';
import { createTelegramSender } from '../src/clients/telegram.client';
import { parseConfig } from '../src/config';
import { SecretBox } from '../src/crypto';
import { migrate } from '../src/db/database';
import { openOrm } from '../src/main/orm';
import { Customer } from '../src/entities/customer.entity';
import { Order, OrderKind, PaymentMethod } from '../src/entities/order.entity';
import { Plan } from '../src/entities/plan.entity';
import { Server, ServerKind, ServerStatus } from '../src/entities/server.entity';
import { SubscriptionStatus } from '../src/entities/subscription.entity';
import { createLogger } from '../src/logger';
import { AdminAlerts } from '../src/notifications/alerts';
import { fulfilPaidOrder } from '../src/services/order-fulfilment.service';
import { PanelRegistry } from '../src/services/panel-registry';
import { syncInbounds } from '../src/services/server.service';
import { createWorker } from '../src/worker/worker';
import { openBenchDb } from './bench-db';
import { startRemotePanels } from './provision-panels';
import { countOrmStatements, databaseXacts, selfCpuMs, startProfile, treeCpuMs } from './provision-stats';

const TOKEN = 'bench-provision-token-0123456789abcdef';
const TARGET_REQUESTS = 2;
const TARGET_RATIO = 1.25;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { orders: { type: 'string', default: '1000' }, latency: { type: 'string', default: '50' }, profile: { type: 'string' } } });
  const orders = Number(values.orders);
  const latency = Number(values.latency);
  if (!(orders > 0) || !(latency >= 0)) throw new Error('--orders must be positive and --latency ≥ 0');

  // The ideal bound assumes every panel request slot (servers × PANEL_CONCURRENCY) always busy. A
  // job holds a slot only during its panel requests; its database work before and after leaves
  // the slot idle unless another job is ready to take it: twice as many jobs as slots.
  const env = { ...process.env } as Record<string, string>;
  const panelConcurrency = Number(env.PANEL_CONCURRENCY ?? 4);
  const config = parseConfig({ ...env, LOG_LEVEL: 'warn', WORKER_CONCURRENCY: env.WORKER_CONCURRENCY ?? String(2 * 2 * panelConcurrency) });
  // Notifications fail without a bot token here; only fatal errors are worth printing.
  const logger = createLogger({ level: 'fatal' });
  const db = await openBenchDb();
  const panelsHost = await startRemotePanels(TOKEN);
  const { sui, xui } = panelsHost;
  const orm = await openOrm(db.url, 20);
  const secrets = new SecretBox(randomBytes(32));
  const panels = new PanelRegistry(createPanelAdapter, secrets, { concurrency: config.PANEL_CONCURRENCY });
  const worker = createWorker({
    config,
    logger,
    orm,
    services: { secrets, panels, telegram: createTelegramSender({ apiRoot: config.TELEGRAM_API_ROOT, tokens: { USER_BOT: '', ADMIN_BOT: '' } }), alerts: new AdminAlerts(orm) },
    cron: false,
    pollInterval: 500,
  });
  try {
    await migrate(orm);
    const em = orm.em.fork();
    const group = `bench-${randomUUID().slice(0, 8)}`;
    const plan = em.create(Plan, { code: group, titleFa: 'بنچ', titleEn: 'Bench', trafficBytes: 50 * 1024 ** 3, durationDays: 30, price: 1000, serverGroup: group });
    const servers = [
      { kind: ServerKind.SUI, url: sui.url, creds: { apiToken: TOKEN } },
      { kind: ServerKind.XUI, url: xui.url, creds: { username: xui.username, password: xui.password } },
    ].map((p, i) =>
      em.create(Server, {
        name: `${group}-${i + 1}`,
        kind: p.kind,
        baseUrl: p.url,
        credentialsEnc: secrets.encryptJson(p.creds),
        serverGroup: group,
        capacity: orders,
        status: ServerStatus.HEALTHY,
      }),
    );
    await em.flush();
    for (const s of servers) await orm.em.fork().transactional((tx) => syncInbounds(tx, panels, s.id));

    process.stdout.write(`paying ${orders} orders ...\n`);
    for (let i = 0; i < orders; i += 100) {
      await orm.em.fork().transactional(async (tx) => {
        const batch: Order[] = [];
        for (let j = i; j < Math.min(orders, i + 100); j++) {
          const customer = tx.create(Customer, { telegramId: 9_000_000_000 + j, username: `b${j}` });
          const order = tx.create(Order, {
            number: 500_000 + j,
            customer,
            plan: tx.getReference(Plan, plan.id),
            kind: OrderKind.NEW,
            paymentMethod: PaymentMethod.CARD_TO_CARD,
            price: 1000,
            amountDue: 1000,
            principal: 'bench',
            idempotencyKey: randomUUID(),
          });
          batch.push(order);
        }
        // fulfilPaidOrder writes in one statement of its own (src/services/write-batch.ts): the
        // customers and orders it refers to must be in the database first.
        await tx.flush();
        for (const order of batch) await fulfilPaidOrder(tx, { provisionMaxAttempts: config.PROVISION_MAX_ATTEMPTS }, order, 'bench');
      });
    }

    // Every panel request from now on is provisioning; 50 ms added to each.
    for (const sim of [sui, xui]) {
      await sim.resetCounters();
      if (latency > 0) await sim.slowEveryRequest(latency);
    }
    const started = new Map<string, number>();
    const jobMs: number[] = [];
    const jobsRun = new Map<string, number>();
    const statements = countOrmStatements(orm);
    const before = {
      self: selfCpuMs(),
      panels: treeCpuMs(panelsHost.pid),
      pg: db.postgresPid ? treeCpuMs(db.postgresPid) : null,
      xacts: await databaseXacts(orm),
      statements: statements.count(),
    };
    const profile = await startProfile(values.profile);
    const t0 = performance.now();
    await worker.start();
    const events = (worker.runner as unknown as { events: import('graphile-worker').WorkerEvents }).events;
    events.on('job:start', ({ job }: { job: Job }) => started.set(job.id, performance.now()));
    events.on('job:complete', ({ job, error }: { job: Job; error: unknown }) => {
      const key = `${job.task_identifier}${error ? ' (failed)' : ''}`;
      jobsRun.set(key, (jobsRun.get(key) ?? 0) + 1);
    });
    events.on('job:success', ({ job }: { job: Job }) => {
      const s = started.get(job.id);
      if (s !== undefined && job.task_identifier === 'provision_subscription') jobMs.push(performance.now() - s);
    });
    let active = 0;
    for (;;) {
      const [row] = await orm.em.fork().getConnection().execute<Array<{ n: string; left: string }>>(
        `select count(*) filter (where status = ?) as n, count(*) filter (where status = ?) as left from subscription`,
        [SubscriptionStatus.ACTIVE, SubscriptionStatus.PROVISIONING],
      );
      active = Number(row!.n);
      if (Number(row!.left) === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const wallMs = performance.now() - t0;
    const after = { self: selfCpuMs(), panels: treeCpuMs(panelsHost.pid), pg: db.postgresPid ? treeCpuMs(db.postgresPid) : null, statements: statements.count() };
    await profile.stop();
    await worker.stop();
    await new Promise((r) => setTimeout(r, 1000)); // PostgreSQL publishes its counters about once a second
    const xacts = (await databaseXacts(orm)) - before.xacts - 1;

    const requests = { sui: await sui.requestCount(), xui: await xui.requestCount() };
    const perServer = await orm.em.fork().getConnection().execute<Array<{ kind: string; n: string }>>(
      `select s.kind, count(*) as n from subscription x join server s on s.id = x.server_id group by s.kind`,
    );
    const countOf = (kind: string) => Number(perServer.find((r) => r.kind === kind)?.n ?? 0);
    const suiSubs = countOf(ServerKind.SUI);
    const xuiSubs = countOf(ServerKind.XUI);
    const ideal = Math.ceil(orders / (2 * config.PANEL_CONCURRENCY)) * TARGET_REQUESTS * latency;
    const ratio = ideal > 0 ? wallMs / ideal : NaN;
    const first = jobMs.slice(0, 100);
    const last = jobMs.slice(-100);
    process.stdout.write(
      [
        `database: ${db.label}`,
        `orders ${orders}, servers 2 (S-UI ${sui.version}: ${suiSubs} subscriptions, 3x-ui ${xui.version}: ${xuiSubs}), latency +${latency} ms per panel request,`,
        `WORKER_CONCURRENCY ${config.WORKER_CONCURRENCY}, PANEL_CONCURRENCY ${config.PANEL_CONCURRENCY}`,
        `ACTIVE: ${active}/${orders}`,
        `panel requests per provisioning: S-UI ${(requests.sui / Math.max(1, suiSubs)).toFixed(2)}, 3x-ui ${(requests.xui / Math.max(1, xuiSubs)).toFixed(2)} (target ≤ ${TARGET_REQUESTS})`,
        `wall time worker start → last ACTIVE: ${(wallMs / 1000).toFixed(1)} s; ideal bound ${(ideal / 1000).toFixed(1)} s; ratio ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? 'reached' : 'MISSED'})`,
        `CPU per provisioning: worker (this process) ${((after.self - before.self) / orders).toFixed(1)} ms, simulated panels (their process) ${((after.panels! - before.panels!) / orders).toFixed(1)} ms` +
          (after.pg !== null && before.pg !== null ? `, PostgreSQL ${((after.pg - before.pg) / orders).toFixed(1)} ms` : ' (PostgreSQL: not measured, not embedded)'),
        `per provisioning: ${((after.statements - before.statements) / orders).toFixed(1)} SQL statements through the ORM, ${(xacts / orders).toFixed(1)} database transactions (graphile-worker's included); jobs run: ${[...jobsRun].map(([k, v]) => `${k} ${v}`).join(', ')}`,
        `job time, first 100 jobs: p50 ${pct(first, 50).toFixed(0)} ms, p99 ${pct(first, 99).toFixed(0)} ms; last 100: p50 ${pct(last, 50).toFixed(0)} ms, p99 ${pct(last, 99).toFixed(0)} ms`,
        '',
      ].join('\n'),
    );
    if (active !== orders) process.exitCode = 1;
  } finally {
    await worker.stop().catch(() => undefined);
    await panels.close();
    await orm.close(true);
    await panelsHost.close();
    await db.release();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
