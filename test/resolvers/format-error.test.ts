import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { AppError } from '../../src/errors';
import { formatError } from '../../src/resolvers/format-error';

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
