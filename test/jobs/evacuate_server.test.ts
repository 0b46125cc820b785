import type { MikroORM } from '@mikro-orm/postgresql';
import { Role } from '../../src/entities/common';
import { Server } from '../../src/entities/server.entity';
import { Subscription } from '../../src/entities/subscription.entity';
import type { AppServices } from '../../src/services/app-services';
import { startSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { buildCustomer, buildPlan, buildServerFor } from '../factories/commerce';
import { makeKey, startTestApi, type TestApi } from '../helpers/api';
import { openOrm } from '../../src/main/orm';
import { createIsolatedDatabase } from '../helpers/db';
import { drainEvacuation, jobsFor, seedSubscriptions, type EvacuationView, type Seeded } from '../helpers/evacuation';
import { runJob, type QueuedJob } from '../helpers/jobs';
import { alertCodes, makeAdmin, servicesWithInstantBreaker } from '../helpers/server-ops';

const COUNT = 500;
const EVACUATE = `mutation($from: ID!, $to: ID) { evacuateServer(fromServerId: $from, toServerId: $to) {
  id status total moved failed remaining leftovers fromServerId toServerId lastError
} }`;

describe('evacuate_server', () => {
  let db: { url: string; drop(): Promise<void> };
  let orm: MikroORM;
  let services: AppServices;
  let t: TestApi;
  let adminKey: string;
  let source: SuiSimulator;
  let target: SuiSimulator;
  let from: Server;
  let to: Server;
  let adminTg: number;
  let seeded: Seeded;

  beforeAll(async () => {
    // Its own database: the servers and jobs made here stay out of other test files' way.
    db = await createIsolatedDatabase();
    orm = await openOrm(db.url, 6);
    services = servicesWithInstantBreaker(orm);
    t = await startTestApi({ orm, services });
    adminKey = await makeKey(orm, Role.ADMIN);
    adminTg = await makeAdmin(orm);
    source = await startSuiSimulator({ profile: '1.5' });
    target = await startSuiSimulator({ profile: '1.5' });
    const srcInbound = source.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
    const dstInbound = target.addInbound({ type: 'vless', tag: 'vless-8443', listen_port: 8443 });
    const plan = await buildPlan(orm);
    from = await buildServerFor(orm, services.secrets, source, {
      kind: 'SUI',
      serverGroup: plan.serverGroup,
      capacity: 1000,
      profile: '1.5',
      inbounds: [{ remoteId: String(srcInbound.id), tag: srcInbound.tag, protocol: 'vless', port: 443 }],
    });
    to = await buildServerFor(orm, services.secrets, target, {
      kind: 'SUI',
      serverGroup: plan.serverGroup,
      capacity: 1000,
      profile: '1.5',
      inbounds: [{ remoteId: String(dstInbound.id), tag: dstInbound.tag, protocol: 'vless', port: 8443 }],
    });
    const customer = await buildCustomer(orm);

    seeded = await seedSubscriptions(orm, { count: COUNT, customerId: customer.id, planId: plan.id, server: from, sim: source, inboundId: srcInbound.id });
  });
  afterAll(async () => {
    await t.close();
    await source.close();
    await target.close();
    await services.panels.close();
    await orm.close(true);
    await db.drop();
  });

  async function evacuate(source = from.id, targetId: string | null = to.id): Promise<EvacuationView> {
    const res = await t.gql<{ evacuateServer: EvacuationView }>(EVACUATE, { from: source, to: targetId }, { key: adminKey });
    expect(res.errors).toBeUndefined();
    return res.data!.evacuateServer;
  }

  const jobsOf = (evacuationId: string): Promise<QueuedJob[]> => jobsFor(orm, 'evacuate_server', 'evacuationId', evacuationId);
  const drain = (evacuationId: string): Promise<void> => drainEvacuation(orm, services, evacuationId);

  async function progress(id: string): Promise<EvacuationView> {
    const res = await t.gql<{ evacuation: EvacuationView }>(
      'query($id: ID!) { evacuation(id: $id) { id status total moved failed remaining leftovers lastError } }',
      { id },
      { key: adminKey },
    );
    return res.data!.evacuation;
  }

  it('moves 500 subscriptions while the source goes down midway, finishes on a second call, keeps every URL and duplicates nothing', async () => {
    const started = await evacuate();
    expect(started).toMatchObject({ status: 'RUNNING', total: COUNT, moved: 0 });
    expect((await orm.em.fork().findOneOrFail(Server, { id: from.id })).active).toBe(false);

    // The first job, delivered twice: two batches move (100 each), deleted from the source.
    const [first] = await jobsOf(started.id);
    expect(await runJob(orm, services, first)).toBeUndefined();
    expect(await runJob(orm, services, first)).toBeUndefined();
    await orm.em.fork().getConnection().execute(`delete from graphile_worker._private_jobs where id = ?::bigint`, [first.id]);
    expect(await progress(started.id)).toMatchObject({ status: 'RUNNING', moved: 200, leftovers: 0 });
    expect(source.state().clients).toHaveLength(COUNT - 200);

    // The source goes down; the target has an outage too, so the run gives up: FAILED, resumable.
    await source.close();
    target.server.injectFault({ fault: { kind: 'status', status: 503 }, times: Infinity });
    await drain(started.id);
    const stopped = await progress(started.id);
    expect(stopped).toMatchObject({ status: 'FAILED', moved: 200, remaining: COUNT - 200 });
    expect(stopped.lastError).toMatch(/PANEL_UNAVAILABLE/);
    target.server.clearFaults();

    // The second call continues the same evacuation; the unreachable source only leaves leftovers.
    const resumed = await evacuate();
    expect(resumed).toMatchObject({ id: started.id, status: 'RUNNING', total: COUNT, moved: 200 });
    await drain(started.id);
    const done = await progress(started.id);
    expect(done).toMatchObject({ status: 'COMPLETED', total: COUNT, moved: COUNT, failed: 0, remaining: 0, leftovers: COUNT - 200 });
    expect(await alertCodes(orm, adminTg, { subject: started.id })).toEqual(['EVACUATION_FAILED', 'EVACUATION_COMPLETED']);

    // Every subscription is on the target with the same token (URL), UUID and password, once.
    const subs = await orm.em.fork().find(Subscription, { id: { $in: seeded.map((s) => s.id) } });
    expect(subs).toHaveLength(COUNT);
    const byId = new Map(seeded.map((s) => [s.id, s]));
    const clients = target.state().clients;
    const countByName = new Map<string, number>();
    for (const c of clients) countByName.set(c.name, (countByName.get(c.name) ?? 0) + 1);
    expect(clients).toHaveLength(COUNT);
    expect([...countByName.values()].every((n) => n === 1)).toBe(true);
    for (const sub of subs) {
      const seed = byId.get(sub.id)!;
      expect(sub.server?.id).toBe(to.id);
      expect(sub.subToken).toBe(seed.sub_token);
      expect(sub.status).toBe(seed.status);
      expect(sub.links.some((l) => l.includes(':8443'))).toBe(true);
      const client = clients.find((c) => c.name === sub.panelName)!;
      expect((client.config as { vless: { uuid: string } }).vless.uuid).toBe(seed.client_uuid);
      expect(client.enable).toBe(seed.status === 'ACTIVE');
    }
    const sample = seeded[2];
    const res = await fetch(`${t.url}/sub/${sample.sub_token}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.text(), 'base64').toString('utf8')).toContain(sample.client_uuid);

    // A third call finds nothing left: the same completed evacuation, no new job, nothing moves.
    const again = await evacuate();
    expect(again).toMatchObject({ id: started.id, status: 'COMPLETED' });
    expect(await jobsOf(started.id)).toEqual([]);
    const list = await t.gql<{ evacuations: Array<{ id: string }> }>('query($id: ID!) { evacuations(serverId: $id) { id } }', { id: from.id }, { key: adminKey });
    expect(list.data!.evacuations.map((e) => e.id)).toEqual([started.id]);
    expect(target.state().clients).toHaveLength(COUNT);
    // About 10 s on an idle 2-core machine; the margin is for CPU contention from parallel test files.
  }, 60_000);
  it('fails the move of a subscription the target refuses for good at once, with the reason, and moves the others in the same run', async () => {
    const plan = await buildPlan(orm);
    const [src, dst] = await Promise.all([startSuiSimulator({ profile: '1.5' }), startSuiSimulator({ profile: '1.5' })]);
    try {
      const servers: Server[] = [];
      for (const sim of [src, dst]) {
        const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
        servers.push(
          await buildServerFor(orm, services.secrets, sim, {
            kind: 'SUI',
            serverGroup: plan.serverGroup,
            capacity: 100,
            profile: '1.5',
            inbounds: [{ remoteId: String(inbound.id), tag: inbound.tag, protocol: 'vless', port: 443 }],
          }),
        );
      }
      const customer = await buildCustomer(orm);
      const subs = await seedSubscriptions(orm, { count: 5, customerId: customer.id, planId: plan.id, server: servers[0], sim: src, inboundId: src.state().inbounds[0].id, status: 'ACTIVE' });
      // One create on the target answers 404 (wrong path): a permanent PANEL_UNAVAILABLE, not an outage to wait out.
      dst.server.injectFault({ fault: { kind: 'status', status: 404 }, match: { method: 'POST', pathIncludes: 'save' }, times: 1 });
      const ev = await evacuate(servers[0].id, servers[1].id);

      // The first run does not throw (no retry is spent): four moved, the refused one failed with its reason.
      const [first] = await jobsOf(ev.id);
      expect(await runJob(orm, services, first)).toBeUndefined();
      const after = await progress(ev.id);
      expect(after).toMatchObject({ status: 'RUNNING', moved: 4, failed: 1 });
      expect(after.lastError).toMatch(/^PANEL_UNAVAILABLE: not found/);
      await orm.em.fork().getConnection().execute(`delete from graphile_worker._private_jobs where id = ?::bigint`, [first.id]);

      await drain(ev.id);
      expect(await progress(ev.id)).toMatchObject({ status: 'FAILED', total: 5, moved: 4, failed: 1 });
      const rows = await orm.em.fork().find(Subscription, { id: { $in: subs.map((s) => s.id) } });
      const refused = rows.filter((r) => r.server!.id === servers[0].id);
      expect(refused).toHaveLength(1);
      expect(src.state().clients.map((c) => c.name)).toEqual([refused[0].panelName]);
      expect(dst.state().clients).toHaveLength(4);
    } finally {
      await Promise.all([src.close(), dst.close()]);
    }
  });

  it('without a target, places each subscription on another server of its group and reports those that fit nowhere', async () => {
    const plan = await buildPlan(orm);
    const sims = await Promise.all([startSuiSimulator({ profile: '1.5' }), startSuiSimulator({ profile: '1.5' }), startSuiSimulator({ profile: '1.5' })]);
    try {
      const servers: Server[] = [];
      for (const [i, sim] of sims.entries()) {
        const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
        servers.push(
          await buildServerFor(orm, services.secrets, sim, {
            kind: 'SUI',
            serverGroup: plan.serverGroup,
            capacity: i === 0 ? 100 : 2,
            profile: '1.5',
            inbounds: [{ remoteId: String(inbound.id), tag: inbound.tag, protocol: 'vless', port: 443 }],
          }),
        );
      }
      const customer = await buildCustomer(orm);
      const subs = await seedSubscriptions(orm, { count: 5, customerId: customer.id, planId: plan.id, server: servers[0], sim: sims[0], inboundId: sims[0].state().inbounds[0].id });
      const ev = await evacuate(servers[0].id, null);
      await drain(ev.id);
      const failed = await progress(ev.id);
      // Two servers with room for 2 each: 4 move, 1 fits nowhere; the source keeps it and its client.
      expect(failed).toMatchObject({ status: 'FAILED', moved: 4, failed: 1, total: 5 });
      expect(failed.lastError).toMatch(/NO_CAPACITY/);
      const rows = await orm.em.fork().find(Subscription, { id: { $in: subs.map((s) => s.id) } });
      const placedOn = rows.map((r) => r.server!.id);
      expect(placedOn.filter((id) => id === servers[1].id)).toHaveLength(2);
      expect(placedOn.filter((id) => id === servers[2].id)).toHaveLength(2);
      expect(sims[0].state().clients).toHaveLength(1);
      expect(sims[1].state().clients.length + sims[2].state().clients.length).toBe(4);

      // Room appears; calling again retries the one left and completes.
      await orm.em.fork().nativeUpdate(Server, { id: servers[2].id }, { capacity: 10 });
      const resumed = await evacuate(servers[0].id, null);
      expect(resumed).toMatchObject({ id: ev.id, status: 'RUNNING', failed: 0 });
      await drain(ev.id);
      expect(await progress(ev.id)).toMatchObject({ status: 'COMPLETED', moved: 5, failed: 0, leftovers: 0 });
      expect(sims[0].state().clients).toHaveLength(0);
    } finally {
      await Promise.all(sims.map((s) => s.close()));
    }
  });
});
