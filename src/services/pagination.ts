import { AppError } from '../errors';

/** One page of a keyset-paginated list, newest first. */
export interface Page<T> {
  nodes: T[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Opaque cursor `<time ISO>|<id>`: stable under inserts, unlike offsets. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime())) throw new AppError('BAD_USER_INPUT', 'Invalid cursor.');
  return { at, id };
}

/** The keyset condition "strictly older than the cursor" on (`timeField`, id), newest first. */
export function olderThan(cursor: string | null | undefined, timeField: string): Record<string, unknown> | null {
  if (!cursor) return null;
  const c = decodeCursor(cursor);
  return { $or: [{ [timeField]: { $lt: c.at } }, { [timeField]: c.at, id: { $lt: c.id } }] };
}

/** Cuts a `first + 1` query result into a page. */
export function toPage<T extends { id: string }>(rows: T[], first: number, timeOf: (row: T) => Date): Page<T> {
  const nodes = rows.slice(0, first);
  const last = nodes[nodes.length - 1];
  return { nodes, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(timeOf(last), last.id) : null };
}

/**
 * A requested page size: absent → the default; below 1 or above `max` → BAD_USER_INPUT (a caller
 * asking for -1 or 10,000 rows gets told, not a silently different page).
 */
export function pageSize(first: number | null | undefined, max = 200, fallback = 20): number {
  if (first === null || first === undefined) return Math.min(fallback, max);
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw new AppError('BAD_USER_INPUT', `\`first\` must be between 1 and ${max}.`, { field: 'first', max });
  }
  return first;
}
