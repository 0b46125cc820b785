import { randomUUID } from 'node:crypto';
import { Evacuation, EvacuationStatus } from '../../src/entities/evacuation.entity';
import { Server } from '../../src/entities/server.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { buildSuiConfig } from '../../src/clients/sui.model';
import { updateSetting } from '../../src/services/setting.service';
import { clientSpecOf, newSubscription, panelNameFor } from '../../src/services/subscription.service';
import { buildCustomer, buildServerFor } from '../factories/commerce';
import { queuedJobs, runJob } from '../helpers/jobs';
import { alertCodes, makeAdmin } from '../helpers/server-ops';
import { startWorld, type World } from '../helpers/world';
import { startXuiSimulator } from '../../src/simulators/xui/xui.simulator';

const REPORT = `query($id: ID!) { driftReport(serverId: $id) {
  serverId desiredClients panelClients foreignClients missing mismatched duplicated orphans
  items { kind panelName subscriptionId fields orphanReason copies detail }
} }`;
const REPAIR = `mutation($id: ID!, $dry: Boolean!, $del: Boolean!) { repairDrift(serverId: $id, dryRun: $dry, deleteOrphans: $del) {
  dryRun applied failed actions { kind panelName subscriptionId applied error } report { missing mismatched duplicated orphans }
} }`;

interface Item {
  kind: string;
  panelName: string;
  subscriptionId: string | null;
  fields: string[];
  orphanReason: string | null;
  copies: number;
  detail: string;
}
interface Report {
  desiredClients: number;
  panelClients: number;
  foreignClients: number;
  missing: number;
  mismatched: number;
  duplicated: number;
  orphans: number;
  items: Item[];
}
interface Repair {
  dryRun: boolean;
  applied: number;
  failed: number;
  actions: Array<{ kind: string; panelName: string; applied: boolean; error: string | null }>;
}

describe('reconcile_server and drift repair', () => {
  let w: World;
  let inboundId: number;

  beforeAll(async () => {
    w = await startWorld();
    inboundId = w.sim.state().inbounds[0].id;
  });
  afterAll(async () => {
    await w.close();
  });

  /** A subscription on a server with its client on that panel. */
  async function liveSubscription(server: Server, status = SubscriptionStatus.ACTIVE, inbounds = [String(inboundId)]): Promise<Subscription> {
    const em = w.t.orm.em.fork();
    const customer = await buildCustomer(w.t.orm);
    const sub = newSubscription(em, { customer: em.merge(customer), plan: em.merge(w.plan) });
    sub.status = status;
    sub.server = em.getReference(Server, server.id);
    sub.inboundIds = inbounds;
    sub.expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * 86_400_000);
    await em.flush();
    await w.t.services.panels.adapterFor(server).ensureClient(clientSpecOf(sub, { enabled: status === SubscriptionStatus.ACTIVE }));
    return sub;
  }

  async function report(serverId = w.server.id): Promise<Report> {
    const res = await w.asAdmin<{ driftReport: Report }>(REPORT, { id: serverId });
    expect(res.errors).toBeUndefined();
    return res.data!.driftReport;
  }

  async function repair(dry: boolean, del: boolean, serverId = w.server.id): Promise<Repair> {
    const res = await w.asAdmin<{ repairDrift: Repair }>(REPAIR, { id: serverId, dry, del });
    expect(res.errors).toBeUndefined();
    return res.data!.repairDrift;
  }

  async function dbRows(serverId: string): Promise<unknown[]> {
    return w.t.orm.em.fork().getConnection().execute(`select * from subscription where server_id = ? order by id`, [serverId]);
  }

  function panelClients(): unknown {
    const s = w.sim.state();
    return { clients: s.clients, inbounds: s.inbounds, changes: s.changes.length };
  }

  it('reports a client deleted by hand as drift, a dry run changes nothing, and repair recreates it with the same UUID', async () => {
    const gone = await liveSubscription(w.server);
    const kept = await liveSubscription(w.server, SubscriptionStatus.DISABLED);
    expect(w.sim.deleteClientDirect(gone.panelName)).toBe(1);

    const r = await report();
    expect(r.items).toEqual([expect.objectContaining({ kind: 'MISSING', panelName: gone.panelName, subscriptionId: gone.id })]);
    expect(r.items.find((i) => i.panelName === kept.panelName)).toBeUndefined();

    const panelBefore = panelClients();
    const dbBefore = await dbRows(w.server.id);
    const dry = await repair(true, true);
    expect(dry.dryRun).toBe(true);
    expect(dry.actions).toEqual([expect.objectContaining({ kind: 'CREATE', panelName: gone.panelName, applied: false })]);
    expect(panelClients()).toEqual(panelBefore);
    expect(await dbRows(w.server.id)).toEqual(dbBefore);

    await w.t.orm.em.fork().nativeUpdate(Subscription, { id: gone.id }, { driftDetectedAt: new Date() });
    const done = await repair(false, false);
    expect(done.actions).toEqual([expect.objectContaining({ kind: 'CREATE', panelName: gone.panelName, applied: true, error: null })]);
    const client = w.sim.getClientDirect(gone.panelName)!;
    expect((client.config as { vless: { uuid: string } }).vless.uuid).toBe(gone.clientUuid);
    expect(client.enable).toBe(true);
    const after = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: gone.id });
    expect(after.driftDetectedAt).toBeNull();
    expect(after.links.length).toBeGreaterThan(0);

    // Repeating the repair finds nothing to do.
    expect((await repair(false, false)).actions).toEqual([]);
    expect((await report()).items).toEqual([]);
  });

  it('reports wrong limits, expiry, enabled flag, credentials and inbounds and puts them back', async () => {
    const sub = await liveSubscription(w.server);
    w.sim.patchClient(sub.panelName, {
      volume: 1,
      expiry: 0,
      enable: false,
      inbounds: [],
      config: buildSuiConfig(sub.panelName, randomUUID(), 'someone-else'),
    });
    const r = await report();
    const item = r.items.find((i) => i.panelName === sub.panelName)!;
    expect(item.kind).toBe('MISMATCH');
    expect(item.fields.sort()).toEqual(['ENABLED', 'EXPIRY', 'INBOUNDS', 'PASSWORD', 'TRAFFIC_LIMIT', 'UUID']);
    expect(item.detail).not.toContain(sub.clientPassword);
    expect(item.detail).not.toContain('someone-else');

    const done = await repair(false, false);
    expect(done.actions).toEqual([expect.objectContaining({ kind: 'UPDATE', panelName: sub.panelName, applied: true })]);
    const client = w.sim.getClientDirect(sub.panelName)!;
    expect(client).toMatchObject({ enable: true, volume: sub.trafficLimitBytes, expiry: Math.floor(sub.expiresAt!.getTime() / 1000), inbounds: [inboundId] });
    expect((client.config as { vless: { uuid: string }; trojan: { password: string } }).vless.uuid).toBe(sub.clientUuid);
    expect((client.config as { trojan: { password: string } }).trojan.password).toBe(sub.clientPassword);
    expect((await report()).items).toEqual([]);
  });

  it('recreates a duplicated client as one copy with our credentials', async () => {
    const sub = await liveSubscription(w.server);
    w.sim.seedClients([{ name: sub.panelName, config: buildSuiConfig(sub.panelName, randomUUID(), 'x'), inbounds: [inboundId] }]);
    const item = (await report()).items.find((i) => i.panelName === sub.panelName)!;
    expect(item).toMatchObject({ kind: 'DUPLICATE', copies: 2 });
    const done = await repair(false, false);
    expect(done.actions).toEqual([expect.objectContaining({ kind: 'RECREATE', applied: true })]);
    const copies = w.sim.state().clients.filter((c) => c.name === sub.panelName);
    expect(copies).toHaveLength(1);
    expect((copies[0].config as { vless: { uuid: string } }).vless.uuid).toBe(sub.clientUuid);
  });

  it('reports orphans with our naming scheme and deletes them only with deleteOrphans, leaving foreign clients alone', async () => {
    const otherSim = w.sim; // The "elsewhere" server is a second row for the same panel; only the database decides.
    const elsewhereServer = await buildServerFor(w.t.orm, w.t.services.secrets, otherSim, { kind: 'SUI', serverGroup: 'elsewhere', inbounds: [] });
    const elsewhere = await liveSubscription(w.server);
    await w.t.orm.em.fork().nativeUpdate(Subscription, { id: elsewhere.id }, { server: elsewhereServer.id });
    const ended = await liveSubscription(w.server);
    await w.t.orm.em.fork().nativeUpdate(Subscription, { id: ended.id }, { status: SubscriptionStatus.REVOKED });
    const unknown = panelNameFor(randomUUID());
    w.sim.seedClients([{ name: unknown }, { name: 'alice' }, { name: 'vp-not-ours' }], { inboundIds: [inboundId] });

    const r = await report();
    const orphans = Object.fromEntries(r.items.filter((i) => i.kind === 'ORPHAN').map((i) => [i.panelName, i.orphanReason]));
    expect(orphans).toEqual({ [unknown]: 'UNKNOWN', [elsewhere.panelName]: 'ELSEWHERE', [ended.panelName]: 'ENDED' });
    expect(r.foreignClients).toBeGreaterThanOrEqual(2);

    const kept = await repair(false, false);
    expect(kept.actions.filter((a) => a.kind === 'DELETE')).toEqual([]);
    expect(w.sim.getClientDirect(unknown)).toBeDefined();

    const dry = await repair(true, true);
    expect(dry.actions.filter((a) => a.kind === 'DELETE').map((a) => a.panelName).sort()).toEqual([unknown, elsewhere.panelName, ended.panelName].sort());
    expect(w.sim.getClientDirect(unknown)).toBeDefined();

    const deleted = await repair(false, true);
    expect(deleted.actions.filter((a) => a.kind === 'DELETE' && a.applied)).toHaveLength(3);
    for (const name of [unknown, elsewhere.panelName, ended.panelName]) expect(w.sim.getClientDirect(name)).toBeUndefined();
    expect(w.sim.getClientDirect('alice')).toBeDefined();
    expect(w.sim.getClientDirect('vp-not-ours')).toBeDefined();
    expect((await report()).items).toEqual([]);
  });

  it('takes the orphans repairDrift deleted off the evacuation leftovers, so the evacuation no longer reports them', async () => {
    const leftovers = [panelNameFor(randomUUID()), panelNameFor(randomUUID())];
    w.sim.seedClients(leftovers.map((name) => ({ name })), { inboundIds: [inboundId] });
    const em = w.t.orm.em.fork();
    const ev = em.create(Evacuation, { fromServer: em.getReference(Server, w.server.id), status: EvacuationStatus.COMPLETED, leftoverNames: [...leftovers] });
    await em.flush();
    const leftoverCount = async () => (await w.asAdmin<{ evacuation: { leftovers: number } }>('query($id: ID!) { evacuation(id: $id) { leftovers } }', { id: ev.id })).data!.evacuation.leftovers;
    expect(await leftoverCount()).toBe(2);

    const deleted = await repair(false, true);
    expect(deleted.actions.filter((a) => a.kind === 'DELETE' && a.applied).map((a) => a.panelName)).toEqual(expect.arrayContaining(leftovers));
    for (const name of leftovers) expect(w.sim.getClientDirect(name)).toBeUndefined();
    expect(await leftoverCount()).toBe(0);
    expect((await w.t.orm.em.fork().findOneOrFail(Evacuation, { id: ev.id })).leftoverNames).toEqual([]);
  });

  it('sees no drift on a 3x-ui panel in agreement, and repairs a client deleted there by hand with the same UUID', async () => {
    const sim = await startXuiSimulator({ profile: 'G6' });
    try {
      const inboundId = sim.addInbound({ protocol: 'vless', port: 443, remark: 'main' });
      const xui = await buildServerFor(w.t.orm, w.t.services.secrets, sim, {
        kind: 'XUI',
        serverGroup: w.plan.serverGroup,
        profile: 'G6',
        inbounds: [{ remoteId: String(inboundId), tag: 'inbound-443', protocol: 'vless', port: 443 }],
      });
      const a = await liveSubscription(xui, SubscriptionStatus.ACTIVE, [String(inboundId)]);
      await liveSubscription(xui, SubscriptionStatus.EXPIRED, [String(inboundId)]);
      sim.seedClients(inboundId, 2);
      const clean = await report(xui.id);
      expect(clean).toMatchObject({ desiredClients: 2, panelClients: 2, foreignClients: 2, items: [] });

      sim.deleteClientDirect(a.panelName);
      expect((await report(xui.id)).items).toEqual([expect.objectContaining({ kind: 'MISSING', panelName: a.panelName })]);
      const done = await repair(false, false, xui.id);
      expect(done.actions).toEqual([expect.objectContaining({ kind: 'CREATE', applied: true })]);
      const client = (await w.t.services.panels.adapterFor(xui).getClient(a.panelName))!;
      expect(client.uuid).toBe(a.clientUuid);
      expect((await report(xui.id)).items).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  it('nightly: flags drift, alerts the admins once, deletes evacuation leftovers, and fans out once per server at the configured hour', async () => {
    const services = w.t.services;
    const adminTg = await makeAdmin(w.t.orm);
    const gone = await liveSubscription(w.server);
    w.sim.deleteClientDirect(gone.panelName);
    // A client an evacuation moved away but could not delete from this (source) server.
    const leftover = panelNameFor(randomUUID());
    w.sim.seedClients([{ name: leftover }], { inboundIds: [inboundId] });
    const em = w.t.orm.em.fork();
    em.create(Evacuation, { fromServer: em.getReference(Server, w.server.id), status: EvacuationStatus.COMPLETED, leftoverNames: [leftover] });
    await em.flush();

    const job = { id: 'reconcile', task: 'reconcile_server', payload: { serverId: w.server.id, alert: true }, attempts: 0, maxAttempts: 3 };
    expect(await runJob(w.t.orm, services, job)).toBeUndefined();
    const flagged = (await w.t.orm.em.fork().findOneOrFail(Subscription, { id: gone.id })).driftDetectedAt;
    expect(flagged).toBeInstanceOf(Date);
    expect(await runJob(w.t.orm, services, job)).toBeUndefined();
    expect((await w.t.orm.em.fork().findOneOrFail(Subscription, { id: gone.id })).driftDetectedAt).toEqual(flagged);
    expect(await alertCodes(w.t.orm, adminTg, { subject: w.server.id })).toEqual(['DRIFT_DETECTED']);
    expect(w.sim.getClientDirect(leftover)).toBeUndefined();
    const ev = await w.t.orm.em.fork().findOneOrFail(Evacuation, { fromServer: w.server.id });
    expect(ev.leftoverNames).toEqual([]);

    await repair(false, false);
    expect((await w.t.orm.em.fork().findOneOrFail(Subscription, { id: gone.id })).driftDetectedAt).toBeNull();

    // The hourly cron entry fans out only in the UTC hour of reconcile_hour_utc, one job per server.
    await w.t.orm.em.fork().transactional((tx) => updateSetting(tx, 'reconcile_hour_utc', 5));
    const cron = (hour: number) => ({
      id: `cron-${hour}`,
      task: 'reconcile_server',
      payload: { scheduled: true, _cron: { ts: `2026-11-27T${String(hour).padStart(2, '0')}:17:00.000Z`, backfilled: false } },
      attempts: 0,
      maxAttempts: 1,
    });
    const mine = async () => (await queuedJobs(w.t.orm, 'reconcile_server')).filter((j) => j.payload.serverId === w.server.id);
    expect(await runJob(w.t.orm, services, cron(4))).toBeUndefined();
    expect(await mine()).toEqual([]);
    expect(await runJob(w.t.orm, services, cron(5))).toBeUndefined();
    expect(await runJob(w.t.orm, services, cron(5))).toBeUndefined();
    expect(await mine()).toEqual([expect.objectContaining({ key: `reconcile_server:${w.server.id}`, payload: { serverId: w.server.id, alert: true } })]);
    await w.t.orm.em.fork().transactional((tx) => updateSetting(tx, 'reconcile_hour_utc', 3));
    // The fan-out queued a job for every active server of this shared test database: leave none behind.
    await w.t.orm.em
      .fork()
      .getConnection()
      .execute(`delete from graphile_worker._private_jobs where task_id = (select id from graphile_worker._private_tasks where identifier = 'reconcile_server') and locked_at is null`);
  });
});
