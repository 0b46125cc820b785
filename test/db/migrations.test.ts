import type { MikroORM } from '@mikro-orm/postgresql';
import { openTestOrm } from '../helpers/db';

describe('migrations', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await openTestOrm(2);
  });
  afterAll(async () => {
    await orm.close(true);
  });

  it('leaves no difference between the entities and the migrated schema', async () => {
    const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });

  it('has no pending migration after set-up', async () => {
    expect(await orm.migrator.getPendingMigrations()).toEqual([]);
  });

  it("installs graphile-worker's schema beside ours", async () => {
    const rows = await orm.em.getConnection().execute(`select count(*)::int as n from graphile_worker.migrations`);
    expect(rows[0].n).toBeGreaterThan(0);
  });
});

describe('partial and expression indexes', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await openTestOrm(2);
  });
  afterAll(async () => {
    await orm.close(true);
  });

  it('exist in the database exactly as the entities declare them (the schema diff cannot see these)', async () => {
    const declared: Array<{ name: string; expression: string }> = [];
    for (const meta of Object.values(orm.getMetadata().getAll())) {
      for (const idx of [...meta.indexes, ...meta.uniques]) {
        if (typeof idx.expression === 'string' && idx.name) declared.push({ name: idx.name, expression: idx.expression });
      }
    }
    expect(declared.length).toBeGreaterThan(3);
    const rows = await orm.em.getConnection().execute<Array<{ indexname: string; indexdef: string }>>(`select indexname, indexdef from pg_indexes where schemaname = 'public'`);
    const live = new Map<string, string>(rows.map((r: { indexname: string; indexdef: string }) => [r.indexname, r.indexdef]));
    const norm = (sql: string) => sql.toLowerCase().replace(/public\./g, '').replace(/using btree /g, '').replace(/::text|::character varying/g, '').replace(/["()\s]/g, '').replace(/=anyarray\[([^\]]*)\]/g, 'in$1');
    for (const d of declared) {
      expect({ name: d.name, def: norm(live.get(d.name) ?? 'missing') }).toEqual({ name: d.name, def: norm(d.expression) });
    }
  });
});
