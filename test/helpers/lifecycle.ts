import type { MikroORM } from '@mikro-orm/postgresql';
import { randomInt, randomUUID } from 'node:crypto';
import { createTelegramSender } from '../../src/clients/telegram.client';
import { openOrm } from '../../src/main/orm';
import { Admin } from '../../src/entities/admin.entity';
import { AdminRole, Role } from '../../src/entities/common';
import { Customer } from '../../src/entities/customer.entity';
import { LedgerKind } from '../../src/entities/ledger-entry.entity';
import type { Plan } from '../../src/entities/plan.entity';
import { Server } from '../../src/entities/server.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import type { AppServices } from '../../src/services/app-services';
import { createOrder } from '../../src/services/order.service';
import { clientSpecOf, newSubscription } from '../../src/services/subscription.service';
import { postToWallet } from '../../src/services/wallet.service';
import { startSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { startXuiSimulator, type XuiSimulator } from '../../src/simulators/xui/xui.simulator';
import { buildCustomer, buildPlan, buildServerFor, GB } from '../factories/commerce';
import { makeKey, startTestApi, type TestApi } from './api';
import { createIsolatedDatabase } from './db';
import { startFakeTelegram, type FakeMessage, type FakeTelegram } from './fake-telegram';
import { drainJobs, queuedJobs, runJob } from './jobs';
import { randomTelegramId } from './ids';
import { testServices } from './services';

// Shaped like bot tokens but never matching a real token's pattern (secrets scan).
const USER_TOKEN = '303:lifecycle-user-bot';
const ADMIN_TOKEN = '404:lifecycle-admin-bot';

/**
 * An empty database of its own (the lifecycle passes look at every row), an S-UI 1.5 and a 3x-ui
 * G6 simulator with one vless inbound each, a server row for each, a plan, and a fake Telegram
 * behind the services' sender.
 */
export interface LifecycleWorld {
  orm: MikroORM;
  services: AppServices;
  fake: FakeTelegram;
  sui: SuiSimulator;
  xui: XuiSimulator;
  suiServer: Server;
  xuiServer: Server;
  plan: Plan;
  /** A subscription on `server` with its client created on the panel (same UUID and password). */
  newSubscription(opts?: SubscriptionOpts): Promise<Subscription>;
  /** Runs a task body once, as graphile-worker would. Throws what the task threw. */
  run(task: string, payload?: Record<string, unknown>): Promise<void>;
  /** Runs every queued job of these tasks (instant retries). */
  drain(...tasks: string[]): Promise<Record<string, { ok: number; failed: number }>>;
  /** Messages the user bot sent to a chat. */
  sentTo(telegramId: number): FakeMessage[];
  reload(id: string): Promise<Subscription>;
  addAdmin(): Promise<number>;
  /** Pays a renewal of `sub` from the wallet (credited first); apply_order is queued. */
  payRenewal(sub: Subscription): Promise<void>;
  close(): Promise<void>;
}

export interface SubscriptionOpts {
  server?: Server;
  quota?: number;
  expiresAt?: Date | null;
  activatedAt?: Date;
  status?: SubscriptionStatus;
  customer?: Customer;
  /** false: no client is created on the panel. */
  onPanel?: boolean;
}

export async function startLifecycleWorld(): Promise<LifecycleWorld> {
  const db = await createIsolatedDatabase();
  const orm = await openOrm(db.url, 6);
  const fake = await startFakeTelegram({ tokens: [USER_TOKEN, ADMIN_TOKEN] });
  const services = testServices(orm, {
    telegram: createTelegramSender({ apiRoot: fake.apiRoot, tokens: { USER_BOT: USER_TOKEN, ADMIN_BOT: ADMIN_TOKEN }, timeoutSeconds: 5 }),
  });
  const sui = await startSuiSimulator({ profile: '1.5' });
  const xui = await startXuiSimulator({ profile: 'G6' });
  const plan = await buildPlan(orm, { trafficBytes: 10 * GB, durationDays: 30, price: 50_000 });
  const suiInbound = sui.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
  const suiServer = await buildServerFor(orm, services.secrets, sui, {
    kind: 'SUI',
    serverGroup: plan.serverGroup,
    profile: '1.5',
    capacity: 100_000,
    inbounds: [{ remoteId: String(suiInbound.id), tag: suiInbound.tag, protocol: 'vless', port: 443 }],
  });
  const xuiInbound = xui.addInbound({ protocol: 'vless', port: 8443, remark: 'main' });
  const xuiServer = await buildServerFor(orm, services.secrets, xui, {
    kind: 'XUI',
    serverGroup: `${plan.serverGroup}-x`,
    profile: 'G6',
    capacity: 100_000,
    inbounds: [{ remoteId: String(xuiInbound), tag: `inbound-8443`, protocol: 'vless', port: 8443 }],
  });

  const world: LifecycleWorld = {
    orm,
    services,
    fake,
    sui,
    xui,
    suiServer,
    xuiServer,
    plan,
    async newSubscription(opts = {}) {
      const server = opts.server ?? suiServer;
      const em = orm.em.fork();
      const customer = opts.customer ? em.merge(opts.customer) : em.merge(await buildCustomer(orm));
      const sub = newSubscription(em, { customer, plan: em.merge(plan) });
      sub.server = em.getReference(Server, server.id);
      sub.inboundIds = server.id === suiServer.id ? [String(suiInbound.id)] : [String(xuiInbound)];
      sub.status = opts.status ?? SubscriptionStatus.ACTIVE;
      sub.trafficLimitBytes = opts.quota ?? 10 * GB;
      sub.expiresAt = opts.expiresAt === undefined ? new Date(Date.now() + 30 * 86_400_000) : opts.expiresAt;
      sub.activatedAt = opts.activatedAt ?? new Date(Date.now() - 10 * 86_400_000);
      await em.flush();
      if (opts.onPanel !== false) await services.panels.adapterFor(server).ensureClient(clientSpecOf(sub, { enabled: true }));
      return sub;
    },
    async run(task, payload = {}) {
      const err = await runJob(orm, services, { id: String(randomInt(1, 2 ** 40)), task, payload, attempts: 0, maxAttempts: 5 });
      if (err) throw err;
    },
    drain: (...tasks) => drainJobs(orm, services, { tasks }),
    sentTo: (telegramId) => fake.sentTo(telegramId, USER_TOKEN),
    reload: (id) => orm.em.fork().findOneOrFail(Subscription, { id }, { populate: ['plan', 'customer', 'server'] }),
    async addAdmin() {
      const em = orm.em.fork();
      const telegramId = randomTelegramId();
      em.create(Admin, { telegramId, role: AdminRole.ADMIN, displayName: 'ops' });
      await em.flush();
      return telegramId;
    },
    async payRenewal(sub) {
      await orm.em.fork().transactional(async (em) => {
        const customer = await em.findOneOrFail(Customer, { id: sub.customer.id });
        await postToWallet(em, { customer, amount: plan.price, kind: LedgerKind.ADJUSTMENT, actor: 'test', note: 'renewal money' });
        await createOrder(em, { provisionMaxAttempts: 3 }, {
          customer,
          principal: `test:${customer.id}`,
          actor: 'test',
          idempotencyKey: randomUUID(),
          order: { kind: 'RENEW', planId: plan.id, subscriptionId: sub.id, paymentMethod: 'WALLET' },
        });
      });
    },
    async close() {
      await services.panels.close();
      await Promise.all([sui.close(), xui.close(), fake.close()]);
      await orm.close(true);
      await db.drop();
    },
  };
  return world;
}

/** Pending jobs of a task whose payload names this subscription. */
export async function jobsFor(orm: MikroORM, task: string, subscriptionId: string) {
  return (await queuedJobs(orm, task)).filter((j) => j.payload.subscriptionId === subscriptionId);
}

export { GB };

/** A lifecycle world with the real API in front of it and ADMIN and SUPPORT keys (resolver tests). */
export interface LifecycleApi {
  w: LifecycleWorld;
  t: TestApi;
  adminKey: string;
  supportKey: string;
  close(): Promise<void>;
}

export async function startLifecycleApi(): Promise<LifecycleApi> {
  const w = await startLifecycleWorld();
  const t = await startTestApi({ orm: w.orm, services: w.services });
  return {
    w,
    t,
    adminKey: await makeKey(w.orm, Role.ADMIN),
    supportKey: await makeKey(w.orm, Role.SUPPORT),
    async close() {
      await t.close();
      await w.close();
    },
  };
}
