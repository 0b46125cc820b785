import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { AppError } from '../../src/errors';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { formatError, logRequestErrors } from '../../src/resolvers/format-error';

const wrap = (original: Error) => new GraphQLError(original.message, { originalError: original, path: ['x'] });

describe('formatError', () => {
  it('gives an AppError its stable code and safe message', () => {
    const out = formatError({ message: 'x' }, wrap(new AppError('PLAN_NOT_FOUND')));
    expect(out).toMatchObject({ message: 'Plan not found.', extensions: { code: 'PLAN_NOT_FOUND' } });
  });

  it('turns zod validation errors into BAD_USER_INPUT with the issues', () => {
    const err = z.object({ name: z.string().min(3) }).safeParse({ name: 'a' }).error!;
    const out = formatError({ message: 'x' }, wrap(err));
    expect(out.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'name' }] });
  });

  it('masks any other error as INTERNAL_SERVER_ERROR without its text', () => {
    const out = formatError(
      { message: 'duplicate key value violates unique constraint "admin_telegram_id_unique"', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      wrap(new Error('duplicate key value violates unique constraint "admin_telegram_id_unique"')),
    );
    expect(out).toMatchObject({ message: 'Something went wrong on our side.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(out)).not.toContain('constraint');
  });

  it('maps "Too many errors processing variables" to BAD_USER_INPUT', () => {
    const out = formatError(
      { message: 'Too many errors processing variables, error limit reached. Execution aborted.', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      new GraphQLError('Too many errors processing variables, error limit reached. Execution aborted.'),
    );
    expect(out.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('logRequestErrors', () => {
  function capture() {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(JSON.parse(String(chunk)));
        cb();
      },
    });
    return { logger: createLogger({ level: 'info' }, stream).child({ requestId: 'req-42' }), lines };
  }

  it('logs a reportable AppError with its code and the request id, and not a caller mistake', () => {
    const { logger, lines } = capture();
    logRequestErrors(logger, [wrap(new AppError('NO_CAPACITY')), wrap(new AppError('ORDER_NOT_FOUND')), wrap(new AppError('BAD_USER_INPUT'))]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ requestId: 'req-42', code: 'NO_CAPACITY', msg: 'reportable error', path: ['x'] });
  });

  it('logs an unexpected error in full with the request id', () => {
    const { logger, lines } = capture();
    logRequestErrors(logger, [wrap(new Error('boom'))]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ requestId: 'req-42', msg: 'unexpected GraphQL error' });
    expect(JSON.stringify(lines[0])).toContain('boom');
  });
});

