import type { MikroORM } from '@mikro-orm/postgresql';
import type { Knex } from 'knex';
import type { BotStateStore } from '../bots/common/state-store';

/** A node-postgres client as knex's pool hands it out. */
interface PgClient {
  query<R>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: R[] }>;
}

/**
 * The bots' state store in PostgreSQL (table `bot_session`, one row per bot and key). Each call is
 * one statement on the ORM's pool; values are JSON. Every update of every chat reads (and most
 * write) here, so the statements go straight to node-postgres as named prepared statements (parsed
 * and planned once per pooled connection), not through the query builder.
 */
export function postgresStateStore(orm: MikroORM, bot: string): BotStateStore {
  const client = (): Knex.Client => orm.em.getConnection().getKnex().client as Knex.Client;
  const run = async <R>(name: string, text: string, values: unknown[]): Promise<R[]> => {
    const pool = client();
    const conn = (await pool.acquireConnection()) as PgClient;
    try {
      return (await conn.query<R>({ name, text, values })).rows;
    } finally {
      await pool.releaseConnection(conn);
    }
  };
  return {
    async read(key) {
      const rows = await run<{ value: unknown }>('vp_bot_session_read', 'select value from bot_session where bot = $1 and key = $2', [bot, key]);
      return rows[0]?.value;
    },
    async readMany(keys) {
      if (keys.length === 0) return new Map();
      const rows = await run<{ key: string; value: unknown }>('vp_bot_session_read_many', 'select key, value from bot_session where bot = $1 and key = any($2::text[])', [bot, keys]);
      return new Map(rows.map((r) => [r.key, r.value]));
    },
    async write(key, value) {
      await run(
        'vp_bot_session_write',
        `insert into bot_session (bot, key, value, updated_at) values ($1, $2, $3::jsonb, now())
         on conflict (bot, key) do update set value = excluded.value, updated_at = now()`,
        [bot, key, JSON.stringify(value)],
      );
    },
    async delete(key) {
      await run('vp_bot_session_delete', 'delete from bot_session where bot = $1 and key = $2', [bot, key]);
    },
  };
}
