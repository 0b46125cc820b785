import type { MikroORM } from '@mikro-orm/postgresql';
import { Language } from '../../src/entities/customer.entity';
import { Notification } from '../../src/entities/notification.entity';
import type { Plan } from '../../src/entities/plan.entity';
import { renderNotification } from '../../src/notifications/notification.render';
import { Server, ServerStatus } from '../../src/entities/server.entity';
import type { AppServices } from '../../src/services/app-services';
import { chooseServer } from '../../src/services/placement.service';
import { startSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { buildPlan, buildServerFor } from '../factories/commerce';
import { openOrm } from '../../src/main/orm';
import { createIsolatedDatabase } from '../helpers/db';
import { runJob } from '../helpers/jobs';
import { alertCodes, makeAdmin, servicesWithInstantBreaker } from '../helpers/server-ops';

describe('check_server_health', () => {
  let db: { url: string; drop(): Promise<void> };
  let orm: MikroORM;
  let services: AppServices;
  let sim: SuiSimulator;
  let plan: Plan;
  let server: Server;
  let adminTg: number;
  const base = Math.floor(Date.now() / 60_000) * 60_000;
  let minute = 0;

  beforeAll(async () => {
    // Its own database: the servers and jobs made here stay out of other test files' way.
    db = await createIsolatedDatabase();
    orm = await openOrm(db.url, 4);
    services = servicesWithInstantBreaker(orm);
    sim = await startSuiSimulator({ profile: '1.5' });
    const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
    plan = await buildPlan(orm);
    server = await buildServerFor(orm, services.secrets, sim, {
      kind: 'SUI',
      serverGroup: plan.serverGroup,
      profile: '1.5',
      inbounds: [{ remoteId: String(inbound.id), tag: inbound.tag, protocol: 'vless', port: 443 }],
    });
    adminTg = await makeAdmin(orm);
  });
  afterAll(async () => {
    await sim.close();
    await services.panels.close();
    await orm.close(true);
    await db.drop();
  });

  /** One cron tick (the next minute), delivered twice as a double run would be. */
  async function tick(opts: { concurrent?: boolean } = {}): Promise<Server> {
    minute += 1;
    const job = {
      id: `health-${minute}`,
      task: 'check_server_health',
      payload: { serverId: server.id, _cron: { ts: new Date(base + minute * 60_000).toISOString(), backfilled: false } },
      attempts: 0,
      maxAttempts: 1,
    };
    const errors = opts.concurrent
      ? await Promise.all([runJob(orm, services, job), runJob(orm, services, job)])
      : [await runJob(orm, services, job), await runJob(orm, services, job)];
    expect(errors).toEqual([undefined, undefined]);
    return orm.em.fork().findOneOrFail(Server, { id: server.id });
  }

  const alerts = () => alertCodes(orm, adminTg, { subject: server.id });

  it('goes DOWN after 3 failed probes with one alert and recovers after 2 good probes with one more alert', async () => {
    let s = await tick();
    expect(s.status).toBe(ServerStatus.HEALTHY);
    expect(s.successStreak).toBe(1);

    sim.server.injectFault({ fault: { kind: 'status', status: 503 }, times: Infinity });
    s = await tick();
    expect({ status: s.status, failures: s.failureStreak }).toEqual({ status: ServerStatus.HEALTHY, failures: 1 });
    expect(s.lastError).toMatch(/PANEL_UNAVAILABLE/);
    s = await tick({ concurrent: true });
    expect({ status: s.status, failures: s.failureStreak }).toEqual({ status: ServerStatus.HEALTHY, failures: 2 });
    expect(await alerts()).toEqual([]);

    s = await tick();
    expect({ status: s.status, failures: s.failureStreak }).toEqual({ status: ServerStatus.DOWN, failures: 3 });
    expect(await alerts()).toEqual(['SERVER_DOWN']);
    const down = await orm.em.fork().findOneOrFail(Notification, { kind: 'ADMIN_ALERT', recipientTelegramId: adminTg, params: { subject: server.id } as never });
    const render = async (lang: Language) => (await renderNotification(orm.em.fork(), down, lang, { publicUrl: 'https://vpn.example' })).html;
    // The panel's error ends in a full stop of its own: the alert does not add a second one.
    expect(await render(Language.EN)).toMatch(/right now\. New subscriptions/);
    for (const lang of [Language.EN, Language.FA]) expect(await render(lang)).not.toMatch(/\.\./);
    // Placement skips it (the only server of the plan's group).
    expect(await orm.em.fork().transactional((em) => chooseServer(em, plan))).toBeNull();

    s = await tick();
    expect(s.status).toBe(ServerStatus.DOWN);
    expect(await alerts()).toEqual(['SERVER_DOWN']);

    sim.server.clearFaults();
    s = await tick();
    expect({ status: s.status, successes: s.successStreak }).toEqual({ status: ServerStatus.DOWN, successes: 1 });
    s = await tick({ concurrent: true });
    expect({ status: s.status, successes: s.successStreak, lastError: s.lastError }).toEqual({ status: ServerStatus.HEALTHY, successes: 2, lastError: null });
    expect(await alerts()).toEqual(['SERVER_DOWN', 'SERVER_RECOVERED']);

    s = await tick();
    expect(s.status).toBe(ServerStatus.HEALTHY);
    expect(await alerts()).toEqual(['SERVER_DOWN', 'SERVER_RECOVERED']);
    expect((await orm.em.fork().transactional((em) => chooseServer(em, plan)))?.server.id).toBe(server.id);
  });

  it('marks a flaky server DEGRADED once and brings it back when the blips age out', async () => {
    const fail = () => sim.server.injectFault({ fault: { kind: 'status', status: 503 }, times: Infinity });
    const heal = () => sim.server.clearFaults();
    fail();
    await tick();
    heal();
    let s = await tick();
    expect(s.status).toBe(ServerStatus.HEALTHY);
    fail();
    await tick();
    heal();
    s = await tick();
    expect(s.status).toBe(ServerStatus.DEGRADED);
    for (let i = 0; i < 5; i++) s = await tick();
    expect(s.status).toBe(ServerStatus.DEGRADED);
    for (let i = 0; i < 4; i++) s = await tick();
    expect(s.status).toBe(ServerStatus.HEALTHY);
    expect(await alerts()).toEqual(['SERVER_DOWN', 'SERVER_RECOVERED', 'SERVER_DEGRADED', 'SERVER_RECOVERED']);
  });
});
