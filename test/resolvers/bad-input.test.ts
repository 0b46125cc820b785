import {
  getNamedType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  isLeafType,
  isNonNullType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { Role } from '../../src/entities/common';
import { buildAppSchema } from '../../src/resolvers/schema';
import { makeKey, startTestApi, type TestApi } from '../helpers/api';
import { buildCustomer } from '../factories/commerce';

/** A value of the right GraphQL type but wrong for the domain (garbage ids, empty strings, negatives). */
function garbage(type: GraphQLInputType, variant: number, text?: string): unknown {
  if (type instanceof GraphQLNonNull) return garbage(type.ofType, variant, text);
  if (type instanceof GraphQLList) return [garbage(type.ofType, variant, text)];
  if (type instanceof GraphQLEnumType) return type.getValues()[variant % type.getValues().length].value;
  if (type instanceof GraphQLInputObjectType) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) if (isNonNullType(f.type) || variant % 2 === 1) out[f.name] = garbage(f.type, variant, text);
    return out;
  }
  const scalar = type as GraphQLScalarType;
  switch (scalar.name) {
    case 'ID':
      return variant % 2 ? '00000000-0000-0000-0000-000000000000' : 'not-a-uuid';
    case 'String':
      if (text !== undefined) return text;
      return variant % 2 ? 'x'.repeat(5000) : '';
    case 'Int':
      return variant % 2 ? 2147483647 : -1;
    case 'SafeInt':
      return variant % 2 ? Number.MAX_SAFE_INTEGER : -1;
    case 'Float':
      return -1.5;
    case 'Boolean':
      return variant % 2 === 1;
    case 'DateTimeISO':
      return variant % 2 ? '1970-01-01T00:00:00.000Z' : '2999-01-01T00:00:00.000Z';
    case 'JSON':
      return variant % 2 ? { a: [1, 2] } : null;
    default:
      return null;
  }
}

/** A selection of the scalar fields of a return type (one level). */
function selection(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  const fields = (named as unknown as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields();
  const leafs = Object.values(fields).filter((f) => isLeafType(getNamedType(f.type)) && f.args.length === 0).map((f) => f.name);
  return `{ ${leafs.join(' ') || '__typename'} }`;
}

/** Whether a String appears among the arguments (inside input objects and lists too). */
function takesString(type: GraphQLInputType): boolean {
  const named = getNamedType(type);
  if (named instanceof GraphQLInputObjectType) return Object.values(named.getFields()).some((f) => takesString(f.type));
  return named.name === 'String';
}

function operation(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  const vars = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  return `${kind}${vars ? `(${vars})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selection(field.type)} }`;
}

describe('bad input', () => {
  let t: TestApi;
  let schema: GraphQLSchema;
  let adminKey: string;
  let botKey: string;
  let telegramId: number;

  beforeAll(async () => {
    t = await startTestApi({ isolated: true });
    schema = await buildAppSchema();
    adminKey = await makeKey(t.orm, Role.ADMIN);
    botKey = await makeKey(t.orm, Role.USER_BOT);
    telegramId = (await buildCustomer(t.orm)).telegramId!;
  });
  afterAll(async () => {
    await t.close();
  });

  it('never answers an internal error to type-valid garbage on any operation, for any allowed caller', async () => {
    const problems: string[] = [];
    for (const [kind, type] of [['query', schema.getQueryType()!], ['mutation', schema.getMutationType()!]] as const) {
      for (const field of Object.values(type.getFields())) {
        for (const variant of [0, 1]) {
          const vars = Object.fromEntries(field.args.map((a) => [a.name, garbage(a.type, variant)]));
          for (const auth of [{ key: adminKey }, { key: botKey, telegramId }]) {
            const res = await t.gql(operation(kind, field), vars, auth);
            const internal = res.errors?.find((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
            if (internal || res.status >= 500) problems.push(`${kind} ${field.name} variant ${variant} as ${auth.key === adminKey ? 'ADMIN' : 'USER_BOT'}: ${res.status} ${internal?.message ?? ''}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('refuses a NUL character or a lone UTF-16 surrogate in every string argument of the schema with BAD_USER_INPUT', async () => {
    const problems: string[] = [];
    let refused = 0;
    for (const [kind, type] of [['query', schema.getQueryType()!], ['mutation', schema.getMutationType()!]] as const) {
      for (const field of Object.values(type.getFields())) {
        if (!field.args.some((a) => takesString(a.type))) continue;
        for (const text of ['a\u0000b', 'a\uD800b', 'a\uDC00']) {
          const vars = Object.fromEntries(field.args.map((a) => [a.name, garbage(a.type, 1, text)]));
          const codes: unknown[] = [];
          for (const auth of [{ key: adminKey }, { key: botKey, telegramId }]) {
            const res = await t.gql(operation(kind, field), vars, auth);
            codes.push(res.errors?.[0]?.extensions?.code ?? 'ok');
          }
          if (codes.every((c) => c === 'FORBIDDEN' || c === 'UNAUTHENTICATED')) continue;
          if (!codes.includes('BAD_USER_INPUT') || codes.includes('INTERNAL_SERVER_ERROR') || codes.includes('ok')) {
            problems.push(`${kind} ${field.name} ${JSON.stringify(text)}: ${codes.join(', ')}`);
          } else refused += 1;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(refused).toBeGreaterThan(20);
  }, 120_000);

  it('refuses a page size below 1 or above the maximum instead of answering a silently different page', async () => {
    for (const first of [-1, 0, 100_000]) {
      const res = await t.gql('query($first: Int!) { customers(query: "x", first: $first) { id } }', { first }, { key: adminKey });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect((await t.gql('{ customers(query: "x", first: 5) { id } }', {}, { key: adminKey })).errors).toBeUndefined();
  });
});
