import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Admin } from '../../src/entities/admin.entity';
import { AdminRole } from '../../src/entities/common';
import { addJobsPerRowSql, enqueue, enqueueMany } from '../../src/jobs/enqueue';
import { openTestOrm } from '../helpers/db';
import { randomTelegramId } from '../helpers/ids';

async function jobsWithMarker(orm: MikroORM, marker: string): Promise<number> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute(`select count(*)::int as n from graphile_worker._private_jobs where payload->>'notificationId' = ?`, [marker]);
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
        await enqueue(em, 'send_notification', { notificationId: marker });
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
      await enqueue(em, 'send_notification', { notificationId: marker }, { jobKey: `send_notification:${marker}` });
    });
    expect(await jobsWithMarker(orm, marker)).toBe(1);
    expect(await orm.em.fork().count(Admin, { telegramId })).toBe(1);
  });

  it('keeps one pending job when the same job key is enqueued twice', async () => {
    const marker = randomUUID();
    for (let i = 0; i < 2; i++) {
      await orm.em.fork().transactional((em) => enqueue(em, 'send_notification', { notificationId: marker }, { jobKey: `probe:${marker}` }));
    }
    expect(await jobsWithMarker(orm, marker)).toBe(1);
  });

  it('adds a batch in one call inside the transaction: all of it on commit, none of it on rollback', async () => {
    const committed = [randomUUID(), randomUUID()];
    const rolledBack = [randomUUID(), randomUUID()];
    const batch = (ids: string[]) => ids.map((id) => ({ task: 'send_notification' as const, payload: { notificationId: id }, options: { jobKey: `send_notification:${id}` } }));
    await orm.em.fork().transactional((em) => enqueueMany(em, batch(committed)));
    await expect(
      orm.em.fork().transactional(async (em) => {
        await enqueueMany(em, batch(rolledBack));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    for (const id of committed) expect(await jobsWithMarker(orm, id)).toBe(1);
    for (const id of rolledBack) expect(await jobsWithMarker(orm, id)).toBe(0);
  });

  it('leaves an existing job with the same key alone in unsafe_dedupe mode, and replaces it by default', async () => {
    const marker = randomUUID();
    const spec = (maxAttempts: number) => [{ task: 'send_notification' as const, payload: { notificationId: marker }, options: { jobKey: `probe:${marker}`, maxAttempts } }];
    const maxAttempts = async () =>
      (await orm.em.fork().getConnection().execute(`select max_attempts from graphile_worker._private_jobs where key = ?`, [`probe:${marker}`]))[0].max_attempts;
    await enqueueMany(orm.em.fork(), spec(3));
    await enqueueMany(orm.em.fork(), spec(7), 'unsafe_dedupe');
    expect(await maxAttempts()).toBe(3);
    await enqueueMany(orm.em.fork(), spec(7));
    expect(await maxAttempts()).toBe(7);
    expect(await jobsWithMarker(orm, marker)).toBe(1);
  });

  it('adds one job per row of a CTE in the same statement, with the payload, key and attempts of its options, and none without rows', async () => {
    const ids = [randomUUID(), randomUUID()];
    const jobs = addJobsPerRowSql('send_notification', 'src', 'notificationId', (id) => ({ jobKey: `send_notification:${id}`, maxAttempts: 7 }));
    const run = async (rows: string[]) =>
      (await orm.em.fork().getConnection().execute(
        `with src as (select (jsonb_array_elements_text(?::jsonb))::uuid as id) select ${jobs.sql} as n`,
        [JSON.stringify(rows), ...jobs.bindings],
      ))[0].n;
    expect(await run(ids)).toBe(2);
    expect(await run([])).toBe(0);
    const rows = await orm.em.fork().getConnection().execute(
      `select key, max_attempts, payload->>'notificationId' as id from graphile_worker._private_jobs where payload->>'notificationId' in (?, ?) order by key`,
      ids,
    );
    expect(rows).toEqual([...ids].sort().map((id) => ({ key: `send_notification:${id}`, max_attempts: 7, id })));
  });
});
