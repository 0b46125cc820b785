import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { NotFoundError } from '@mikro-orm/core';
import { ArgumentValidationError, AuthenticationError, AuthorizationError } from 'type-graphql';
import { ZodError } from 'zod';
import { AppError, ERROR_CODES } from '../errors';
import type { Logger } from '../logger';

/** Codes that graphql-js / Apollo produce themselves and that are safe to pass through. */
const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  // Raised by the HTTP layer itself (introspection without a key, src/http/introspection.ts).
  'UNAUTHENTICATED',
]);

/** Whether an error is one we expected (so it is not logged as a fault). */
export function isExpectedError(error: unknown): boolean {
  const e = unwrapResolverError(error);
  return (
    e instanceof AppError ||
    e instanceof ZodError ||
    e instanceof ArgumentValidationError ||
    e instanceof AuthenticationError ||
    e instanceof AuthorizationError ||
    e instanceof NotFoundError
  );
}

/**
 * Logs the errors of one GraphQL request that an operator must see, on the request's logger (so
 * with its request id): a reportable AppError (the catalogue's `reportable`, e.g. NO_CAPACITY or a
 * panel failure) as a warning with its code and details, and an unexpected error in full. Expected,
 * non-reportable errors (bad input, not found, forbidden) are the caller's business and not logged.
 */
export function logRequestErrors(logger: Logger, errors: readonly GraphQLError[]): void {
  for (const err of errors) {
    const e = unwrapResolverError(err);
    if (e instanceof AppError) {
      if (e.reportable) logger.warn({ code: e.code, details: e.details, path: err.path }, 'reportable error');
    } else if ((!err.extensions?.code || err.extensions.code === 'INTERNAL_SERVER_ERROR') && !isExpectedError(err)) {
      logger.error({ err: err.originalError ?? err, path: err.path }, 'unexpected GraphQL error');
    }
  }
}

/**
 * The one place errors become API errors: AppError → its code; validation → BAD_USER_INPUT;
 * not found → NOT_FOUND; auth → UNAUTHENTICATED / FORBIDDEN; anything else is masked as
 * INTERNAL_SERVER_ERROR (it is logged with the request id by the logging plugin).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const e = unwrapResolverError(error);
  const base = { locations: formatted.locations, path: formatted.path };
  if (e instanceof AppError) {
    return { ...base, message: e.message, extensions: { code: e.code, ...(e.details ? { details: e.details } : {}) } };
  }
  if (e instanceof ZodError) {
    return {
      ...base,
      message: 'The input is not valid.',
      extensions: {
        code: 'BAD_USER_INPUT',
        issues: e.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      },
    };
  }
  if (e instanceof ArgumentValidationError) {
    return { ...base, message: 'The input is not valid.', extensions: { code: 'BAD_USER_INPUT' } };
  }
  if (e instanceof AuthenticationError) {
    return { ...base, message: ERROR_CODES.UNAUTHENTICATED.message, extensions: { code: 'UNAUTHENTICATED' } };
  }
  if (e instanceof AuthorizationError) {
    return { ...base, message: ERROR_CODES.FORBIDDEN.message, extensions: { code: 'FORBIDDEN' } };
  }
  if (e instanceof NotFoundError) {
    return { ...base, message: ERROR_CODES.NOT_FOUND.message, extensions: { code: 'NOT_FOUND' } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PASS_THROUGH.has(code)) {
    return { ...base, message: formatted.message, extensions: { code } };
  }
  if (code === 'INTERNAL_SERVER_ERROR' && /Too many errors processing variables/.test(formatted.message)) {
    return { ...base, message: formatted.message, extensions: { code: 'BAD_USER_INPUT' } };
  }
  return { ...base, message: ERROR_CODES.INTERNAL_SERVER_ERROR.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
