import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';

/** Statement names by SQL text (one name per distinct text, as PostgreSQL requires per connection). */
const names = new Map<string, string>();

function statementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `vp_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    if (names.size < 1000) names.set(sql, name);
  }
  return name;
}

/**
 * Runs a hot read (SQL with `$1..$n` placeholders) as a named prepared statement: each pooled
 * connection parses and plans it once and then only binds and executes it. For the list reads of
 * every bot screen that is 3-5× less PostgreSQL CPU per call than the literal SQL MikroORM's
 * `execute` sends (measured: a customer's 20 subscriptions 0.68 → 0.23 ms, `/sub/` 0.33 → 0.07 ms),
 * and PostgreSQL shares the API's cores.
 *
 * The statement goes through knex's runner like every other query (same pool and type parsers,
 * the em's transaction when it has one, the `query` event the statement-budget test counts);
 * knex hands `name` and `values` to node-postgres as query options. Needs a direct connection or
 * a session-mode pooler (named statements live on the server connection).
 */
export async function preparedRows<T>(em: EntityManager, sql: string, values: unknown[]): Promise<T[]> {
  const query = em.getKnex().raw(sql);
  const trx = em.getTransactionContext();
  if (trx) query.transacting(trx);
  // Raw queries have no public `options()`; knex reads this list into node-postgres's query config.
  (query as unknown as { _options: object[] })._options = [{ name: statementName(sql), values }];
  const result = (await query) as unknown as { rows: T[] };
  return result.rows;
}
