import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Customer } from '../../src/entities/customer.entity';
import { Inbound } from '../../src/entities/inbound.entity';
import { Plan } from '../../src/entities/plan.entity';
import { Server, ServerKind, ServerStatus } from '../../src/entities/server.entity';
import type { SecretBox } from '../../src/crypto';
import { updateSetting } from '../../src/services/setting.service';
import type { SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import type { XuiSimulator } from '../../src/simulators/xui/xui.simulator';
import { randomTelegramId } from '../helpers/ids';

const GB = 1024 ** 3;

/** A plan (active, unique code) in its own server group unless one is given. */
export async function buildPlan(orm: MikroORM, overrides: Partial<Plan> = {}): Promise<Plan> {
  const em = orm.em.fork();
  const plan = em.create(Plan, {
    code: `p-${randomUUID().slice(0, 8)}`,
    titleFa: 'پلن یک ماهه',
    titleEn: 'One month',
    trafficBytes: 50 * GB,
    durationDays: 30,
    price: 150_000,
    serverGroup: `g-${randomUUID().slice(0, 8)}`,
    ...overrides,
  });
  await em.flush();
  return plan;
}

/** A registered Telegram customer. */
export async function buildCustomer(orm: MikroORM, overrides: Partial<Customer> = {}): Promise<Customer> {
  const em = orm.em.fork();
  const c = em.create(Customer, { telegramId: randomTelegramId(), username: `u${randomUUID().slice(0, 8)}`, ...overrides });
  await em.flush();
  return c;
}

/**
 * A HEALTHY server row pointing at a running simulator, with the simulator's inbounds synced.
 * `inbounds` are panel ids as strings.
 */
export async function buildServerFor(
  orm: MikroORM,
  secrets: SecretBox,
  sim: SuiSimulator | XuiSimulator,
  opts: { kind: 'SUI' | 'XUI'; serverGroup: string; capacity?: number; inbounds: Array<{ remoteId: string; tag: string; protocol: string; port: number }>; profile?: string },
): Promise<Server> {
  const em = orm.em.fork();
  const server = em.create(Server, {
    name: `srv-${randomUUID().slice(0, 8)}`,
    kind: opts.kind === 'SUI' ? ServerKind.SUI : ServerKind.XUI,
    baseUrl: sim.url,
    credentialsEnc: secrets.encryptJson({ username: sim.username, password: sim.password }),
    serverGroup: opts.serverGroup,
    capacity: opts.capacity ?? 100,
    status: ServerStatus.HEALTHY,
    versionProfile: opts.profile ?? null,
  });
  for (const i of opts.inbounds) em.create(Inbound, { server, ...i });
  await em.flush();
  return server;
}

/** Sets the card settings used by card-to-card payments. */
export async function setCardSettings(orm: MikroORM): Promise<void> {
  await orm.em.fork().transactional(async (em) => {
    await updateSetting(em, 'card_number', '6037 9911 2233 4455');
    await updateSetting(em, 'card_holder', 'Shop Owner');
  });
}

export { GB };
