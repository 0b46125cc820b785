import { randomUUID } from 'node:crypto';
import { AuditLog } from '../../src/entities/audit-log.entity';
import { Evacuation } from '../../src/entities/evacuation.entity';
import { Inbound } from '../../src/entities/inbound.entity';
import { Server, ServerKind } from '../../src/entities/server.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { errorCode, type TestApi } from '../helpers/api';
import { jobsFor } from '../helpers/evacuation';
import { runJob } from '../helpers/jobs';
import { startLifecycleApi, type LifecycleWorld } from '../helpers/lifecycle';
import { alertCodes } from '../helpers/server-ops';

const MOVE = `mutation($id: ID!, $to: ID!) { moveSubscription(id: $id, toServerId: $to) {
  id status subscriptionId fromServerId toServerId total moved failed leftovers lastError
} }`;

interface MoveView {
  id: string;
  status: string;
  subscriptionId: string | null;
  fromServerId: string;
  toServerId: string | null;
  total: number;
  moved: number;
  failed: number;
  leftovers: number;
  lastError: string | null;
}

describe('moveSubscription (ADMIN) and the move_subscription job', () => {
  let w: LifecycleWorld;
  let t: TestApi;
  let adminKey: string;
  let supportKey: string;
  let close: () => Promise<void>;
  beforeAll(async () => ({ w, t, adminKey, supportKey, close } = await startLifecycleApi()));
  afterAll(() => close());

  const move = (id: string, to: string, key = adminKey) => t.gql<{ moveSubscription: MoveView }>(MOVE, { id, to }, { key });
  const progress = async (id: string): Promise<MoveView> =>
    (await t.gql<{ evacuation: MoveView }>('query($id: ID!) { evacuation(id: $id) { id status subscriptionId fromServerId toServerId total moved failed leftovers lastError } }', { id }, { key: adminKey })).data!
      .evacuation;
  /** Runs the move's queued job, like graphile-worker on its first attempt; returns what it threw. */
  const runMove = async (moveId: string): Promise<unknown> => {
    const [job] = await jobsFor(w.orm, 'move_subscription', 'evacuationId', moveId);
    return runJob(w.orm, w.services, job);
  };

  /** A server row no panel stands behind (refusals never reach a panel). */
  async function paperServer(opts: { active?: boolean; capacity?: number; inbound?: boolean }): Promise<Server> {
    const em = w.orm.em.fork();
    const server = em.create(Server, {
      name: `paper-${randomUUID().slice(0, 8)}`,
      kind: ServerKind.SUI,
      baseUrl: 'http://127.0.0.1:9/',
      credentialsEnc: w.services.secrets.encryptJson({ username: 'u', password: 'p' }),
      serverGroup: w.plan.serverGroup,
      capacity: opts.capacity ?? 100,
      active: opts.active ?? true,
    });
    if (opts.inbound !== false) em.create(Inbound, { server, remoteId: '1', tag: 'vless-443', protocol: 'vless', port: 443 });
    await em.flush();
    return server;
  }

  it('moves an ACTIVE subscription to the chosen server with the same client UUID, password and URL; the job run twice moves it once', async () => {
    const sub = await w.newSubscription();
    const before = await w.reload(sub.id);
    const res = await move(sub.id, w.xuiServer.id);
    expect(res.errors).toBeUndefined();
    const started = res.data!.moveSubscription;
    expect(started).toMatchObject({ status: 'RUNNING', subscriptionId: sub.id, fromServerId: w.suiServer.id, toServerId: w.xuiServer.id, total: 1, moved: 0 });
    const [job] = await jobsFor(w.orm, 'move_subscription', 'evacuationId', started.id);
    expect(job.key).toBe(`move_subscription:${started.id}`);

    // Delivered twice: the second run finds the move finished and changes nothing.
    expect(await runJob(w.orm, w.services, job)).toBeUndefined();
    expect(await runJob(w.orm, w.services, job)).toBeUndefined();
    expect(await progress(started.id)).toMatchObject({ status: 'COMPLETED', total: 1, moved: 1, failed: 0, leftovers: 0, lastError: null });

    const after = await w.reload(sub.id);
    expect(after.server!.id).toBe(w.xuiServer.id);
    expect([after.subToken, after.clientUuid, after.clientPassword, after.panelName]).toEqual([before.subToken, before.clientUuid, before.clientPassword, before.panelName]);
    expect(after.links.some((l) => l.includes(':8443') && l.includes(before.clientUuid))).toBe(true);
    expect(w.sui.getClientDirect(sub.panelName)).toBeUndefined();
    expect(w.xui.state().clients.filter((c) => c.email === sub.panelName)).toHaveLength(1);
    const count = (serverId: string) => w.orm.em.fork().count(Subscription, { server: serverId, id: sub.id });
    expect([await count(w.suiServer.id), await count(w.xuiServer.id)]).toEqual([0, 1]);

    // The subscription URL is the same and now serves the target's link.
    const page = await fetch(`${t.url}/sub/${before.subToken}`);
    expect(page.status).toBe(200);
    expect(Buffer.from(await page.text(), 'base64').toString('utf8')).toContain(':8443');
    // The call is in the audit log.
    expect(await w.orm.em.fork().count(AuditLog, { action: 'moveSubscription' })).toBeGreaterThan(0);
  });

  it('refuses what cannot be moved with a stable code each, changing nothing; asking again for a running move returns it', async () => {
    const sub = await w.newSubscription();
    const disabled = await w.newSubscription({ status: SubscriptionStatus.DISABLED });
    const refusals: Array<[string, string, string]> = [
      [sub.id, w.suiServer.id, 'SUBSCRIPTION_ALREADY_ON_SERVER'],
      [disabled.id, w.xuiServer.id, 'SUBSCRIPTION_NOT_MOVABLE'],
      [randomUUID(), w.xuiServer.id, 'SUBSCRIPTION_NOT_FOUND'],
      [sub.id, randomUUID(), 'SERVER_NOT_FOUND'],
      [sub.id, (await paperServer({ active: false })).id, 'SERVER_INACTIVE'],
      [sub.id, (await paperServer({ capacity: 0 })).id, 'SERVER_FULL'],
      [sub.id, (await paperServer({ inbound: false })).id, 'SERVER_NO_USABLE_INBOUND'],
    ];
    for (const [id, to, code] of refusals) expect({ id, to, code: errorCode(await move(id, to)) }).toEqual({ id, to, code });
    // While the source server is being evacuated, its subscriptions move with the evacuation only.
    const em = w.orm.em.fork();
    const evacuation = em.create(Evacuation, { fromServer: em.getReference(Server, w.suiServer.id), total: 1 });
    await em.flush();
    expect(errorCode(await move(sub.id, w.xuiServer.id))).toBe('SERVER_EVACUATING');
    await em.nativeDelete(Evacuation, { id: evacuation.id });
    expect(errorCode(await move(sub.id, w.xuiServer.id, supportKey))).toBe('FORBIDDEN');
    expect(await w.orm.em.fork().count(Evacuation, { subscription: { $in: [sub.id, disabled.id] } })).toBe(0);
    expect((await w.reload(sub.id)).server!.id).toBe(w.suiServer.id);

    const first = (await move(sub.id, w.xuiServer.id)).data!.moveSubscription;
    expect((await move(sub.id, w.xuiServer.id)).data!.moveSubscription.id).toBe(first.id);
    expect(errorCode(await move(sub.id, (await paperServer({})).id))).toBe('SUBSCRIPTION_MOVE_RUNNING');
    expect(await jobsFor(w.orm, 'move_subscription', 'evacuationId', first.id)).toHaveLength(1);
    expect(await runMove(first.id)).toBeUndefined();
    expect(await progress(first.id)).toMatchObject({ status: 'COMPLETED', moved: 1 });
  });

  it('fails the move at once when the target refuses it for good: the subscription and its client stay, the admins are told once', async () => {
    const admin = await w.addAdmin();
    const sub = await w.newSubscription();
    w.xui.server.injectFault({
      fault: { kind: 'status', status: 200, body: '{"success":false,"msg":"inbound not found","obj":null}' },
      match: { method: 'POST', pathIncludes: 'clients/add' },
      times: Infinity,
    });
    try {
      const started = (await move(sub.id, w.xuiServer.id)).data!.moveSubscription;
      const [job] = await jobsFor(w.orm, 'move_subscription', 'evacuationId', started.id);
      expect(await runJob(w.orm, w.services, job)).toBeUndefined();
      expect(await runJob(w.orm, w.services, job)).toBeUndefined();
      const failed = await progress(started.id);
      expect(failed).toMatchObject({ status: 'FAILED', moved: 0, failed: 1 });
      expect(failed.lastError).toMatch(/^PANEL_REJECTED: inbound not found/);
      expect((await w.reload(sub.id)).server!.id).toBe(w.suiServer.id);
      expect(w.sui.getClientDirect(sub.panelName)).toBeDefined();
      expect(await alertCodes(w.orm, admin, { subject: started.id })).toEqual(['SUBSCRIPTION_MOVE_FAILED']);
    } finally {
      w.xui.server.clearFaults();
    }
    // A failed move does not block a new one.
    const again = (await move(sub.id, w.xuiServer.id)).data!.moveSubscription;
    expect(await runMove(again.id)).toBeUndefined();
    expect(await progress(again.id)).toMatchObject({ status: 'COMPLETED', moved: 1 });
  });
});
