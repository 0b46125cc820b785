import type { MikroORM } from '@mikro-orm/postgresql';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Notification } from '../../src/entities/notification.entity';
import { InvalidJobPayloadError } from '../../src/jobs/job.types';
import { JOB_REGISTRY } from '../../src/jobs/registry';
import type { AppServices } from '../../src/services/app-services';
import { openTestOrm } from '../helpers/db';
import { runJob } from '../helpers/jobs';
import { testServices } from '../helpers/services';

/** Files of src/jobs/ that are not tasks. */
const NOT_TASKS = new Set(['enqueue.ts', 'job.types.ts', 'registry.ts', 'schedule.ts']);

describe('job registry', () => {
  let orm: MikroORM;
  let services: AppServices;
  beforeAll(async () => {
    orm = await openTestOrm(3);
    services = testServices(orm);
  });
  afterAll(async () => {
    await services.panels.close();
    await orm.close(true);
  });

  it('registers every task file under its file name', () => {
    const files = readdirSync(path.resolve(__dirname, '..', '..', 'src', 'jobs')).filter((f) => f.endsWith('.ts') && !NOT_TASKS.has(f));
    expect(Object.keys(JOB_REGISTRY).sort()).toEqual(files.map((f) => f.replace(/\.ts$/, '')).sort());
    for (const [name, job] of Object.entries(JOB_REGISTRY)) expect(job.name).toBe(name);
  });

  it('refuses a payload that does not fit the task, naming the task and each bad field, and changes nothing (twice)', async () => {
    const before = await orm.em.fork().count(Notification, {});
    const job = { id: 'bad-payload', task: 'provision_subscription', payload: { subscriptionId: 'not-a-uuid', extra: 1 }, attempts: 0, maxAttempts: 3 };
    for (let run = 0; run < 2; run++) {
      const err = await runJob(orm, services, job);
      expect(err).toBeInstanceOf(InvalidJobPayloadError);
      expect((err as Error).message).toMatch(/^Invalid payload for task provision_subscription: /);
      expect((err as Error).message).toContain('subscriptionId:');
      expect((err as Error).message).toContain('orderId:');
    }
    expect(await orm.em.fork().count(Notification, {})).toBe(before);
  });

  it('refuses a payload that is not an object at all', async () => {
    const err = await runJob(orm, services, { id: 'null-payload', task: 'send_notification', payload: null as never, attempts: 0, maxAttempts: 1 });
    expect((err as Error).message).toMatch(/^Invalid payload for task send_notification: \(payload\): /);
  });
});
