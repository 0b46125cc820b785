import type { MikroORM } from '@mikro-orm/postgresql';
import { GraphQLSchema, Kind, type ConstDirectiveNode } from 'graphql';
import { Admin } from '../../src/entities/admin.entity';
import { ApiKey } from '../../src/entities/api-key.entity';
import { AdminRole, Role } from '../../src/entities/common';
import { buildAppSchema } from '../../src/resolvers/schema';
import { addAdmin } from '../../src/services/admin.service';
import { errorCode, makeKey, startTestApi, type TestApi } from '../helpers/api';
import { randomTelegramId } from '../helpers/ids';
import { SAMPLE_CALLS, sampleContext, type SampleContext } from '../helpers/operations';
import { buildResellerKey } from '../factories/reseller';
import { ALL_SCOPES } from '../../src/services/api-key-scopes';

/** The roles (and RESELLER scopes) a root field's @auth directive declares, or null for @public. */
function declaredAuth(schema: GraphQLSchema, coordinate: string): { roles: Role[]; scopes: string[] } | null {
  const [typeName, fieldName] = coordinate.split('.');
  const type = typeName === 'Query' ? schema.getQueryType() : schema.getMutationType();
  const field = type!.getFields()[fieldName];
  const auth = field.astNode?.directives?.find((d: ConstDirectiveNode) => d.name.value === 'auth');
  if (!auth) return null;
  const arg = auth.arguments?.find((a) => a.name.value === 'roles');
  if (!arg || arg.value.kind !== Kind.LIST) throw new Error(`bad @auth on ${coordinate}`);
  const scopeArg = auth.arguments?.find((a) => a.name.value === 'scopes');
  const scopes = scopeArg && scopeArg.value.kind === Kind.LIST ? scopeArg.value.values.map((v) => (v as { value: string }).value) : [];
  return { roles: arg.value.values.map((v) => (v as { value: string }).value as Role), scopes };
}

interface Caller {
  label: string;
  /** The effective role, or null when the caller is not authenticated. */
  role: Role | null;
  key?: string;
  telegramId?: number;
  /** RESELLER keys: the scopes the key has. */
  scopes?: string[];
  /**
   * A caller whose principal (role, scopes and identity) equals another's by construction: the
   * API derives the principal from the headers alone, before it looks at the operation. Such a
   * caller is checked against its twin once (same principal, same refusals) instead of on every
   * operation.
   */
  sameAs?: string;
}

describe('authorization matrix', () => {
  let t: TestApi;
  let orm: MikroORM;
  let schema: GraphQLSchema;
  let samples: SampleContext;
  const callers: Caller[] = [];

  beforeAll(async () => {
    // Per-key rate limits are tested on their own; here every key makes many calls.
    t = await startTestApi({ config: { RESELLER_RATE_PER_MINUTE: '100000', RESELLER_RATE_BURST: '100000' } });
    orm = t.orm;
    samples = sampleContext(orm, t.services);
    schema = await buildAppSchema();
    const revoked = await makeKey(orm, Role.ADMIN);
    await orm.em.fork().nativeUpdate(ApiKey, { prefix: revoked.split('_')[1] }, { revokedAt: new Date() });
    const expired = await makeKey(orm, Role.ADMIN);
    await orm.em.fork().nativeUpdate(ApiKey, { prefix: expired.split('_')[1] }, { expiresAt: new Date(Date.now() - 1000) });
    const adminBot = await makeKey(orm, Role.ADMIN_BOT);
    const adminTg = randomTelegramId();
    const supportTg = randomTelegramId();
    const inactiveTg = randomTelegramId();
    await addAdmin(orm.em.fork(), { telegramId: adminTg, role: AdminRole.ADMIN });
    await addAdmin(orm.em.fork(), { telegramId: supportTg, role: AdminRole.SUPPORT });
    const inactive = await addAdmin(orm.em.fork(), { telegramId: inactiveTg, role: AdminRole.ADMIN });
    await orm.em.fork().nativeUpdate(Admin, { id: inactive.id }, { active: false });
    callers.push(
      { label: 'no key', role: null },
      { label: 'malformed key', role: null, key: 'not-a-key', sameAs: 'no key' },
      { label: 'unknown key', role: null, key: 'vpk_AAAAAAAAAA_' + 'x'.repeat(43), sameAs: 'no key' },
      { label: 'revoked key', role: null, key: revoked, sameAs: 'no key' },
      { label: 'expired key', role: null, key: expired, sameAs: 'no key' },
      { label: 'ADMIN key', role: Role.ADMIN, key: await makeKey(orm, Role.ADMIN) },
      { label: 'SUPPORT key', role: Role.SUPPORT, key: await makeKey(orm, Role.SUPPORT) },
      { label: 'USER_BOT key', role: Role.USER_BOT, key: await makeKey(orm, Role.USER_BOT) },
      { label: 'ADMIN_BOT key acting for nobody', role: Role.ADMIN_BOT, key: adminBot },
      { label: 'ADMIN_BOT key acting for an ADMIN admin', role: Role.ADMIN, key: adminBot, telegramId: adminTg },
      { label: 'ADMIN_BOT key acting for a SUPPORT admin', role: Role.SUPPORT, key: adminBot, telegramId: supportTg },
      { label: 'ADMIN_BOT key acting for an inactive admin', role: Role.ADMIN_BOT, key: adminBot, telegramId: inactiveTg, sameAs: 'ADMIN_BOT key acting for nobody' },
      { label: 'ADMIN_BOT key acting for a stranger', role: Role.ADMIN_BOT, key: adminBot, telegramId: randomTelegramId(), sameAs: 'ADMIN_BOT key acting for nobody' },
      { label: 'RESELLER key with every scope', role: Role.RESELLER, key: (await samples.reseller()).key, scopes: ALL_SCOPES },
      {
        label: 'RESELLER key without scopes',
        role: Role.RESELLER,
        key: (await buildResellerKey(orm, (await samples.reseller()).reseller.id, { scopes: [] })).key,
        scopes: [],
      },
    );
  });

  afterAll(async () => {
    await samples.close();
    await t.close();
  });

  it('has a sample call for every root field', () => {
    const coordinates = [
      ...Object.keys(schema.getQueryType()!.getFields()).map((f) => `Query.${f}`),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}).map((f) => `Mutation.${f}`),
    ];
    expect(coordinates.filter((c) => !SAMPLE_CALLS[c])).toEqual([]);
  });

  it('allows each operation exactly to the roles its @auth directive declares', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    const expectedOf = (declared: { roles: Role[]; scopes: string[] } | null, caller: Caller): string => {
      if (declared === null) return 'ALLOWED';
      if (caller.role === null) return 'UNAUTHENTICATED';
      // A RESELLER key also needs every scope the field declares.
      const scoped = caller.role !== Role.RESELLER || declared.scopes.every((sc) => caller.scopes!.includes(sc));
      return declared.roles.includes(caller.role) && scoped ? 'ALLOWED' : 'FORBIDDEN';
    };
    const shopCustomer = (await samples.shop()).customer.telegramId!;
    const call = async (coordinate: string, caller: Caller, { query, variables, actAs }: Awaited<ReturnType<(typeof SAMPLE_CALLS)[string]>>) => {
      const telegramId = caller.role === Role.USER_BOT ? (actAs ?? shopCustomer) : caller.telegramId;
      const res = await t.gql(query, variables, { key: caller.key, telegramId });
      const code = errorCode(res);
      const outcome = code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? code : 'ALLOWED';
      outcomes.push(`${coordinate} as ${caller.label}: ${outcome}`);
      if (outcome === 'ALLOWED') expect({ coordinate, caller: caller.label, errors: res.errors }).toEqual({ coordinate, caller: caller.label, errors: undefined });
    };
    // Operations run a few at a time. Callers that must be refused share one prepared sample and
    // go in parallel (a refusal happens before the resolver, and a wrongly allowed call still
    // shows as ALLOWED whatever the state); each caller that must be allowed gets a fresh sample.
    const entries = Object.entries(SAMPLE_CALLS);
    const distinct = callers.filter((c) => !c.sameAs);
    const runOperation = async ([coordinate, sample]: (typeof entries)[number]): Promise<void> => {
      const roles = declaredAuth(schema, coordinate);
      for (const caller of distinct) expected.push(`${coordinate} as ${caller.label}: ${expectedOf(roles, caller)}`);
      const refused = distinct.filter((c) => expectedOf(roles, c) !== 'ALLOWED');
      if (refused.length > 0) {
        const shared = await sample(samples, null);
        await Promise.all(refused.map((caller) => call(coordinate, caller, shared)));
      }
      for (const caller of distinct.filter((c) => expectedOf(roles, c) === 'ALLOWED')) await call(coordinate, caller, await sample(samples, caller.role));
    };
    const queue = [...entries];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await runOperation(next);
      }),
    );
    expect([...outcomes].sort()).toEqual([...expected].sort());
  }, 60_000);

  it('gives each caller checked through a twin the same principal and the same refusals as the twin', async () => {
    const view = async (c: Caller) => {
      const me = await t.gql<{ me: Record<string, unknown> }>('{ me { role keyRole apiKeyId adminId customerId resellerId scopes } }', {}, { key: c.key, telegramId: c.telegramId });
      const adminOnly = await t.gql('mutation { revokeApiKey(id: "00000000-0000-0000-0000-000000000000") { id } }', {}, { key: c.key, telegramId: c.telegramId });
      const userOnly = await t.gql('{ myCustomer { id } }', {}, { key: c.key, telegramId: c.telegramId });
      return { me: me.data?.me ?? errorCode(me), adminOnly: errorCode(adminOnly), userOnly: errorCode(userOnly) };
    };
    const twins = callers.filter((c) => c.sameAs);
    expect(twins.length).toBe(6);
    for (const caller of twins) {
      const twin = callers.find((c) => c.label === caller.sameAs)!;
      expect({ caller: caller.label, ...(await view(caller)) }).toEqual({ caller: caller.label, ...(await view(twin)) });
    }
  });

  it('reports the effective role of an ADMIN_BOT key acting for a SUPPORT admin', async () => {
    const bot = callers.find((c) => c.label === 'ADMIN_BOT key acting for a SUPPORT admin')!;
    const res = await t.gql<{ me: { role: string; keyRole: string; telegramId: number; adminId: string } }>(
      '{ me { role keyRole telegramId adminId } }',
      {},
      { key: bot.key, telegramId: bot.telegramId },
    );
    expect(res.data!.me).toMatchObject({ role: 'SUPPORT', keyRole: 'ADMIN_BOT', telegramId: bot.telegramId });
    expect(res.data!.me.adminId).toEqual(expect.any(String));
  });

  it('refuses a malformed X-Telegram-User-Id with UNAUTHENTICATED', async () => {
    const bot = callers.find((c) => c.label === 'USER_BOT key')!;
    const res = await t.gql('{ me { role } }', {}, { key: bot.key, headers: { 'x-telegram-user-id': '12abc' } });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });
});
