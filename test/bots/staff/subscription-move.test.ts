import { AdminRole, Role } from '../../../src/entities/common';
import { Evacuation } from '../../../src/entities/evacuation.entity';
import { Server } from '../../../src/entities/server.entity';
import { Subscription, SubscriptionStatus } from '../../../src/entities/subscription.entity';
import { encodeCallback } from '../../../src/notifications/callback-data';
import { addAdmin } from '../../../src/services/admin.service';
import { clientSpecOf, newSubscription } from '../../../src/services/subscription.service';
import { startSuiSimulator, type SuiSimulator } from '../../../src/simulators/sui/sui.simulator';
import { buildCustomer, buildServerFor } from '../../factories/commerce';
import { makeKey } from '../../helpers/api';
import { startFakeTelegram, type FakeMessage, type FakeTelegram } from '../../helpers/fake-telegram';
import { randomTelegramId } from '../../helpers/ids';
import { drainJobs } from '../../helpers/jobs';
import { startStaffHarness, type StaffHarness } from '../../helpers/staff-bot';
import { startWorld, type World } from '../../helpers/world';

const STAFF_TOKEN = '603:move-test-admin-bot';
const act = (w: string, id: string) => encodeCallback('adminDo', w, id);
const num = (w: string, n: number) => encodeCallback('adminNum', w, n);
const step = (w: string) => encodeCallback('adminStep', w);

describe('admin bot: move a subscription to another server (fake Bot API, real API, worker job and panel simulators)', () => {
  let w: World;
  let fake: FakeTelegram;
  let h: StaffHarness;
  let targetSim: SuiSimulator;
  let target: Server;
  let full: Server;
  let sub: Subscription;
  const sara = randomTelegramId();
  const helper = randomTelegramId();

  beforeAll(async () => {
    w = await startWorld();
    fake = await startFakeTelegram({ tokens: [] });
    const em = w.t.orm.em.fork();
    await addAdmin(em, { telegramId: sara, role: AdminRole.ADMIN, displayName: 'Sara' });
    await addAdmin(em, { telegramId: helper, role: AdminRole.SUPPORT, displayName: 'Helper' });
    h = await startStaffHarness({ fake, orm: w.t.orm, apiUrl: w.t.url, apiKey: await makeKey(w.t.orm, Role.ADMIN_BOT), token: STAFF_TOKEN });
    targetSim = await startSuiSimulator({ profile: '1.5' });
    const inbound = targetSim.addInbound({ type: 'vless', tag: 'vless-8443', listen_port: 8443 });
    const spec = { kind: 'SUI' as const, serverGroup: w.plan.serverGroup, profile: '1.5', inbounds: [{ remoteId: String(inbound.id), tag: inbound.tag, protocol: 'vless', port: 8443 }] };
    target = await buildServerFor(w.t.orm, w.t.services.secrets, targetSim, spec);
    full = await buildServerFor(w.t.orm, w.t.services.secrets, targetSim, { ...spec, capacity: 0 });
    const inactive = await buildServerFor(w.t.orm, w.t.services.secrets, targetSim, spec);
    await em.nativeUpdate(Server, { id: inactive.id }, { active: false, name: 'inactive-one' });

    // An ACTIVE subscription on the world's server, its client on that panel.
    const customer = await buildCustomer(w.t.orm);
    const sem = w.t.orm.em.fork();
    sub = newSubscription(sem, { customer: sem.merge(customer), plan: sem.merge(w.plan) });
    sub.server = sem.getReference(Server, w.server.id);
    sub.inboundIds = [String(w.sim.state().inbounds[0].id)];
    sub.status = SubscriptionStatus.ACTIVE;
    sub.expiresAt = new Date(Date.now() + 30 * 86_400_000);
    await sem.flush();
    await w.t.services.panels.adapterFor(w.server).ensureClient(clientSpecOf(sub, { enabled: true }));
  });
  afterAll(async () => {
    await h.close();
    await targetSim.close();
    await fake.close();
    await w.close();
  });

  const answers = () => fake.calls.filter((c) => c.token === STAFF_TOKEN && c.method === 'answerCallbackQuery').map((c) => String(c.payload.text ?? ''));
  const texts = (out: FakeMessage[]) => out.map((m) => m.text).join('\n');
  const buttonTexts = (m: FakeMessage) => m.buttons.flat().map((b) => b.text);

  /** Opens the subscription screen, then its move list; returns the list message. */
  async function openMoveList(): Promise<FakeMessage> {
    const menu = (await h.send(sara, '/start')).at(-1)!;
    const detail = (await h.press(sara, act('sub', sub.id), menu)).at(-1)!;
    expect(detail.buttons.flat().map((b) => b.callback_data)).toContain(act('submv', sub.id));
    return (await h.press(sara, act('submv', sub.id), detail)).at(-1)!;
  }

  it('offers the active servers only, explains a refusal in words and moves nothing', async () => {
    const list = await openMoveList();
    expect(list.text).toContain(w.server.name);
    const names = buttonTexts(list).join('\n');
    expect(names).toContain(target.name);
    expect(names).toContain(full.name);
    expect(names).not.toContain('inactive-one');
    expect(names).not.toContain(`${w.server.name} —`);

    const fullIndex = list.buttons.flat().findIndex((b) => b.text.startsWith(full.name));
    const confirm = (await h.press(sara, num('submvto', fullIndex), list)).at(-1)!;
    expect(confirm.text).toContain(full.name);
    const refused = await h.press(sara, step('ok'), confirm);
    expect(texts(refused)).toContain('ظرفیت این سرور پر است.');
    expect(await w.t.orm.em.fork().count(Evacuation, { subscription: sub.id })).toBe(0);
    expect((await w.t.orm.em.fork().findOneOrFail(Subscription, { id: sub.id })).server!.id).toBe(w.server.id);
  });

  it('moves the subscription after confirmation and shows the result; the link and client stay the same', async () => {
    const before = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: sub.id });
    const list = await openMoveList();
    const index = list.buttons.flat().findIndex((b) => b.text.startsWith(target.name));
    const confirm = (await h.press(sara, num('submvto', index), list)).at(-1)!;
    expect(confirm.text).toContain(w.server.name);
    expect(confirm.text).toContain(target.name);
    const running = (await h.press(sara, step('ok'), confirm)).at(-1)!;
    expect(running.text).toContain('در حال انتقال');

    await drainJobs(w.t.orm, w.t.services, { tasks: ['move_subscription'] });
    const moveId = (await w.t.orm.em.fork().findOneOrFail(Evacuation, { subscription: sub.id })).id;
    const done = (await h.press(sara, act('submvp', moveId), running)).at(-1)!;
    expect(done.text).toContain('منتقل شد');
    expect(done.text).toContain(target.name);

    const after = await w.t.orm.em.fork().findOneOrFail(Subscription, { id: sub.id });
    expect(after.server!.id).toBe(target.id);
    expect([after.subToken, after.clientUuid]).toEqual([before.subToken, before.clientUuid]);
    expect(targetSim.getClientDirect(sub.panelName)).toBeDefined();
    expect(w.sim.getClientDirect(sub.panelName)).toBeUndefined();
    expect(h.errors.filter((e) => !e.includes('api error shown to user'))).toEqual([]);
  });

  it('keeps SUPPORT away from moving, by replayed callback data', async () => {
    const menu = (await h.send(helper, '/start')).at(-1)!;
    for (const data of [act('submv', sub.id), num('submvto', 0), act('sub', sub.id)]) {
      await h.press(helper, data, menu);
      expect(answers().at(-1)).toContain('⛔');
    }
    expect(await w.t.orm.em.fork().count(Evacuation, { subscription: sub.id })).toBe(1);
  });
});
