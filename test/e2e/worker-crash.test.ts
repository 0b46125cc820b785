import type { MikroORM } from '@mikro-orm/postgresql';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { SecretBox } from '../../src/crypto';
import { openOrm } from '../../src/main/orm';
import { Payment } from '../../src/entities/payment.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { createOrder } from '../../src/services/order.service';
import { approvePayment } from '../../src/services/payment.service';
import { startSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { buildCustomer, buildPlan, buildServerFor } from '../factories/commerce';
import { createIsolatedDatabase } from '../helpers/db';

const ROOT = path.resolve(__dirname, '..', '..');

function startWorker(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main/worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, JEST_WORKER_ID: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  return { child, output: () => out };
}

async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a worker killed mid-provisioning', () => {
  let db: { url: string; drop(): Promise<void> };
  let orm: MikroORM;
  let sim: SuiSimulator;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    orm = await openOrm(db.url, 4);
    sim = await startSuiSimulator({ profile: '1.5' });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await sim.close();
    await orm.close(true);
    await db.drop();
  });

  it('finishes the job after a restart and leaves exactly one client on the panel', async () => {
    const key = randomBytes(32);
    const secrets = new SecretBox(key);
    const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
    const plan = await buildPlan(orm);
    await buildServerFor(orm, secrets, sim, {
      kind: 'SUI',
      serverGroup: plan.serverGroup,
      inbounds: [{ remoteId: String(inbound.id), tag: inbound.tag, protocol: 'vless', port: 443 }],
    });
    const customer = await buildCustomer(orm);
    const deps = { provisionMaxAttempts: 9 };
    const order = await orm.em.fork().transactional((em) =>
      createOrder(em, deps, {
        customer: em.merge(customer),
        principal: 'test',
        actor: 'test',
        idempotencyKey: randomUUID(),
        order: { kind: 'NEW', planId: plan.id, paymentMethod: 'CARD_TO_CARD' },
      }),
    );
    const payment = await orm.em.fork().findOneOrFail(Payment, { order: order.id });

    const env = { DATABASE_URL: db.url, ENCRYPTION_KEY: key.toString('base64'), WORKER_HEARTBEAT_MS: '300', LOG_LEVEL: 'warn' };
    const first = startWorker(env);
    children.push(first.child);
    let killed = false;
    // Kill the worker the moment the panel has accepted the new client, before our commit.
    sim.server.events.on('handled', (e: { method: string; path: string; status: number }) => {
      if (!killed && e.method === 'POST' && e.path.endsWith('/api/save') && e.status === 200) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    });
    const firstExit = new Promise((r) => first.child.on('exit', r));
    await orm.em.fork().transactional((em) => approvePayment(em, deps, payment.id, null, 'test'));
    await until(async () => killed, 60_000, `the panel to accept the client (worker output: ${first.output()})`);
    await firstExit;

    const em = orm.em.fork();
    const sub = await em.findOneOrFail(Subscription, { customer: customer.id });
    expect(sub.status).toBe(SubscriptionStatus.PROVISIONING);
    expect(sim.state().clients.filter((c) => c.name === sub.panelName)).toHaveLength(1);

    const second = startWorker(env);
    children.push(second.child);
    await until(
      async () => (await orm.em.fork().findOneOrFail(Subscription, { id: sub.id })).status === SubscriptionStatus.ACTIVE,
      60_000,
      `the restarted worker to finish (output: ${second.output()})`,
    );
    expect(sim.state().clients.filter((c) => c.name === sub.panelName)).toHaveLength(1);
    const exit = new Promise<number | null>((r) => second.child.on('exit', (code) => r(code)));
    second.child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 120_000);
});
