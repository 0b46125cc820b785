import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { IncomingMessage } from 'node:http';
import type { ChangeFeed, CachedTable } from '../db/change-feed';
import type { Principal } from '../services/principal';

/** Root fields whose whole answer may be kept: they read only the plans cache (dropped on every plan change). */
const CACHEABLE_ROOT_FIELDS = new Set(['plans', '__typename']);
/** The tables those fields read. */
const SOURCE_TABLES: readonly CachedTable[] = ['plan'];
/** A safety net, as for the plans cache itself. */
const TTL_MS = 60_000;
const MAX_ENTRIES = 200;

/** A whole `/graphql` answer kept for a request key. */
export interface CachedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The `operation` label of the GraphQL metrics. */
  operation: string;
}

/**
 * Whole answers of plans-only queries, per API process. Emptied by every change of the plan table
 * (NOTIFY from any writer, the same notification that drops the plans cache; a mutation's answer
 * waits for its own) and while the change feed is down. An answer is stored only if no change
 * was announced between the start of its execution ({@link begin}) and its {@link store}.
 */
export class PlanAnswers {
  private readonly entries = new Map<string, { answer: CachedAnswer; expires: number }>();
  private generation = 0;

  constructor(private readonly feed: ChangeFeed) {
    feed.on('change', (table: CachedTable) => {
      if (SOURCE_TABLES.includes(table)) this.clear();
    });
    feed.on('reset', () => this.clear());
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** The kept answer of this request key, if any. */
  get(key: string): CachedAnswer | null {
    if (!this.feed.live) return null;
    const hit = this.entries.get(key);
    return hit && hit.expires > Date.now() ? hit.answer : null;
  }

  /** Call before executing: the token {@link store} checks. */
  begin(): number {
    return this.generation;
  }

  store(key: string, answer: CachedAnswer, begun: number): void {
    if (begun !== this.generation || !this.feed.live) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { answer, expires: Date.now() + TTL_MS });
  }
}

/**
 * The key of a request whose answer could be served whole from memory, or null: a JSON POST
 * (Apollo's CSRF rule passes it) with a small `query` that mentions `plans`, by a caller that
 * was not refused. Everything the answer can depend on is in the key: the caller's role (admins
 * may list inactive plans) and reseller, the Accept header (Apollo picks the content type from
 * it), the operation name, the query text and the variables.
 */
export function answerKeyOf(req: IncomingMessage, body: unknown, principal: Principal | null, authFailure: string | null): string | null {
  if (req.method !== 'POST' || authFailure !== null || body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const { query, variables, operationName, extensions, ...rest } = body as Record<string, unknown>;
  if (typeof query !== 'string' || query.length > 4096 || !query.includes('plans')) return null;
  if (extensions !== undefined || Object.keys(rest).length > 0) return null;
  const who = principal ? `${principal.role}:${principal.resellerId ?? ''}` : 'anonymous';
  return JSON.stringify([who, req.headers.accept ?? '', operationName ?? null, query, variables ?? null]);
}

/**
 * Whether an executed operation's answer depends on nothing but the plans cache: a query whose
 * root selections are only `plans` (and `__typename`) fields, answered without errors.
 */
export function onlyCacheableFields(operation: OperationDefinitionNode | undefined, document: DocumentNode | undefined, hasErrors: boolean): boolean {
  if (hasErrors || !operation || !document || operation.operation !== 'query') return false;
  return operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && CACHEABLE_ROOT_FIELDS.has(s.name.value));
}
