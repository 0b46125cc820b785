import type { MikroORM } from '@mikro-orm/postgresql';
import type { BotStateStore } from '../bots/common/state-store';

/**
 * The bots' state store in PostgreSQL (table `bot_session`, one row per bot and key). Each call is
 * one statement on the ORM's pool; values are JSON.
 */
export function postgresStateStore(orm: MikroORM, bot: string): BotStateStore {
  const conn = () => orm.em.getConnection();
  return {
    async read(key) {
      const rows = await conn().execute<Array<{ value: unknown }>>(`select value from bot_session where bot = ? and key = ?`, [bot, key]);
      return rows[0]?.value;
    },
    async readMany(keys) {
      if (keys.length === 0) return new Map();
      const rows = await conn().execute<Array<{ key: string; value: unknown }>>(`select key, value from bot_session where bot = ? and key in (${keys.map(() => '?').join(', ')})`, [bot, ...keys]);
      return new Map(rows.map((r) => [r.key, r.value]));
    },
    async write(key, value) {
      await conn().execute(
        `insert into bot_session (bot, key, value, updated_at) values (?, ?, ?::jsonb, now())
         on conflict (bot, key) do update set value = excluded.value, updated_at = now()`,
        [bot, key, JSON.stringify(value)],
      );
    },
    async delete(key) {
      await conn().execute(`delete from bot_session where bot = ? and key = ?`, [bot, key]);
    },
  };
}
