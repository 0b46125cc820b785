import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function toSafeInt(value: unknown): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new GraphQLError('SafeInt must be an integer between -(2^53-1) and 2^53-1', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return n;
}

/**
 * An integer exact in JavaScript (|n| < 2^53), sent as a JSON number. Used for bytes of traffic
 * (up to 9 PB) and Telegram ids, which do not fit GraphQL's 32-bit Int.
 */
export const SafeIntScalar = new GraphQLScalarType({
  name: 'SafeInt',
  description: 'Integer between -(2^53-1) and 2^53-1, as a JSON number (bytes, Telegram ids).',
  serialize: toSafeInt,
  parseValue: toSafeInt,
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT && ast.kind !== Kind.STRING) {
      throw new GraphQLError('SafeInt must be an integer', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return toSafeInt(ast.value);
  },
});

/** A GraphQL enum object built from a service's value list, so the values are defined once (in the service). */
export function enumOf<T extends string>(values: readonly T[]): { [K in T]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
}
