import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Admin } from '../../src/entities/admin.entity';
import { AdminRole } from '../../src/entities/common';
import { enqueue } from '../../src/jobs/enqueue';
import { openTestOrm } from '../helpers/db';
import { randomTelegramId } from '../helpers/ids';

declare module '../../src/jobs/enqueue' {
  interface TaskPayloads {
    test_enqueue_probe: { marker: string };
  }
}

async function jobsWithMarker(orm: MikroORM, marker: string): Promise<number> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute(`select count(*)::int as n from graphile_worker._private_jobs where payload->>'marker' = ?`, [marker]);
  return rows[0].n;
}

describe('enqueue', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await openTestOrm(3);
  });
  afterAll(async () => {
    await orm.close(true);
  });

  it('leaves no job and no row when the transaction rolls back', async () => {
    const marker = randomUUID();
    const telegramId = randomTelegramId();
    await expect(
      orm.em.fork().transactional(async (em) => {
        em.create(Admin, { telegramId, role: AdminRole.ADMIN });
        await em.flush();
        await enqueue(em, 'test_enqueue_probe', { marker });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await jobsWithMarker(orm, marker)).toBe(0);
    expect(await orm.em.fork().count(Admin, { telegramId })).toBe(0);
  });

  it('leaves exactly one job with the row when the transaction commits', async () => {
    const marker = randomUUID();
    const telegramId = randomTelegramId();
    await orm.em.fork().transactional(async (em) => {
      em.create(Admin, { telegramId, role: AdminRole.ADMIN });
      await em.flush();
      await enqueue(em, 'test_enqueue_probe', { marker }, { jobKey: `test_enqueue_probe:${marker}` });
    });
    expect(await jobsWithMarker(orm, marker)).toBe(1);
    expect(await orm.em.fork().count(Admin, { telegramId })).toBe(1);
  });

  it('keeps one pending job when the same job key is enqueued twice', async () => {
    const marker = randomUUID();
    for (let i = 0; i < 2; i++) {
      await orm.em.fork().transactional((em) => enqueue(em, 'test_enqueue_probe', { marker }, { jobKey: `probe:${marker}` }));
    }
    expect(await jobsWithMarker(orm, marker)).toBe(1);
  });
});
