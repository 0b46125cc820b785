import type { ChangeFeed } from '../db/change-feed';
import { ReadCache } from '../services/read-cache';
import type { PlanType } from './types/plan.types';

/** How long a cached answer may be served without a change notification (a safety net). */
const READ_CACHE_TTL_MS = 60_000;

/**
 * Answers that every bot screen asks for and that change rarely, kept per API process and dropped
 * when their table changes (see {@link ReadCache}). Presented GraphQL objects, shared read-only.
 */
export function createReadCaches(feed: ChangeFeed | null) {
  return {
    /** `plans` by audience: the catalogue on sale, or everything for admins. */
    plans: new ReadCache<'onSale' | 'all', PlanType[]>(feed, ['plan'], READ_CACHE_TTL_MS, 4),
  };
}

export type ReadCaches = ReturnType<typeof createReadCaches>;
