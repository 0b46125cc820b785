import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  isInputObjectType,
  Kind,
  parse,
  type ConstDirectiveNode,
  type FieldNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { Role } from '../../src/entities/common';
import { buildAppSchema } from '../../src/resolvers/schema';
import { createApiKey } from '../../src/services/api-key.service';
import { errorCode, startTestApi, type TestApi } from '../helpers/api';
import { resellerOrder, resellerSubscription, SAMPLE_CALLS, sampleContext, type SampleContext } from '../helpers/operations';
import { buildResellerKey } from '../factories/reseller';
import { WebhookDelivery } from '../../src/entities/webhook-delivery.entity';
import { newSubscription } from '../../src/services/subscription.service';
import { SubscriptionStatus } from '../../src/entities/subscription.entity';

/** Arguments that name a shared row (the plan catalogue), not a tenant's. */
const SHARED_IDS = new Set(['planId']);

/** One ID-typed argument of a field: `arg` or `arg.field` for an input object. */
interface IdArg {
  coordinate: string;
  arg: string;
  inputField: string | null;
}

function resellerMayCall(field: GraphQLField<unknown, unknown>): boolean {
  const auth = field.astNode?.directives?.find((d: ConstDirectiveNode) => d.name.value === 'auth');
  const roles = auth?.arguments?.find((a) => a.name.value === 'roles');
  return !!roles && roles.value.kind === Kind.LIST && roles.value.values.some((v) => (v as { value: string }).value === Role.RESELLER);
}

/** Every ID argument (direct or inside an input object) of every root field a RESELLER key may call. */
function idArgs(schema: GraphQLSchema): IdArg[] {
  const out: IdArg[] = [];
  for (const [typeName, type] of [['Query', schema.getQueryType()!], ['Mutation', schema.getMutationType()!]] as const) {
    for (const field of Object.values(type.getFields())) {
      if (!resellerMayCall(field)) continue;
      for (const a of field.args as readonly GraphQLArgument[]) {
        const named = getNamedType(a.type);
        if (named.name === 'ID' && !SHARED_IDS.has(a.name)) out.push({ coordinate: `${typeName}.${field.name}`, arg: a.name, inputField: null });
        if (isInputObjectType(named)) {
          for (const f of Object.values(named.getFields())) {
            if (getNamedType(f.type).name === 'ID' && !SHARED_IDS.has(f.name)) out.push({ coordinate: `${typeName}.${field.name}`, arg: a.name, inputField: f.name });
          }
        }
      }
    }
  }
  return out;
}

/** The variable bound to `arg` of the root field in a sample query. */
function variableOf(query: string, fieldName: string, arg: string): string | null {
  const op = parse(query).definitions[0] as OperationDefinitionNode;
  const field = op.selectionSet.selections.find((s) => s.kind === Kind.FIELD && s.name.value === fieldName) as FieldNode | undefined;
  const a = field?.arguments?.find((x) => x.name.value === arg);
  return a && a.value.kind === Kind.VARIABLE ? a.value.name.value : null;
}

describe('reseller tenancy', () => {
  let t: TestApi;
  let samples: SampleContext;
  let schema: GraphQLSchema;
  let foreign: Array<{ label: string; id: string }>;
  let snapshot: () => Promise<unknown>;

  beforeAll(async () => {
    t = await startTestApi({ isolated: true, config: { RESELLER_RATE_PER_MINUTE: '100000', RESELLER_RATE_BURST: '100000' } });
    samples = sampleContext(t.orm, t.services);
    schema = await buildAppSchema();
    const a = await samples.reseller();
    // Reseller B: the same kinds of rows as A, made by a second sample context over the same database.
    const other = sampleContext(t.orm, t.services);
    Object.assign(other, { shop: samples.shop, panel: samples.panel });
    const b = await other.reseller();
    const bOrder = await resellerOrder(other);
    const bSub = await resellerSubscription(other);
    const bKey = await buildResellerKey(t.orm, b.reseller.id);
    const em = t.orm.em.fork();
    const bDelivery = em.create(WebhookDelivery, { reseller: b.reseller.id, event: 'order.failed', eventKey: `b:${randomUUID()}`, payload: {} });
    await em.flush();
    // The shop's own rows.
    const { customer: shopCustomer, plan } = await samples.shop();
    const shopSub = newSubscription(em, { customer: em.merge(shopCustomer), plan: em.merge(plan) });
    shopSub.status = SubscriptionStatus.ACTIVE;
    await em.flush();
    const shopOrder = await SAMPLE_CALLS['Query.order']!(samples, Role.ADMIN);
    const { apiKey: shopKey } = await createApiKey(t.orm.em.fork(), { name: 'shop support', role: Role.SUPPORT }, 'test');
    expect(a.reseller.id).not.toBe(b.reseller.id);
    foreign = [
      { label: "B's reseller", id: b.reseller.id },
      { label: "B's customer", id: b.customer.id },
      { label: "B's order", id: bOrder.id },
      { label: "B's subscription", id: bSub.id },
      { label: "B's API key", id: bKey.id },
      { label: "B's webhook delivery", id: bDelivery.id },
      { label: "the shop's customer", id: shopCustomer.id },
      { label: "the shop's order", id: String(shopOrder.variables!.id) },
      { label: "the shop's subscription", id: shopSub.id },
      { label: "the shop's API key", id: shopKey.id },
    ];
    snapshot = async () =>
      (
        await t.orm.em.fork().getConnection().execute(
          `select (select json_agg(json_build_object('id', id, 'status', status, 'expires', expires_at) order by id) from subscription where id in (?, ?)) as subs,
                  (select count(*)::int from "order" where reseller_id = ? or customer_id = ?) as orders,
                  (select coalesce(sum(amount), 0)::bigint::text from ledger_entry where reseller_id = ?) as b_balance,
                  (select json_agg(json_build_object('id', id, 'revoked', revoked_at) order by id) from api_key where id in (?, ?)) as keys,
                  (select json_agg(json_build_object('id', id, 'status', status) order by id) from webhook_delivery where reseller_id = ?) as deliveries,
                  (select json_build_object('url', webhook_url, 'status', status, 'updated', updated_at) from reseller where id = ?) as reseller,
                  (select count(*)::int from customer where reseller_id = ?) as b_customers,
                  (select count(*)::int from graphile_worker._private_jobs j where j.payload::text ~ ?) as jobs_for_them`,
          [bSub.id, shopSub.id, b.reseller.id, shopCustomer.id, b.reseller.id, bKey.id, shopKey.id, b.reseller.id, b.reseller.id, b.reseller.id, foreign.map((f) => f.id).join('|')],
        )
      )[0];
  }, 60_000);
  afterAll(async () => {
    await samples.close();
    await t.close();
  });

  it("answers NOT_FOUND, changing nothing, to reseller A for every id argument given B's or the shop's ids", async () => {
    const args = idArgs(schema);
    // The enumeration covers what resellers can name (a sanity floor, not the list itself).
    expect(args.map((a) => `${a.coordinate}(${a.arg}${a.inputField ? `.${a.inputField}` : ''})`)).toEqual(
      expect.arrayContaining(['Mutation.createOrder(input.customerId)', 'Mutation.createOrder(input.subscriptionId)', 'Query.resellerOrder(id)', 'Mutation.revokeApiKey(id)']),
    );
    const { key } = await samples.reseller();
    const before = await snapshot();
    const outcomes: string[] = [];
    for (const a of args) {
      const fieldName = a.coordinate.split('.')[1]!;
      for (const f of foreign) {
        const sample = await SAMPLE_CALLS[a.coordinate]!(samples, Role.RESELLER);
        const variable = variableOf(sample.query, fieldName, a.arg);
        expect({ coordinate: a.coordinate, arg: a.arg, variable }).toEqual({ coordinate: a.coordinate, arg: a.arg, variable: expect.any(String) });
        const variables = { ...(sample.variables ?? {}) };
        variables[variable!] = a.inputField ? { ...(variables[variable!] as object), [a.inputField]: f.id } : f.id;
        const res = await t.gql(sample.query, variables, { key });
        outcomes.push(`${a.coordinate}(${a.arg}${a.inputField ? `.${a.inputField}` : ''}) with ${f.label}: ${errorCode(res) ?? 'ANSWERED'}`);
      }
    }
    expect(outcomes.filter((o) => !o.endsWith(': NOT_FOUND'))).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 120_000);
});
