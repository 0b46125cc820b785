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
