import { randomUUID } from 'node:crypto';
import { Role } from '../../src/entities/common';
import { enqueue } from '../../src/jobs/enqueue';
import { errorCode, makeKey, startTestApi, type TestApi } from '../helpers/api';
import { queuedJobs, runJob } from '../helpers/jobs';

interface JobView {
  id: string;
  taskIdentifier: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: string;
}

const FAILED = '{ failedJobs(first: 200) { id taskIdentifier payload attempts maxAttempts lastError runAt } }';
const RETRY = 'mutation($id: ID!) { retryJob(id: $id) { id taskIdentifier attempts maxAttempts lastError runAt } }';

describe('failed jobs', () => {
  let t: TestApi;
  let adminKey: string;

  beforeAll(async () => {
    t = await startTestApi({ isolated: true });
    adminKey = await makeKey(t.orm, Role.ADMIN);
  });
  afterAll(async () => {
    await t.close();
  });

  /** A job that fails for real (its payload does not validate) and reaches max attempts, as graphile-worker records it. */
  async function permanentlyFailedJob(): Promise<string> {
    const em = t.orm.em.fork();
    const { id } = await enqueue(em, 'evacuate_server', { evacuationId: `not-a-uuid-${randomUUID()}` }, { maxAttempts: 2 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const [job] = (await queuedJobs(t.orm, 'evacuate_server')).filter((j) => j.id === id);
      const err = await runJob(t.orm, t.services, job);
      expect(err).toBeDefined();
      await em.getConnection().execute(`update graphile_worker._private_jobs set attempts = attempts + 1, last_error = ? where id = ?::bigint`, [String(err), id]);
    }
    return id;
  }

  it('lists a permanently failed job and retryJob makes it runnable again', async () => {
    const id = await permanentlyFailedJob();
    const listed = await t.gql<{ failedJobs: JobView[] }>(FAILED, {}, { key: adminKey });
    expect(listed.errors).toBeUndefined();
    const row = listed.data!.failedJobs.find((j) => j.id === id)!;
    expect(row).toMatchObject({ taskIdentifier: 'evacuate_server', attempts: 2, maxAttempts: 2 });
    expect(row.payload.evacuationId).toMatch(/^not-a-uuid-/);
    expect(row.lastError).toMatch(/uuid|Invalid/i);

    const retried = await t.gql<{ retryJob: JobView }>(RETRY, { id }, { key: adminKey });
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.retryJob).toMatchObject({ id, attempts: 0, maxAttempts: 2 });
    expect(new Date(retried.data!.retryJob.runAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    // Runnable: available to a worker again and gone from the failed list.
    const [available] = await t.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ is_available: boolean }>>(`select is_available from graphile_worker._private_jobs where id = ?::bigint`, [id]);
    expect(available.is_available).toBe(true);
    const after = await t.gql<{ failedJobs: JobView[] }>(FAILED, {}, { key: adminKey });
    expect(after.data!.failedJobs.some((j) => j.id === id)).toBe(false);
    await t.orm.em.fork().getConnection().execute(`delete from graphile_worker._private_jobs where id = ?::bigint`, [id]);
  });

  it('answers JOB_NOT_FOUND for an unknown job id', async () => {
    expect(errorCode(await t.gql(RETRY, { id: '987654321987' }, { key: adminKey }))).toBe('JOB_NOT_FOUND');
    expect(errorCode(await t.gql(RETRY, { id: 'abc' }, { key: adminKey }))).toBe('JOB_NOT_FOUND');
  });

  it('refuses to retry a job that is running', async () => {
    const id = await permanentlyFailedJob();
    await t.orm.em.fork().getConnection().execute(`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'test-worker' where id = ?::bigint`, [id]);
    expect(errorCode(await t.gql(RETRY, { id }, { key: adminKey }))).toBe('BAD_USER_INPUT');
    await t.orm.em.fork().getConnection().execute(`delete from graphile_worker._private_jobs where id = ?::bigint`, [id]);
  });
});
