import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { AdminRole, Role } from '../../src/entities/common';
import { addAdmin } from '../../src/services/admin.service';
import { Customer as CustomerEntity } from '../../src/entities/customer.entity';
import type { Reseller } from '../../src/entities/reseller.entity';
import { WebhookDelivery } from '../../src/entities/webhook-delivery.entity';
import { buildReseller, buildResellerCustomer, buildResellerKey } from '../factories/reseller';
import { randomTelegramId } from './ids';
import type { Customer } from '../../src/entities/customer.entity';
import type { Plan } from '../../src/entities/plan.entity';
import { Order as OrderEntity, type Order } from '../../src/entities/order.entity';
import { createDiscountCode } from '../../src/services/discount.service';
import { Payment } from '../../src/entities/payment.entity';
import { SubscriptionStatus } from '../../src/entities/subscription.entity';
import { buildCustomer, buildPlan, buildServerFor } from '../factories/commerce';
import { createOrder } from '../../src/services/order.service';
import { approvePayment, storeReceipt } from '../../src/services/payment.service';
import { failOrder } from '../../src/services/order-fulfilment.service';
import { newSubscription } from '../../src/services/subscription.service';
import { updateSetting } from '../../src/services/setting.service';
import { startSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { Server, ServerKind } from '../../src/entities/server.entity';
import { Inbound } from '../../src/entities/inbound.entity';
import type { AppServices } from '../../src/services/app-services';
import { startEvacuation } from '../../src/services/evacuation.service';
import { enqueue } from '../../src/jobs/enqueue';
import { openTicket } from '../../src/services/ticket.service';
import { panelKeyOf } from '../../src/services/server.service';
import { tinyPng } from './images';

/** The sample reseller: its key (every scope), a funded balance, a customer with an ACTIVE subscription. */
export interface SampleReseller {
  reseller: Reseller;
  key: string;
  customer: Customer;
}

/** What sample calls may use: the database, the API's services, a panel simulator and a shop. */
export interface SampleContext {
  orm: MikroORM;
  services: AppServices;
  panel(): Promise<SuiSimulator>;
  /** A registered customer (USER_BOT callers act for it) and a plan that can be placed. */
  shop(): Promise<{ customer: Customer; plan: Plan }>;
  /** The reseller RESELLER callers act as (a key with every scope). */
  reseller(): Promise<SampleReseller>;
  close(): Promise<void>;
}

export function sampleContext(orm: MikroORM, services: AppServices): SampleContext {
  let sim: Promise<SuiSimulator> | null = null;
  let shop: Promise<{ customer: Customer; plan: Plan }> | null = null;
  let reseller: Promise<SampleReseller> | null = null;
  const ctx: SampleContext = {
    orm,
    services,
    reseller() {
      reseller ??= (async () => {
        await ctx.shop();
        const r = await buildReseller(orm, {
          discountPercent: 10,
          creditLimit: 1_000_000_000,
          webhookUrl: 'https://hooks.example.com/vpn',
          webhookSecretEnc: services.secrets.encrypt('sample-webhook-secret-123'),
        });
        const { key } = await buildResellerKey(orm, r.id);
        const customer = await buildResellerCustomer(orm, r.id);
        return { reseller: r, key, customer };
      })();
      return reseller;
    },
    shop() {
      shop ??= (async () => {
        const panel = await ctx.panel();
        const plan = await buildPlan(orm, { price: 1000 });
        const inbound = panel.state().inbounds[0];
        await buildServerFor(orm, services.secrets, panel, {
          kind: 'SUI',
          serverGroup: plan.serverGroup,
          inbounds: [{ remoteId: String(inbound.id), tag: inbound.tag, protocol: 'vless', port: 443 }],
        });
        const customer = await buildCustomer(orm);
        const trialPlan = await buildPlan(orm, { isTrial: true, price: 0, serverGroup: plan.serverGroup, durationDays: 1 });
        await orm.em.fork().transactional((em) => updateSetting(em, 'trial_plan_code', trialPlan.code));
        return { customer, plan };
      })();
      return shop;
    },
    panel() {
      sim ??= startSuiSimulator({ profile: '1.5' }).then((s) => {
        s.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
        return s;
      });
      return sim;
    },
    async close() {
      if (sim) await (await sim).close();
    },
  };
  return ctx;
}

const DEPS = { provisionMaxAttempts: 3 };

/** A card order of the sample customer, unpaid. */
async function cardOrder(ctx: SampleContext): Promise<Order> {
  const { customer, plan } = await ctx.shop();
  return ctx.orm.em.fork().transactional((em) =>
    createOrder(em, DEPS, {
      customer: em.merge(customer),
      principal: `sample:${customer.id}`,
      actor: 'test',
      idempotencyKey: randomUUID(),
      order: { kind: 'NEW', planId: plan.id, paymentMethod: 'CARD_TO_CARD' },
    }),
  );
}

async function paymentOf(ctx: SampleContext, order: Order): Promise<Payment> {
  return ctx.orm.em.fork().findOneOrFail(Payment, { order: order.id });
}

/** A paid (approved) order of the sample customer. */
async function paidOrder(ctx: SampleContext): Promise<Order> {
  const order = await cardOrder(ctx);
  const payment = await paymentOf(ctx, order);
  await ctx.orm.em.fork().transactional((em) => approvePayment(em, DEPS, payment.id, null, 'test'));
  return order;
}

/** A tiny valid PNG (unique bytes each call). */
function png(): Buffer {
  return tinyPng(randomUUID());
}

/** A saved server pointing at the sample simulator. */
async function sampleServer(ctx: SampleContext): Promise<Server> {
  const sim = await ctx.panel();
  const em = ctx.orm.em.fork();
  const server = em.create(Server, {
    name: `sample-${randomUUID()}`,
    kind: ServerKind.SUI,
    baseUrl: sim.url,
    credentialsEnc: ctx.services.secrets.encryptJson({ username: sim.username, password: sim.password }),
  });
  await em.flush();
  return server;
}

/** One GraphQL call of a root field, with what it needs created first. */
export interface SampleCall {
  query: string;
  variables?: Record<string, unknown>;
  /** The Telegram user a USER_BOT caller acts for (default: the sample customer). */
  actAs?: number;
}

/**
 * A valid, successful invocation of every root field, keyed `Query.x` / `Mutation.x`.
 * The auth matrix and the audit test run them; a schema field without a sample fails those tests,
 * so every new operation must be added here.
 */
export const SAMPLE_CALLS: Record<string, (ctx: SampleContext, role?: Role | null) => Promise<SampleCall>> = {
  'Query.me': async () => ({ query: '{ me { role } }' }),
  'Query.apiKeys': async () => ({ query: '{ apiKeys { id prefix } }' }),
  'Mutation.createApiKey': async (_ctx, role) => ({
    query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }',
    variables: { i: role === Role.RESELLER ? { name: `k-${randomUUID()}`, role: 'RESELLER', scopes: [] } : { name: `k-${randomUUID()}`, role: 'SUPPORT' } },
  }),
  'Mutation.revokeApiKey': async (ctx) => {
    const { id } = await buildResellerKey(ctx.orm, (await ctx.reseller()).reseller.id, { scopes: [] });
    return { query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', variables: { id } };
  },
  'Query.admins': async () => ({ query: '{ admins { id } }' }),
  'Mutation.addAdmin': async () => ({
    query: 'mutation($i: AddAdminInput!) { addAdmin(input: $i) { id } }',
    variables: { i: { telegramId: randomTelegramId(), role: 'SUPPORT' } },
  }),
  'Mutation.updateAdmin': async ({ orm }) => {
    const admin = await addAdmin(orm.em.fork(), { telegramId: randomTelegramId(), role: AdminRole.SUPPORT });
    return { query: 'mutation($id: ID!) { updateAdmin(id: $id, input: { active: false }) { id active } }', variables: { id: admin.id } };
  },
  'Query.settings': async () => ({ query: '{ settings { key value } }' }),
  'Query.myAdmin': async () => ({ query: '{ myAdmin { id role language } }' }),
  'Mutation.setMyAdminLanguage': async () => ({ query: 'mutation { setMyAdminLanguage(language: FA) { id language } }' }),
  'Mutation.grantPlan': async (ctx) => ({
    query: 'mutation($c: ID!, $p: ID!, $k: String!) { grantPlan(customerId: $c, planId: $p, idempotencyKey: $k) { id } }',
    variables: { c: (await buildCustomer(ctx.orm)).id, p: (await ctx.shop()).plan.id, k: randomUUID() },
  }),
  'Mutation.messageCustomer': async (ctx) => ({
    query: 'mutation($c: ID!) { messageCustomer(customerId: $c, text: "hello") }',
    variables: { c: (await buildCustomer(ctx.orm)).id },
  }),
  'Query.broadcastAudienceSize': async () => ({ query: '{ broadcastAudienceSize(audience: NEVER_BOUGHT) }' }),
  'Mutation.createBroadcast': async () => ({ query: 'mutation { createBroadcast(text: "hello", audience: ACTIVE) { id status } }' }),
  'Query.broadcasts': async () => ({ query: '{ broadcasts { id sent } }' }),
  'Query.broadcast': async () => ({ query: 'query($id: ID!) { broadcast(id: $id) { id } }', variables: { id: randomUUID() } }),
  'Mutation.updateSetting': async () => ({
    query: 'mutation($v: JSON) { updateSetting(key: "support_handle", value: $v) { key value } }',
    variables: { v: `@support_${randomUUID().slice(0, 6)}` },
  }),
  'Query.auditLogs': async () => ({ query: '{ auditLogs(first: 5) { nodes { id } pageInfo { hasNextPage } } }' }),
  'Query.servers': async () => ({ query: '{ servers { id name load inbounds { tag } } }' }),
  'Query.server': async (ctx) => ({ query: 'query($id: ID!) { server(id: $id) { id } }', variables: { id: (await sampleServer(ctx)).id } }),
  'Mutation.addServer': async (ctx) => {
    const sim = await ctx.panel();
    // One server per panel: free the sample panel's key so each sample call can add it again.
    await ctx.orm.em.fork().nativeUpdate(Server, { panelKey: panelKeyOf(sim.url) }, { panelKey: null });
    return {
      query: 'mutation($i: AddServerInput!) { addServer(input: $i) { id } }',
      variables: { i: { name: `s-${randomUUID()}`, kind: 'SUI', baseUrl: sim.url, username: sim.username, password: sim.password } },
    };
  },
  'Mutation.updateServer': async (ctx) => ({
    query: 'mutation($id: ID!) { updateServer(id: $id, input: { capacity: 7 }) { id capacity } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Mutation.deleteServer': async (ctx) => ({
    query: 'mutation($id: ID!) { deleteServer(id: $id) }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Mutation.setServerActive': async (ctx) => ({
    query: 'mutation($id: ID!) { setServerActive(id: $id, active: false) { id active } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Mutation.testServer': async (ctx) => ({
    query: 'mutation($id: ID!) { testServer(id: $id) { reachable version } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Mutation.syncInbounds': async (ctx) => ({
    query: 'mutation($id: ID!) { syncInbounds(id: $id) { tag } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Query.dashboard': async () => ({ query: '{ dashboard { customers revenueToday paymentsToReview subscriptionsByStatus { status count } } }' }),
  'Query.plans': async () => ({ query: '{ plans { id code price } }' }),
  'Mutation.createPlan': async () => ({
    query: 'mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }',
    variables: { i: { code: `c-${randomUUID().slice(0, 8)}`, titleFa: 'پلن', titleEn: 'Plan', trafficBytes: 1e9, durationDays: 30, price: 100000 } },
  }),
  'Mutation.updatePlan': async (ctx) => ({
    query: 'mutation($id: ID!) { updatePlan(id: $id, input: { sortOrder: 3 }) { id } }',
    variables: { id: (await buildPlan(ctx.orm)).id },
  }),
  'Mutation.deletePlan': async (ctx) => ({ query: 'mutation($id: ID!) { deletePlan(id: $id) { id code } }', variables: { id: (await buildPlan(ctx.orm)).id } }),
  'Query.discountCodes': async () => ({ query: '{ discountCodes { id code } }' }),
  'Mutation.createDiscountCode': async () => ({
    query: 'mutation($i: CreateDiscountCodeInput!) { createDiscountCode(input: $i) { id } }',
    variables: { i: { code: `D${randomUUID().slice(0, 8)}`, percent: 10 } },
  }),
  'Mutation.setDiscountCodeActive': async (ctx) => {
    const em = ctx.orm.em.fork();
    const d = await createDiscountCode(em, { code: `S${randomUUID().slice(0, 8)}`, amount: 1000 });
    return { query: 'mutation($id: ID!) { setDiscountCodeActive(id: $id, active: false) { id } }', variables: { id: d.id } };
  },
  'Mutation.registerTelegramUser': async () => ({
    query: 'mutation { registerTelegramUser(input: { username: "new", language: EN }) { id } }',
    actAs: randomTelegramId(),
  }),
  'Query.myCustomer': async () => ({ query: '{ myCustomer { id } }' }),
  'Mutation.setMyLanguage': async () => ({ query: 'mutation { setMyLanguage(language: EN) { id language } }' }),
  'Query.customers': async (ctx) => ({ query: 'query($q: String!) { customers(query: $q) { id } }', variables: { q: String((await ctx.shop()).customer.telegramId) } }),
  'Query.customer': async (ctx) => ({ query: 'query($id: ID!) { customer(id: $id) { id } }', variables: { id: (await ctx.shop()).customer.id } }),
  'Mutation.banCustomer': async (ctx) => ({ query: 'mutation($id: ID!) { banCustomer(id: $id) { id } }', variables: { id: (await buildCustomer(ctx.orm)).id } }),
  'Mutation.unbanCustomer': async (ctx) => ({ query: 'mutation($id: ID!) { unbanCustomer(id: $id) { id } }', variables: { id: (await buildCustomer(ctx.orm)).id } }),
  'Query.wallet': async (ctx) => ({ query: 'query($c: ID) { wallet(customerId: $c) { balance } }', variables: { c: (await ctx.shop()).customer.id } }),
  'Mutation.adjustWallet': async (ctx) => ({
    query: 'mutation($c: ID!) { adjustWallet(customerId: $c, amount: 1000, reason: "goodwill") { balance } }',
    variables: { c: (await ctx.shop()).customer.id },
  }),
  'Mutation.createOrder': async (ctx, role) => {
    const planId = (await ctx.shop()).plan.id;
    const i =
      role === Role.RESELLER
        ? { kind: 'NEW', planId, paymentMethod: 'RESELLER_BALANCE', customerId: (await ctx.reseller()).customer.id }
        : { kind: 'NEW', planId, paymentMethod: 'CARD_TO_CARD' };
    return { query: 'mutation($i: CreateOrderInput!, $k: String!) { createOrder(input: $i, idempotencyKey: $k) { id } }', variables: { i, k: randomUUID() } };
  },
  'Mutation.requestTrial': async (ctx) => {
    await ctx.shop();
    const fresh = await buildCustomer(ctx.orm);
    return { query: 'mutation { requestTrial { id } }', actAs: fresh.telegramId! };
  },
  'Mutation.cancelOrder': async (ctx) => ({ query: 'mutation($id: ID!) { cancelOrder(id: $id) { id status } }', variables: { id: (await cardOrder(ctx)).id } }),
  'Query.orders': async (ctx) => ({ query: 'query($c: ID) { orders(customerId: $c, first: 5) { nodes { id } pageInfo { endCursor hasNextPage } } }', variables: { c: (await ctx.shop()).customer.id } }),
  'Query.order': async (ctx) => ({ query: 'query($id: ID!) { order(id: $id) { id } }', variables: { id: (await cardOrder(ctx)).id } }),
  'Query.invoice': async (ctx) => ({ query: 'query($id: ID!) { invoice(orderId: $id) { invoiceNumber } }', variables: { id: (await paidOrder(ctx)).id } }),
  'Query.failedOrders': async () => ({ query: '{ failedOrders { id } }' }),
  'Mutation.retryOrder': async (ctx) => {
    const order = await paidOrder(ctx);
    await ctx.orm.em.fork().transactional(async (em) => failOrder(em, await em.findOneOrFail(OrderEntity, { id: order.id }), 'test'));
    return { query: 'mutation($id: ID!) { retryOrder(id: $id) { id status } }', variables: { id: order.id } };
  },
  'Mutation.submitPaymentReceipt': async (ctx) => {
    const order = await cardOrder(ctx);
    const { customer } = await ctx.shop();
    const receipt = await ctx.orm.em.fork().transactional(async (em) => storeReceipt(em, em.merge(customer), png()));
    return {
      query: 'mutation($p: ID!, $r: ID) { submitPaymentReceipt(paymentId: $p, receiptId: $r) { status } }',
      variables: { p: (await paymentOf(ctx, order)).id, r: receipt.id },
    };
  },
  'Mutation.approvePayment': async (ctx) => ({
    query: 'mutation($p: ID!) { approvePayment(paymentId: $p) { status } }',
    variables: { p: (await paymentOf(ctx, await cardOrder(ctx))).id },
  }),
  'Mutation.approvePaymentByAmount': async (ctx) => ({
    query: 'mutation($a: Int!, $r: String) { approvePaymentByAmount(payableAmount: $a, reference: $r) { status } }',
    variables: { a: (await paymentOf(ctx, await cardOrder(ctx))).payableAmount, r: `BANK-${randomUUID().slice(0, 8)}` },
  }),
  'Mutation.rejectPayment': async (ctx) => ({
    query: 'mutation($p: ID!) { rejectPayment(paymentId: $p, reason: "not received") { status } }',
    variables: { p: (await paymentOf(ctx, await cardOrder(ctx))).id },
  }),
  'Query.paymentsToReview': async () => ({ query: '{ paymentsToReview(includeUnsubmitted: true) { orderNumber } }' }),
  'Query.receiptImage': async (ctx) => {
    const { customer } = await ctx.shop();
    const r = await ctx.orm.em.fork().transactional(async (em) => storeReceipt(em, em.merge(customer), png()));
    return { query: 'query($id: ID!) { receiptImage(id: $id) { mimeType base64 } }', variables: { id: r.id } };
  },
  'Query.subscriptions': async (ctx) => ({ query: 'query($c: ID) { subscriptions(customerId: $c) { id } }', variables: { c: (await ctx.shop()).customer.id } }),
  'Query.subscription': async (ctx) => ({ query: 'query($id: ID!) { subscription(id: $id) { id } }', variables: { id: (await sampleSubscription(ctx)).id } }),
  'Mutation.revokeSubscription': async (ctx) => ({
    query: 'mutation($id: ID!) { revokeSubscription(id: $id, reason: "abuse") { id } }',
    variables: { id: (await sampleSubscription(ctx)).id },
  }),
  'Mutation.setSubscriptionEnabled': async (ctx) => ({
    query: 'mutation($id: ID!) { setSubscriptionEnabled(id: $id, enabled: false) { id status } }',
    variables: { id: (await sampleSubscription(ctx)).id },
  }),
  'Mutation.extendSubscription': async (ctx) => ({
    query: 'mutation($id: ID!) { extendSubscription(id: $id, days: 1) { id status } }',
    variables: { id: (await sampleSubscription(ctx, { expiresAt: new Date(Date.now() + 86_400_000) })).id },
  }),
  'Mutation.resetSubscriptionTraffic': async (ctx) => ({
    query: 'mutation($id: ID!) { resetSubscriptionTraffic(id: $id) { id status } }',
    variables: { id: (await sampleSubscription(ctx, { serverId: (await sampleServer(ctx)).id })).id },
  }),
  'Query.driftReport': async (ctx) => ({
    query: 'query($id: ID!) { driftReport(serverId: $id) { serverId missing orphans items { kind panelName } } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Mutation.repairDrift': async (ctx) => ({
    query: 'mutation($id: ID!) { repairDrift(serverId: $id, dryRun: true, deleteOrphans: false) { dryRun actions { kind } } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Mutation.evacuateServer': async (ctx) => ({
    query: 'mutation($id: ID!) { evacuateServer(fromServerId: $id) { id status total } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Mutation.moveSubscription': async (ctx) => {
    const from = await sampleServer(ctx);
    const to = await sampleServer(ctx);
    const em = ctx.orm.em.fork();
    em.create(Inbound, { server: em.getReference(Server, to.id), remoteId: '1', tag: 'vless-443', protocol: 'vless', port: 443 });
    await em.flush();
    const sub = await sampleSubscription(ctx, { serverId: from.id });
    return { query: 'mutation($id: ID!, $to: ID!) { moveSubscription(id: $id, toServerId: $to) { id status subscriptionId } }', variables: { id: sub.id, to: to.id } };
  },
  'Query.evacuation': async (ctx) => {
    const from = await sampleServer(ctx);
    const ev = await ctx.orm.em.fork().transactional((em) => startEvacuation(em, { fromServerId: from.id }));
    return { query: 'query($id: ID!) { evacuation(id: $id) { id status moved } }', variables: { id: ev.id } };
  },
  'Query.evacuations': async (ctx) => ({
    query: 'query($id: ID!) { evacuations(serverId: $id) { id } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Query.resellers': async () => ({ query: '{ resellers { id name } }' }),
  'Query.reseller': async (ctx) => ({ query: 'query($id: ID) { reseller(id: $id) { id name } }', variables: { id: (await ctx.reseller()).reseller.id } }),
  'Mutation.createReseller': async () => ({
    query: 'mutation($i: CreateResellerInput!) { createReseller(input: $i) { id } }',
    variables: { i: { name: `r-${randomUUID()}`, discountPercent: 15, creditLimit: 0 } },
  }),
  'Mutation.updateReseller': async (ctx) => ({
    query: 'mutation($id: ID!) { updateReseller(id: $id, input: { discountPercent: 20 }) { id discountPercent } }',
    variables: { id: (await buildReseller(ctx.orm)).id },
  }),
  'Mutation.suspendReseller': async (ctx) => ({ query: 'mutation($id: ID!) { suspendReseller(id: $id) { id status } }', variables: { id: (await buildReseller(ctx.orm)).id } }),
  'Mutation.reactivateReseller': async (ctx) => ({ query: 'mutation($id: ID!) { reactivateReseller(id: $id) { id status } }', variables: { id: (await buildReseller(ctx.orm)).id } }),
  'Mutation.topUpReseller': async (ctx) => ({
    query: 'mutation($id: ID!, $k: String!) { topUpReseller(resellerId: $id, amount: 50000, note: "bank transfer", idempotencyKey: $k) { id amount } }',
    variables: { id: (await buildReseller(ctx.orm)).id, k: randomUUID() },
  }),
  'Query.resellerBalance': async (ctx) => ({ query: 'query($id: ID) { resellerBalance(resellerId: $id) { balance available } }', variables: { id: (await ctx.reseller()).reseller.id } }),
  'Query.resellerLedger': async (ctx) => ({
    query: 'query($id: ID) { resellerLedger(resellerId: $id, first: 5) { nodes { id amount kind } pageInfo { endCursor hasNextPage } } }',
    variables: { id: (await ctx.reseller()).reseller.id },
  }),
  'Query.resellerStatement': async (ctx) => ({
    query: 'query($id: ID, $f: DateTimeISO!, $t: DateTimeISO!) { resellerStatement(resellerId: $id, from: $f, to: $t) { purchases margin orders { id } } }',
    variables: { id: (await ctx.reseller()).reseller.id, f: new Date(Date.now() - 86_400_000).toISOString(), t: new Date(Date.now() + 86_400_000).toISOString() },
  }),
  'Mutation.upsertResellerCustomer': async () => ({
    query: 'mutation($r: String!) { upsertResellerCustomer(externalRef: $r, displayName: "Sample") { id externalRef } }',
    variables: { r: `ref-${randomUUID()}` },
  }),
  'Query.resellerCustomers': async () => ({ query: '{ resellerCustomers(first: 5) { nodes { id } pageInfo { hasNextPage } } }' }),
  'Query.resellerCustomer': async (ctx) => ({ query: 'query($id: ID!) { resellerCustomer(id: $id) { id } }', variables: { id: (await ctx.reseller()).customer.id } }),
  'Query.resellerOrders': async (ctx) => ({
    query: 'query($c: ID) { resellerOrders(customerId: $c, first: 5) { nodes { id } } }',
    variables: { c: (await ctx.reseller()).customer.id },
  }),
  'Query.resellerOrder': async (ctx) => ({ query: 'query($id: ID!) { resellerOrder(id: $id) { id } }', variables: { id: (await resellerOrder(ctx)).id } }),
  'Query.resellerSubscriptions': async (ctx) => ({
    query: 'query($c: ID) { resellerSubscriptions(customerId: $c, first: 5) { nodes { id subscriptionUrl } } }',
    variables: { c: (await ctx.reseller()).customer.id },
  }),
  'Query.resellerSubscription': async (ctx) => ({ query: 'query($id: ID!) { resellerSubscription(id: $id) { id } }', variables: { id: (await resellerSubscription(ctx)).id } }),
  'Mutation.setResellerSubscriptionEnabled': async (ctx) => ({
    query: 'mutation($id: ID!) { setResellerSubscriptionEnabled(id: $id, enabled: false) { id status } }',
    variables: { id: (await resellerSubscription(ctx)).id },
  }),
  'Mutation.revokeResellerSubscription': async (ctx) => ({
    query: 'mutation($id: ID!) { revokeResellerSubscription(id: $id) { id } }',
    variables: { id: (await resellerSubscription(ctx)).id },
  }),
  'Mutation.setResellerWebhook': async (ctx) => ({
    query: 'mutation($id: ID, $u: String!) { setResellerWebhook(resellerId: $id, url: $u) { id webhookUrl } }',
    variables: { id: (await ctx.reseller()).reseller.id, u: 'https://93.184.215.14/hooks' },
  }),
  'Query.webhookDeliveries': async (ctx) => ({
    query: 'query($id: ID) { webhookDeliveries(resellerId: $id, first: 5) { nodes { id event status } } }',
    variables: { id: (await ctx.reseller()).reseller.id },
  }),
  'Mutation.redeliverWebhook': async (ctx) => ({ query: 'mutation($id: ID!) { redeliverWebhook(id: $id) { id status } }', variables: { id: (await resellerDelivery(ctx)).id } }),
  'Query.failedJobs': async () => ({ query: '{ failedJobs(first: 5) { id taskIdentifier attempts lastError } }' }),
  'Mutation.retryJob': async (ctx) => {
    // A permanently failed job whose retry does nothing (a health probe of a server that does not exist).
    const em = ctx.orm.em.fork();
    const job = await enqueue(em, 'check_server_health', { serverId: randomUUID() }, { maxAttempts: 1 });
    await em.execute(`update graphile_worker._private_jobs set attempts = max_attempts, last_error = 'sample failure' where id = ?::bigint`, [job.id]);
    return { query: 'mutation($id: ID!) { retryJob(id: $id) { id attempts } }', variables: { id: job.id } };
  },
  'Query.myTickets': async () => ({ query: '{ myTickets { id subject status messages { author body } } }' }),
  'Query.tickets': async () => ({ query: '{ tickets(status: [OPEN, ANSWERED]) { id subject customerId } }' }),
  'Query.customerTickets': async (ctx) => {
    const { customer } = await sampleTicket(ctx);
    return { query: 'query($c: ID!) { customerTickets(customerId: $c) { id subject status } }', variables: { c: customer.id } };
  },
  'Query.ticket': async (ctx) => {
    const { customer, ticket } = await sampleTicket(ctx);
    return { query: 'query($id: ID!) { ticket(id: $id) { id messages { body } } }', variables: { id: ticket.id }, actAs: customer.telegramId! };
  },
  'Mutation.openTicket': async () => ({ query: 'mutation { openTicket(subject: "Slow", message: "It is slow tonight") { id status } }' }),
  'Mutation.writeTicketMessage': async (ctx) => {
    const { customer, ticket } = await sampleTicket(ctx);
    return { query: 'mutation($id: ID!) { writeTicketMessage(ticketId: $id, body: "more") { id status } }', variables: { id: ticket.id }, actAs: customer.telegramId! };
  },
  'Mutation.replyTicket': async (ctx) => {
    const { ticket } = await sampleTicket(ctx);
    return { query: 'mutation($id: ID!) { replyTicket(ticketId: $id, body: "Try the other config") { id status } }', variables: { id: ticket.id } };
  },
  'Mutation.closeTicket': async (ctx) => {
    const { customer, ticket } = await sampleTicket(ctx);
    return { query: 'mutation($id: ID!) { closeTicket(id: $id) { id status } }', variables: { id: ticket.id }, actAs: customer.telegramId! };
  },
  'Query.shopInfo': async () => ({ query: '{ shopInfo { supportHandle requiredChannel trialAvailable topUpMin } }' }),
  'Query.orderQuote': async (ctx) => ({
    query: 'query($i: OrderQuoteInput!) { orderQuote(input: $i) { price amountDue walletBalance } }',
    variables: { i: { kind: 'NEW', planId: (await ctx.shop()).plan.id } },
  }),
  'Mutation.reportBotBlocked': async () => ({ query: 'mutation { reportBotBlocked }' }),
};

/** An ACTIVE subscription row of the sample customer (no panel client needed). */
async function sampleSubscription(ctx: SampleContext, opts: { expiresAt?: Date; serverId?: string } = {}) {
  const { customer, plan } = await ctx.shop();
  const em = ctx.orm.em.fork();
  const sub = newSubscription(em, { customer: em.merge(customer), plan: em.merge(plan) });
  sub.status = SubscriptionStatus.ACTIVE;
  if (opts.expiresAt) sub.expiresAt = opts.expiresAt;
  if (opts.serverId) sub.server = em.getReference(Server, opts.serverId);
  await em.flush();
  return sub;
}

/** A fresh customer with an open ticket (each sample its own, so the open-ticket limit never bites). */
async function sampleTicket(ctx: SampleContext) {
  const customer = await buildCustomer(ctx.orm);
  const ticket = await ctx.orm.em.fork().transactional((em) => openTicket(em, em.merge(customer), { subject: 'Help', message: 'It does not connect' }));
  return { customer, ticket };
}

/** A paid order of the sample reseller's customer. */
export async function resellerOrder(ctx: SampleContext): Promise<Order> {
  const { plan } = await ctx.shop();
  const { customer } = await ctx.reseller();
  return ctx.orm.em.fork().transactional(async (em) =>
    createOrder(em, DEPS, {
      customer: await em.findOneOrFail(CustomerEntity, { id: customer.id }),
      principal: `sample:${customer.id}`,
      actor: 'test',
      idempotencyKey: randomUUID(),
      order: { kind: 'NEW', planId: plan.id, paymentMethod: 'RESELLER_BALANCE' },
    }),
  );
}

/** An ACTIVE subscription row of the sample reseller's customer. */
export async function resellerSubscription(ctx: SampleContext) {
  const { plan } = await ctx.shop();
  const { customer } = await ctx.reseller();
  const em = ctx.orm.em.fork();
  const sub = newSubscription(em, { customer: await em.findOneOrFail(CustomerEntity, { id: customer.id }), plan: em.merge(plan) });
  sub.status = SubscriptionStatus.ACTIVE;
  await em.flush();
  return sub;
}

/** A recorded webhook event of the sample reseller. */
async function resellerDelivery(ctx: SampleContext): Promise<WebhookDelivery> {
  const { reseller } = await ctx.reseller();
  const em = ctx.orm.em.fork();
  const d = em.create(WebhookDelivery, { reseller: reseller.id, event: 'order.failed', eventKey: `sample:${randomUUID()}`, payload: { sample: true } });
  await em.flush();
  return d;
}
