import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { AppError, type ErrorCode } from '../errors';

/** What a violated unique constraint means to the caller: one code, or a choice by constraint name. */
export type UniqueConflict = ErrorCode | ((constraint: string | undefined) => AppError);

/**
 * Flushes `em`, translating a violated unique constraint into the caller's AppError (the database
 * is the source of truth for uniqueness; design/STYLE.md §7). Any other failure is rethrown as is.
 */
export async function flushUnique(em: EntityManager, onConflict: UniqueConflict): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    if (typeof onConflict === 'function') throw onConflict((err as { constraint?: string }).constraint);
    throw new AppError(onConflict);
  }
}
