import type { MiddlewareFn } from 'type-graphql';
import { AppError } from '../errors';
import type { Ctx } from './context';

/** NUL (PostgreSQL text cannot hold it) and UTF-16 surrogates that are not part of a pair. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this refuses
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string inside `value` that cannot be stored as text, or null. */
export function unstorableStringPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const found = unstorableStringPath(inner, path ? `${path}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Refuses, before any resolver runs, a string argument (at any depth, JSON values included) that
 * holds a NUL character or a lone UTF-16 surrogate: it could never be stored and would otherwise
 * reach the database as an internal error. Code `BAD_USER_INPUT` with the argument's path.
 */
export const refuseUnstorableText: MiddlewareFn<Ctx> = async ({ args }, next) => {
  const field = unstorableStringPath(args);
  if (field !== null) {
    throw new AppError('BAD_USER_INPUT', `\`${field}\` contains a NUL character or an unpaired UTF-16 surrogate.`, {
      field,
      reason: 'UNSTORABLE_TEXT',
    });
  }
  return next();
};
