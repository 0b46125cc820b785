import type { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes, randomUUID } from 'node:crypto';
import { SecretBox } from '../../src/crypto';
import { openOrm } from '../../src/main/orm';
import { Evacuation, EvacuationStatus } from '../../src/entities/evacuation.entity';
import { Payment } from '../../src/entities/payment.entity';
import type { Plan } from '../../src/entities/plan.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { mapLimit } from '../../src/services/concurrency';
import { createOrder } from '../../src/services/order.service';
import { approvePayment } from '../../src/services/payment.service';
import { startSubscriptionMove } from '../../src/services/subscription-move.service';
import { startSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { startXuiSimulator, type XuiSimulator } from '../../src/simulators/xui/xui.simulator';
import { buildCustomer, buildPlan, buildServerFor } from '../factories/commerce';
import { createIsolatedDatabase } from '../helpers/db';

function settled<T>(results: Array<{ ok: true; value: T } | { ok: false; error: unknown }>): T[] {
  return results.map((r) => {
    if (!r.ok) throw r.error;
    return r.value;
  });
}
import { startWorkerProcess, until, type WorkerProcess } from '../helpers/worker-process';

const ORDERS_PER_PANEL = 30;
const HEARTBEAT_MS = 100;
// Every client create takes longer than three heartbeats (the sweeper's staleness limit).
const SLOW_CREATE_MS = HEARTBEAT_MS * 5;

describe('two worker processes with panel calls slower than three heartbeats', () => {
  let db: { url: string; drop(): Promise<void> };
  let orm: MikroORM;
  let xui: XuiSimulator;
  let sui: SuiSimulator;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    orm = await openOrm(db.url, 6);
    xui = await startXuiSimulator({ profile: 'G5', version: '3.0.2' });
    sui = await startSuiSimulator({ profile: '1.5' });
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await xui.close();
    await sui.close();
    await orm.close(true);
    await db.drop();
  });

  const deps = { provisionMaxAttempts: 5 };

  /** `n` paid NEW orders of `plan` (each queues its provisioning job); returns the subscription ids. */
  async function paidOrders(plan: Plan, n: number): Promise<string[]> {
    const one = async (): Promise<string> => {
      const customer = await buildCustomer(orm);
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
      await orm.em.fork().transactional((em) => approvePayment(em, deps, payment.id, null, 'test'));
      return (await orm.em.fork().findOneOrFail(Subscription, { customer: customer.id })).id;
    };
    return settled(await mapLimit(Array.from({ length: n }), 4, one));
  }

  /** Moves the provisioning jobs' run_at (holding them back until both workers are up, then releasing them). */
  async function provisioningRunAt(sql: string): Promise<void> {
    await orm.em.fork().getConnection().execute(
      `update graphile_worker._private_jobs set run_at = ${sql}
        where task_id = (select id from graphile_worker._private_tasks where identifier = 'provision_subscription')`,
    );
  }

  it('runs each provisioning and each move job body once and leaves exactly one client per subscription, on 3x-ui 3.0 and on S-UI', async () => {
    const key = randomBytes(32);
    const secrets = new SecretBox(key);
    const xuiInbound = xui.addInbound({ protocol: 'vless', port: 443, remark: 'main' });
    const xuiPlan = await buildPlan(orm);
    const xuiServer = await buildServerFor(orm, secrets, xui, {
      kind: 'XUI',
      serverGroup: xuiPlan.serverGroup,
      inbounds: [{ remoteId: String(xuiInbound), tag: 'inbound-443', protocol: 'vless', port: 443 }],
    });
    const suiInbound = sui.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
    const suiPlan = await buildPlan(orm);
    await buildServerFor(orm, secrets, sui, {
      kind: 'SUI',
      serverGroup: suiPlan.serverGroup,
      inbounds: [{ remoteId: String(suiInbound.id), tag: suiInbound.tag, protocol: 'vless', port: 443 }],
    });
    xui.server.injectFault({ fault: { kind: 'slow', ms: SLOW_CREATE_MS }, times: Infinity, match: { method: 'POST', pathIncludes: 'addClient' } });
    sui.server.injectFault({ fault: { kind: 'slow', ms: SLOW_CREATE_MS }, times: Infinity, match: { method: 'POST', pathIncludes: '/api/save' } });

    const xuiSubs = await paidOrders(xuiPlan, ORDERS_PER_PANEL);
    const suiSubs = await paidOrders(suiPlan, ORDERS_PER_PANEL);
    const all = [...xuiSubs, ...suiSubs];
    await provisioningRunAt(`now() + interval '1 hour'`);

    const env = {
      DATABASE_URL: db.url,
      ENCRYPTION_KEY: key.toString('base64'),
      WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS),
      WORKER_CONCURRENCY: '8',
      LOG_LEVEL: 'info',
    };
    workers.push(startWorkerProcess(env), startWorkerProcess(env));
    const output = (): string => workers.map((w, i) => `--- worker ${i + 1}\n${w.output().slice(-3000)}`).join('\n');
    // Both processes are up before the jobs may run, so both take part.
    await until(async () => workers.every((w) => w.logs().some((l) => l.msg === 'worker running')), 60_000, output);
    await provisioningRunAt('now()');
    await until(
      async () => {
        const n = await orm.em.fork().count(Subscription, { id: { $in: all }, status: SubscriptionStatus.ACTIVE });
        const pending = await orm.em.fork().getConnection().execute<Array<{ n: number }>>(`select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'provision_subscription'`);
        return n === all.length && pending[0].n === 0;
      },
      90_000,
      () => `all ${all.length} subscriptions to become ACTIVE (${output()})`,
    );
    // Moves of S-UI subscriptions to 3x-ui, taken by whichever process is free (the source's
    // evacuation queue keeps them one at a time): each runs once and leaves one client, on the target.
    const moved = suiSubs.slice(0, 4);
    const moves: string[] = [];
    for (const id of moved) moves.push((await orm.em.fork().transactional((em) => startSubscriptionMove(em, { subscriptionId: id, toServerId: xuiServer.id }))).id);
    await until(
      async () => (await orm.em.fork().count(Evacuation, { id: { $in: moves }, status: EvacuationStatus.COMPLETED })) === moves.length,
      60_000,
      () => `the ${moves.length} moves to complete (${output()})`,
    );

    const codes = await Promise.all(workers.map((w) => w.stop()));
    expect(codes).toEqual([0, 0]);

    // Both processes took part, and no job body ran twice (a second run would log its outcome again).
    const runs = new Map<string, number>();
    for (const w of workers) {
      expect(w.logs().some((l) => l.msg === 'provision_subscription')).toBe(true);
      for (const line of w.logs()) {
        if (line.msg === 'provision_subscription') runs.set(String(line.subscriptionId), (runs.get(String(line.subscriptionId)) ?? 0) + 1);
        expect(line.msg).not.toBe('unlocked jobs of workers that stopped without a clean shutdown');
      }
    }
    expect(all.filter((id) => runs.get(id) !== 1)).toEqual([]);
    const moveRuns = workers.flatMap((w) => w.logs().filter((l) => l.msg === 'move_subscription').map((l) => String(l.evacuationId)));
    expect(moveRuns.sort()).toEqual([...moves].sort());

    // Exactly one client per subscription on each panel.
    const subs = await orm.em.fork().find(Subscription, { id: { $in: all } });
    const nameOf = new Map(subs.map((s) => [s.id, s.panelName]));
    const onXui = [...xuiSubs, ...moved];
    const onSui = suiSubs.filter((id) => !moved.includes(id));
    const copies = (ids: string[], sim: 'xui' | 'sui') =>
      ids.map((id) => (sim === 'xui' ? xui.state().clients.filter((c) => c.email === nameOf.get(id)) : sui.state().clients.filter((c) => c.name === nameOf.get(id))).length);
    expect(copies(onXui, 'xui')).toEqual(onXui.map(() => 1));
    expect(copies(onSui, 'sui')).toEqual(onSui.map(() => 1));
    expect(copies(moved, 'sui')).toEqual(moved.map(() => 0));
    expect(subs.filter((s) => moved.includes(s.id)).map((s) => s.server?.id)).toEqual(moved.map(() => xuiServer.id));
  }, 90_000);
});
