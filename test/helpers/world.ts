import { randomUUID } from 'node:crypto';
import { Role } from '../../src/entities/common';
import type { Plan } from '../../src/entities/plan.entity';
import type { Server } from '../../src/entities/server.entity';
import { startSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { buildPlan, buildServerFor, setCardSettings } from '../factories/commerce';
import { makeKey, startTestApi, type GqlResult, type TestApi } from './api';
import { randomTelegramId } from './ids';

/** A shop ready to sell: API, one S-UI panel simulator with a vless inbound, a plan, keys. */
export interface World {
  t: TestApi;
  sim: SuiSimulator;
  plan: Plan;
  server: Server;
  adminKey: string;
  userBotKey: string;
  /** Calls the API as the user bot acting for a Telegram user. */
  asUser<T = Record<string, unknown>>(telegramId: number, query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  asAdmin<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  /** Registers a new Telegram user and returns its Telegram id. */
  newUser(): Promise<number>;
  close(): Promise<void>;
}

export async function startWorld(opts: { capacity?: number; plan?: Partial<Plan>; config?: Record<string, string> } = {}): Promise<World> {
  const t = await startTestApi({ config: opts.config, isolated: true });
  const sim = await startSuiSimulator({ profile: '1.5' });
  const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
  const plan = await buildPlan(t.orm, opts.plan);
  const server = await buildServerFor(t.orm, t.services.secrets, sim, {
    kind: 'SUI',
    serverGroup: plan.serverGroup,
    capacity: opts.capacity,
    profile: '1.5',
    inbounds: [{ remoteId: String(inbound.id), tag: inbound.tag, protocol: 'vless', port: 443 }],
  });
  await setCardSettings(t.orm);
  const adminKey = await makeKey(t.orm, Role.ADMIN);
  const userBotKey = await makeKey(t.orm, Role.USER_BOT);
  const world: World = {
    t,
    sim,
    plan,
    server,
    adminKey,
    userBotKey,
    asUser: (telegramId, query, variables) => t.gql(query, variables, { key: userBotKey, telegramId }),
    asAdmin: (query, variables) => t.gql(query, variables, { key: adminKey }),
    async newUser() {
      const tg = randomTelegramId();
      const res = await world.asUser(tg, 'mutation { registerTelegramUser(input: { username: "buyer" }) { id } }');
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return tg;
    },
    async close() {
      await sim.close();
      await t.close();
    },
  };
  return world;
}

export const CREATE_ORDER = `mutation($i: CreateOrderInput!, $k: String!) {
  createOrder(input: $i, idempotencyKey: $k) {
    id number status kind amountDue subscriptionId
    payment { id status payableAmount expiresAt cardNumber cardHolder }
  }
}`;

export function newKey(): string {
  return randomUUID();
}
