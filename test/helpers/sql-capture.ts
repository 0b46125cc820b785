import type { MikroORM } from '@mikro-orm/postgresql';

/** The SQL statements `work` sends through `orm`'s pool (those `keep` accepts; all by default). */
export async function statementsDuring(orm: MikroORM, work: () => Promise<unknown>, keep: (sql: string) => boolean = () => true): Promise<string[]> {
  const seen: string[] = [];
  const knex = orm.em.getConnection().getKnex();
  const listen = (q: { sql: string }) => {
    if (keep(q.sql)) seen.push(q.sql);
  };
  knex.on('query', listen);
  try {
    await work();
  } finally {
    knex.removeListener('query', listen);
  }
  return seen;
}
