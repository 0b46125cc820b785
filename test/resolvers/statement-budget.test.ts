import type { MikroORM } from '@mikro-orm/postgresql';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  buildSchema,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { AdminRole, Role } from '../../src/entities/common';
import { Admin } from '../../src/entities/admin.entity';
import { AuditLog } from '../../src/entities/audit-log.entity';
import { Broadcast, BroadcastAudience } from '../../src/entities/broadcast.entity';
import { Customer } from '../../src/entities/customer.entity';
import { DiscountCode } from '../../src/entities/discount-code.entity';
import { Evacuation, EvacuationStatus } from '../../src/entities/evacuation.entity';
import { Inbound } from '../../src/entities/inbound.entity';
import { LedgerEntry, LedgerKind } from '../../src/entities/ledger-entry.entity';
import { Order, OrderKind, OrderStatus, PaymentMethod } from '../../src/entities/order.entity';
import { Payment, PaymentStatus } from '../../src/entities/payment.entity';
import { Plan } from '../../src/entities/plan.entity';
import { Server, ServerKind, ServerStatus } from '../../src/entities/server.entity';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { enqueueMany } from '../../src/jobs/enqueue';
import { createApiKey } from '../../src/services/api-key.service';
import { ALL_SCOPES } from '../../src/services/api-key-scopes';
import { Reseller } from '../../src/entities/reseller.entity';
import { WebhookDelivery } from '../../src/entities/webhook-delivery.entity';
import { makeKey, startTestApi, type TestApi } from '../helpers/api';
import { randomTelegramId } from '../helpers/ids';
import { Ticket, TicketAuthor, TicketMessage } from '../../src/entities/ticket.entity';

/**
 * A statement budget for every list in the schema: the SQL statements a list costs are the same
 * whether it returns 1 row or 50 (a resolver that queries per row, an N+1, fails here), and stay
 * within the budget written below. Lists are found in the schema, not hand-picked: a new list
 * field fails until it has an entry here. Each list selects every field reachable without
 * arguments, three levels deep, so nested resolvers are counted too.
 */

const SCHEMA = buildSchema(fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8'));

/** Seeded data a list call can name. */
interface Seeded {
  customerId: string;
  serverId: string;
  adminKey: string;
  botKey: string;
  telegramId: number;
  resellerId: string;
  resellerKey: string;
}

interface ListCase {
  /** Statements per call, after the key and caches are warm (a RESELLER call includes its rate-limit bucket update). */
  budget: number;
  role: 'ADMIN' | 'USER_BOT' | 'RESELLER';
  args(s: Seeded): string;
}

/** Every list field of Query (a list type or a *Connection), with how to call it. */
const LISTS: Record<string, ListCase> = {
  customers: { budget: 1, role: 'ADMIN', args: () => '(query: "budget", first: 50)' },
  orders: { budget: 4, role: 'ADMIN', args: (s) => `(customerId: "${s.customerId}", first: 50)` },
  failedOrders: { budget: 4, role: 'ADMIN', args: () => '' },
  paymentsToReview: { budget: 3, role: 'ADMIN', args: () => '(first: 50, includeUnsubmitted: true)' },
  plans: { budget: 1, role: 'ADMIN', args: () => '(includeInactive: true)' },
  discountCodes: { budget: 1, role: 'ADMIN', args: () => '' },
  servers: { budget: 3, role: 'ADMIN', args: () => '' },
  evacuations: { budget: 1, role: 'ADMIN', args: (s) => `(serverId: "${s.serverId}")` },
  failedJobs: { budget: 1, role: 'ADMIN', args: () => '(first: 50)' },
  subscriptions: { budget: 1, role: 'USER_BOT', args: () => '' },
  apiKeys: { budget: 1, role: 'ADMIN', args: () => '(includeRevoked: true)' },
  admins: { budget: 1, role: 'ADMIN', args: () => '' },
  settings: { budget: 1, role: 'ADMIN', args: () => '' },
  auditLogs: { budget: 1, role: 'ADMIN', args: () => '(first: 50)' },
  broadcasts: { budget: 1, role: 'ADMIN', args: () => '' },
  myTickets: { budget: 3, role: 'USER_BOT', args: () => '(first: 50)' },
  customerTickets: { budget: 3, role: 'ADMIN', args: (s) => `(customerId: "${s.customerId}", first: 50)` },
  tickets: { budget: 2, role: 'ADMIN', args: () => '(first: 50)' },
  resellers: { budget: 1, role: 'ADMIN', args: () => '' },
  resellerLedger: { budget: 4, role: 'RESELLER', args: () => '(first: 50)' },
  resellerCustomers: { budget: 3, role: 'RESELLER', args: () => '(first: 50)' },
  resellerOrders: { budget: 6, role: 'RESELLER', args: () => '(first: 50)' },
  resellerSubscriptions: { budget: 3, role: 'RESELLER', args: () => '(first: 50)' },
  webhookDeliveries: { budget: 3, role: 'RESELLER', args: () => '(first: 50)' },
};

function isListField(type: GraphQLOutputType): boolean {
  const t = isNonNullType(type) ? type.ofType : type;
  return isListType(t) || getNamedType(t).name.endsWith('Connection');
}

/** Every field reachable without required arguments, `depth` object levels deep. */
function selection(type: GraphQLObjectType, depth: number): string {
  const parts: string[] = [];
  for (const f of Object.values(type.getFields()) as Array<GraphQLField<unknown, unknown>>) {
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const named = getNamedType(f.type);
    if (isObjectType(named)) {
      if (depth > 1) parts.push(`${f.name} { ${selection(named, depth - 1)} }`);
    } else parts.push(f.name);
  }
  return parts.length ? parts.join(' ') : '__typename';
}

const queryFields = Object.values(SCHEMA.getQueryType()!.getFields());
const listFields = queryFields.filter((f) => isListField(f.type)).map((f) => f.name);

function documentFor(name: string, s: Seeded): string {
  const field = SCHEMA.getQueryType()!.getFields()[name]!;
  return `{ ${name}${LISTS[name]!.args(s)} { ${selection(getNamedType(field.type) as GraphQLObjectType, 3)} } }`;
}

/** Seeds `n` rows of everything a list shows. */
async function seed(orm: MikroORM, n: number): Promise<Seeded> {
  const em = orm.em.fork();
  const telegramId = randomTelegramId();
  const customer = em.create(Customer, { telegramId, username: 'budget-main' });
  const plans = Array.from({ length: n }, (_, i) =>
    em.create(Plan, { code: `b-${i}-${randomUUID().slice(0, 6)}`, titleFa: 'پلن', titleEn: 'Plan', trafficBytes: 1024 ** 3, durationDays: 30, price: 1000 + i }),
  );
  const servers = Array.from({ length: n }, (_, i) =>
    em.create(Server, {
      name: `b-${i}-${randomUUID().slice(0, 6)}`,
      kind: ServerKind.SUI,
      baseUrl: `http://127.0.0.1:9/${randomUUID()}`,
      credentialsEnc: 'x',
      capacity: 100,
      status: ServerStatus.HEALTHY,
    }),
  );
  for (const server of servers) {
    em.create(Inbound, { server, remoteId: '1', tag: 'vless', protocol: 'vless', port: 443 });
    em.create(Inbound, { server, remoteId: '2', tag: 'trojan', protocol: 'trojan', port: 8443 });
  }
  for (let i = 0; i < n; i++) {
    em.create(Customer, { telegramId: randomTelegramId(), username: `budget${i}` });
    const sub = em.create(Subscription, {
      customer,
      plan: plans[i]!,
      server: servers[i]!,
      panelName: `b-${randomUUID()}`,
      status: SubscriptionStatus.ACTIVE,
      links: ['vless://x@h:443#a'],
    });
    for (const status of [OrderStatus.PENDING_PAYMENT, OrderStatus.FAILED]) {
      const order = em.create(Order, {
        number: Math.floor(Math.random() * 1e12),
        customer,
        plan: plans[i]!,
        kind: OrderKind.NEW,
        status,
        subscription: sub,
        paymentMethod: PaymentMethod.CARD_TO_CARD,
        price: 1000,
        amountDue: 1000,
        principal: 'test',
        idempotencyKey: randomUUID(),
      });
      em.create(Payment, {
        order,
        method: PaymentMethod.CARD_TO_CARD,
        amount: 1000,
        payableAmount: 1000 + Math.floor(Math.random() * 1e6),
        status: status === OrderStatus.PENDING_PAYMENT ? PaymentStatus.PENDING : PaymentStatus.APPROVED,
        expiresAt: new Date(Date.now() + 3_600_000),
      });
    }
    em.create(LedgerEntry, { customer, amount: 10 + i, kind: LedgerKind.ADJUSTMENT, actor: 'test' });
    em.create(DiscountCode, { code: `B${i}${randomUUID().slice(0, 6)}`.toUpperCase(), percent: 10 });
    em.create(Admin, { telegramId: randomTelegramId(), role: AdminRole.SUPPORT });
    em.create(AuditLog, { actorType: 'SYSTEM', action: 'test', operation: 'test' });
    em.create(Evacuation, { fromServer: servers[0]!, status: EvacuationStatus.COMPLETED });
    em.create(Broadcast, { html: `news ${i}`, audience: BroadcastAudience.ALL });
    const ticket = em.create(Ticket, { customer, subject: `t${i}` });
    em.create(TicketMessage, { ticket, authorType: TicketAuthor.CUSTOMER, body: 'q' });
    em.create(TicketMessage, { ticket, authorType: TicketAuthor.ADMIN, body: 'a' });
  }
  const reseller = em.create(Reseller, { name: `budget-${randomUUID().slice(0, 8)}`, webhookUrl: 'https://93.184.215.14/hook' });
  for (let i = 0; i < n; i++) {
    em.create(Reseller, { name: `budget-${i}-${randomUUID().slice(0, 8)}` });
    const rc = em.create(Customer, { reseller, externalRef: `ext-${i}` });
    const sub = em.create(Subscription, { customer: rc, reseller, plan: plans[i]!, server: servers[i]!, panelName: `r-${randomUUID()}`, status: SubscriptionStatus.ACTIVE });
    const order = em.create(Order, {
      number: Math.floor(Math.random() * 1e12),
      customer: rc,
      reseller,
      plan: plans[i]!,
      kind: OrderKind.NEW,
      status: OrderStatus.FULFILLED,
      subscription: sub,
      paymentMethod: PaymentMethod.RESELLER_BALANCE,
      price: 900,
      amountDue: 900,
      shopPrice: 1000,
      principal: 'test',
      idempotencyKey: randomUUID(),
    });
    em.create(Payment, { order, method: PaymentMethod.RESELLER_BALANCE, amount: 900, status: PaymentStatus.APPROVED });
    em.create(LedgerEntry, { reseller, amount: -900, kind: LedgerKind.PURCHASE, order, actor: 'test' });
    em.create(WebhookDelivery, { reseller, event: 'order.failed', eventKey: `budget:${randomUUID()}`, payload: { i } });
  }
  await em.flush();
  for (let i = 0; i < n; i++) await createApiKey(em, { name: `budget ${i}`, role: Role.SUPPORT }, 'test');
  const { secret: resellerKey } = await createApiKey(em, { name: 'budget reseller', role: Role.RESELLER, resellerId: reseller.id, scopes: ALL_SCOPES }, 'test');
  // Failed jobs: queued through the typed enqueue, then left as the worker leaves them after the last attempt.
  await enqueueMany(em, Array.from({ length: n }, () => ({ task: 'expire_payments' as const, payload: {}, options: { maxAttempts: 1 } })));
  await em.getConnection().execute(
    `update graphile_worker._private_jobs set attempts = 1, last_error = 'boom' where task_id = (select id from graphile_worker._private_tasks where identifier = 'expire_payments')`,
  );
  return {
    customerId: customer.id,
    serverId: servers[0]!.id,
    adminKey: await makeKey(orm, Role.ADMIN),
    botKey: await makeKey(orm, Role.USER_BOT),
    telegramId,
    resellerId: reseller.id,
    resellerKey,
  };
}

/**
 * Runs a query once to warm the key's last-use write and the caches, then counts the statements of
 * two more runs and keeps the smaller count: a cache entry that reaches its TTL between the warm-up
 * and the counted run (a slow, loaded machine) adds a statement to one run, never to both.
 */
async function statementsOf(t: TestApi, s: Seeded, name: string): Promise<number> {
  const c = LISTS[name]!;
  const auth = c.role === 'ADMIN' ? { key: s.adminKey } : c.role === 'RESELLER' ? { key: s.resellerKey } : { key: s.botKey, telegramId: s.telegramId };
  const doc = documentFor(name, s);
  const first = await t.gql(doc, {}, auth);
  expect(first.errors).toBeUndefined();
  const knex = t.orm.em.getConnection().getKnex();
  const counts: number[] = [];
  for (let run = 0; run < 2; run += 1) {
    let count = 0;
    const onQuery = () => (count += 1);
    knex.on('query', onQuery);
    try {
      const res = await t.gql<Record<string, unknown>>(doc, {}, auth);
      expect(res.errors).toBeUndefined();
    } finally {
      knex.off('query', onQuery);
    }
    counts.push(count);
  }
  return Math.min(...counts);
}

describe('statement budget of list fields', () => {
  let small: TestApi;
  let large: TestApi;
  let s1: Seeded;
  let s50: Seeded;

  beforeAll(async () => {
    [small, large] = await Promise.all([startTestApi({ isolated: true }), startTestApi({ isolated: true })]);
    [s1, s50] = await Promise.all([seed(small.orm, 1), seed(large.orm, 50)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([small?.close(), large?.close()]);
  });

  it('has a budget for every list field in the schema', () => {
    expect(listFields.filter((f) => !LISTS[f])).toEqual([]);
  });

  it.each(Object.keys(LISTS))('answers %s with as many statements for 50 rows as for 1, within its budget', async (name) => {
    expect(listFields).toContain(name);
    const one = await statementsOf(small, s1, name);
    const fifty = await statementsOf(large, s50, name);
    expect({ name, fifty }).toEqual({ name, fifty: one });
    expect(fifty).toBeLessThanOrEqual(LISTS[name]!.budget);
  });
});
