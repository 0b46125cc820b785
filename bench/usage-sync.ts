/**
 * Usage-sync benchmark (`npm run bench:usage-sync`): 10,000 subscriptions on 5 simulated panels
 * (S-UI and 3x-ui of several versions); `npm run bench:usage-sync -- 100000` runs 100,000 on 10.
 * A second argument overrides the number of servers.
 *
 * Clients are seeded in-process through the simulators' hooks, with counters already moved; the
 * matching subscription rows go in with one bulk INSERT. Then one full `sync_server_usage` of every
 * server runs (the job's body, one server after the other) and the bench prints, per server: panel
 * requests (simulator request counter; the sessions are warmed up first, so this is the steady-state
 * cost), SQL statements issued (counted on the ORM's knex `query` event, so every statement the sync
 * sends is seen), rows written and wall time; then the time of one minute lifecycle pass
 * (schedule_usage_sync) over all subscriptions. It checks that the bytes written equal the bytes
 * seeded and exits non-zero when a server needed more than 2 panel requests or the totals differ.
 *
 * Database: DATABASE_URL when set (a throw-away database is created on that server when allowed,
 * else the bench's rows are deleted afterwards); otherwise an embedded PostgreSQL on a temporary
 * data directory that is removed at the end.
 */
import type { Knex, MikroORM } from '@mikro-orm/postgresql';
import { performance } from 'node:perf_hooks';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createPanelAdapter } from '../src/clients/panel.factory';
import { SecretBox } from '../src/crypto';
import { migrate } from '../src/db/database';
import { openOrm } from '../src/main/orm';
import { openBenchDb } from './bench-db';
import { startPanel, TARGETS, type Panel } from './usage-sync-panels';
import { Plan } from '../src/entities/plan.entity';
import { Server, ServerKind, ServerStatus } from '../src/entities/server.entity';
import { createLogger } from '../src/logger';
import { AdminAlerts } from '../src/notifications/alerts';
import { PanelRegistry } from '../src/services/panel-registry';
import { runLifecyclePass } from '../src/services/subscription-lifecycle.service';
import { panelNameFor } from '../src/services/subscription.service';
import { syncServerUsage, USAGE_BATCH_SIZE, type UsageSyncResult } from '../src/services/usage-sync.service';

const MAX_PANEL_REQUESTS = 2;
const GB = 1024 ** 3;
const QUOTA = 50 * GB;
/** Subscriptions per customer (customers only exist for the foreign key and warnings). */
const SUBS_PER_CUSTOMER = 20;
interface Row {
  server: string;
  panel: string;
  subscriptions: number;
  requests: number;
  statements: number;
  result: UsageSyncResult;
  ms: number;
}

function table(rows: Row[]): string {
  const head = ['server', 'panel', 'subs', 'panel req', 'SQL stmts', 'batches', 'rows written', 'samples', 'ms', 'check'];
  const body = rows.map((r) => [
    r.server,
    r.panel,
    String(r.subscriptions),
    String(r.requests),
    String(r.statements),
    String(r.result.batches),
    String(r.result.updated),
    String(r.result.samples),
    r.ms.toFixed(0),
    r.result.skipped ? `FAIL ${r.result.skipped}` : r.requests <= MAX_PANEL_REQUESTS && r.result.updated === r.subscriptions ? 'ok' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function parseCount(arg: string | undefined, fallback: number): number {
  if (!arg) return fallback;
  const m = /^(\d+)(k)?$/i.exec(arg.trim());
  if (!m) throw new Error(`not a number: ${arg}`);
  return Number(m[1]) * (m[2] ? 1000 : 1);
}

/** Inserts the plan, customers, servers and subscriptions (one bulk statement for the subscriptions). */
async function seedDatabase(
  orm: MikroORM,
  secrets: SecretBox,
  panels: Panel[],
  total: number,
): Promise<{ servers: Server[]; plan: Plan; perServer: Array<Array<{ name: string; up: number; down: number }>>; seededBytes: number }> {
  const em = orm.em.fork();
  const group = `bench-${randomUUID().slice(0, 8)}`;
  const plan = em.create(Plan, { code: group, titleFa: 'بنچ', titleEn: 'Bench', trafficBytes: QUOTA, durationDays: 30, price: 1000, serverGroup: group });
  const servers = panels.map((p, i) =>
    em.create(Server, {
      name: `${group}-${i + 1}`,
      kind: p.kind === 'SUI' ? ServerKind.SUI : ServerKind.XUI,
      baseUrl: p.url,
      credentialsEnc: secrets.encryptJson(p.creds),
      serverGroup: group,
      capacity: total,
      status: ServerStatus.HEALTHY,
    }),
  );
  await em.flush();

  const customers = Math.ceil(total / SUBS_PER_CUSTOMER);
  const customerIds = Array.from({ length: customers }, () => randomUUID());
  await em.getConnection().execute(
    `insert into customer (id, telegram_id, username, language, status, referral_code, created_at)
     select x.id, x.tg, 'bench', 'fa', 'ACTIVE', 'b' || replace(x.id::text, '-', ''), now() from jsonb_to_recordset(?::jsonb) as x(id uuid, tg bigint)`,
    [JSON.stringify(customerIds.map((id) => ({ id, tg: randomInt(10_000_000, 2 ** 40) })))],
  );

  const perServer: Array<Array<{ name: string; up: number; down: number }>> = servers.map(() => []);
  const rows: Array<{ id: string; c: string; s: string; name: string }> = [];
  let seededBytes = 0;
  for (let i = 0; i < total; i++) {
    const id = randomUUID();
    const k = i % servers.length;
    const name = panelNameFor(id);
    // Up to 70 % of the quota, one in twenty above the 80 % warning (none depleted).
    const share = i % 20 === 0 ? 0.8 + Math.random() * 0.15 : Math.random() * 0.7;
    const bytes = Math.floor(QUOTA * share);
    const up = Math.floor(bytes / 4);
    perServer[k].push({ name, up, down: bytes - up });
    seededBytes += bytes;
    rows.push({ id, c: customerIds[Math.floor(i / SUBS_PER_CUSTOMER)], s: servers[k].id, name });
  }
  await em.getConnection().execute(
    `insert into subscription (id, customer_id, plan_id, server_id, panel_name, client_uuid, client_password, status, traffic_limit_bytes,
                               sub_token, expires_at, activated_at, created_at, updated_at)
     select x.id, x.c, ?, x.s, x.name, gen_random_uuid(), 'bench', 'ACTIVE', ?, x.id::text,
            now() + interval '30 days', now() - interval '1 day', now(), now()
       from jsonb_to_recordset(?::jsonb) as x(id uuid, c uuid, s uuid, name text)`,
    [plan.id, QUOTA, JSON.stringify(rows)],
  );
  return { servers, plan, perServer, seededBytes };
}

async function main(): Promise<number> {
  const total = parseCount(process.argv[2], 10_000);
  const serverCount = parseCount(process.argv[3], total >= 100_000 ? 10 : 5);
  const logger = createLogger({ level: 'warn' });

  const dbStart = performance.now();
  const db = await openBenchDb();
  let orm: MikroORM | null = null;
  const panels: Panel[] = [];
  const secrets = new SecretBox(randomBytes(32));
  const registry = new PanelRegistry(createPanelAdapter, secrets, { maxRetries: 0 });
  let servers: Server[] = [];
  let plan: Plan | null = null;
  try {
    orm = await openOrm(db.url, 4);
    await migrate(orm);
    const dbMs = performance.now() - dbStart;

    const seedStart = performance.now();
    for (let i = 0; i < serverCount; i++) panels.push(await startPanel(TARGETS[i % TARGETS.length]));
    const seeded = await seedDatabase(orm, secrets, panels, total);
    servers = seeded.servers;
    plan = seeded.plan;
    panels.forEach((p, i) => p.seed(seeded.perServer[i]));
    const seedMs = performance.now() - seedStart;

    // Warm the sessions (login, version detection) so the count is what every later sync costs.
    for (const s of servers) {
      const adapter = registry.adapterFor(s);
      await adapter.detect();
      await adapter.listInbounds();
    }
    for (const p of panels) p.server.resetCounters();

    const knex = (orm.em.getConnection() as unknown as { getKnex(): Knex }).getKnex();
    let statements = 0;
    knex.on('query', () => {
      statements += 1;
    });
    const deps = { panels: registry, alerts: new AdminAlerts(orm), logger };
    const rows: Row[] = [];
    const syncStart = performance.now();
    for (const [i, s] of servers.entries()) {
      const before = statements;
      const t0 = performance.now();
      const result = await syncServerUsage(orm.em.fork(), deps, s.id);
      rows.push({
        server: s.name,
        panel: panels[i].label,
        subscriptions: seeded.perServer[i].length,
        requests: panels[i].server.requestCount(),
        statements: statements - before,
        result,
        ms: performance.now() - t0,
      });
    }
    const syncMs = performance.now() - syncStart;

    // The minute pass (schedule_usage_sync) over every subscription, with nothing new to do.
    const passBefore = statements;
    const passStart = performance.now();
    const pass = await runLifecyclePass(orm.em.fork());
    const passMs = performance.now() - passStart;
    const passStatements = statements - passBefore;

    const [check] = await orm.em.fork().getConnection().execute(
      `select coalesce(sum(used_up_bytes + used_down_bytes), 0)::text as used, (select count(*) from usage_sample)::int as samples,
              (select count(*) from notification where kind = 'USAGE_WARNING')::int as warnings,
              (select count(*) from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
                where t.identifier = 'send_notification')::int as deliveries
         from subscription where server_id in (?)`,
      [servers.map((s) => s.id)],
    );

    console.log(table(rows));
    console.log('');
    console.log(`database: ${db.label}, ready (migrated) in ${dbMs.toFixed(0)} ms`);
    console.log(`seeded ${total} subscriptions on ${serverCount} simulated panels (clients in-process, rows in one INSERT) in ${seedMs.toFixed(0)} ms`);
    console.log(`one full usage sync of all ${serverCount} servers, one after the other: ${syncMs.toFixed(0)} ms wall time`);
    const totalStatements = rows.reduce((a, r) => a + r.statements, 0);
    const maxPerServer = Math.max(...rows.map((r) => r.statements));
    console.log(
      `SQL statements: ${totalStatements} in all, at most ${maxPerServer} per server. Per server it is 5 + one per batch of ` +
        `${USAGE_BATCH_SIZE} subscriptions (no statement per subscription): constant up to ${USAGE_BATCH_SIZE} subscriptions per server, ` +
        `then +1 per further ${USAGE_BATCH_SIZE}; +1 statement and the admin alert when clients are missing on a panel.`,
    );
    console.log(
      `minute lifecycle pass over all ${total} subscriptions (schedule_usage_sync, no panel): ${passMs.toFixed(0)} ms, ` +
        `${passStatements} SQL statements (${JSON.stringify(pass)})`,
    );
    console.log(`usage written: ${check.used} bytes (seeded ${seeded.seededBytes}); usage_sample rows: ${check.samples}; 80 % warnings queued: ${check.warnings} (delivery jobs: ${check.deliveries})`);

    const failed = rows.filter((r) => r.requests > MAX_PANEL_REQUESTS || r.result.skipped || r.result.updated !== r.subscriptions);
    const expectedMax = 5 + Math.ceil(Math.max(...rows.map((r) => r.subscriptions)) / USAGE_BATCH_SIZE);
    if (failed.length > 0) {
      console.error(`FAIL: ${failed.map((r) => r.server).join(', ')} (more than ${MAX_PANEL_REQUESTS} panel requests, rows not written, or panel unavailable)`);
      return 1;
    }
    if (String(seeded.seededBytes) !== check.used) {
      console.error('FAIL: the bytes written differ from the bytes seeded');
      return 1;
    }
    if (maxPerServer > expectedMax) {
      console.error(`FAIL: ${maxPerServer} SQL statements for one server, expected at most ${expectedMax}`);
      return 1;
    }
    console.log(`OK: every server synced with at most ${MAX_PANEL_REQUESTS} panel requests and at most ${expectedMax} SQL statements`);
    return 0;
  } finally {
    await registry.close();
    await Promise.allSettled(panels.map((p) => p.close()));
    if (orm) {
      if (db.cleanupRows && servers.length > 0) {
        const ids = servers.map((s) => s.id);
        const em = orm.em.fork();
        await em.getConnection().execute(`delete from subscription where server_id in (?)`, [ids]).catch(() => undefined);
        await em.getConnection().execute(`delete from customer where username = 'bench' and not exists (select 1 from subscription s where s.customer_id = customer.id)`).catch(() => undefined);
        await em.getConnection().execute(`delete from server where id in (?)`, [ids]).catch(() => undefined);
        if (plan) await em.getConnection().execute(`delete from plan where id = ?`, [plan.id]).catch(() => undefined);
      }
      await orm.close(true);
    }
    await db.release();
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.slice(0, 300)}`;
  return 'unknown error';
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error('bench failed:', errorText(err));
    process.exitCode = 1;
  },
);
