import { Client } from 'pg';
import { openOrm } from '../../src/main/orm';
import { Role } from '../../src/entities/common';
import { ApiKey } from '../../src/entities/api-key.entity';
import { errorCode, makeKey, startTestApi, type TestApi } from '../helpers/api';

/**
 * API keys, admins, customers and plans are served from per-process caches. Two API instances with
 * their own connection pools and change feeds share one database here, as two API processes would.
 */
describe('per-process read caches', () => {
  let a: TestApi;
  let b: TestApi;
  let url: string;

  beforeAll(async () => {
    a = await startTestApi({ isolated: true });
    url = a.orm.config.getClientUrl();
    b = await startTestApi({ orm: await openOrm(url, 4) });
  });
  afterAll(async () => {
    await b.close();
    await b.orm.close(true);
    await a.close();
  });

  /** Asks until `ok` holds (the other process learns of a commit by NOTIFY a moment later). */
  async function eventually<T>(ask: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    for (let i = 0; ; i++) {
      const v = await ask();
      if (ok(v) || i >= 500) return v;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const plansOf = (t: TestApi, key: string) => t.gql<{ plans: Array<{ code: string; price: number }> }>('{ plans { code price } }', {}, { key });

  it('refuses a revoked key at once in the process that revoked it and, after its notification, in every other', async () => {
    const admin = await makeKey(a.orm, Role.ADMIN);
    const victim = await makeKey(a.orm, Role.ADMIN, { name: 'to revoke' });
    // Warm both caches with the victim key.
    expect(errorCode(await a.gql('{ me { role } }', {}, { key: victim }))).toBeUndefined();
    expect(errorCode(await b.gql('{ me { role } }', {}, { key: victim }))).toBeUndefined();
    const id = (await a.orm.em.fork().findOneOrFail(ApiKey, { name: 'to revoke' })).id;

    const revoked = await a.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id }, { key: admin });
    expect(revoked.errors).toBeUndefined();
    expect(errorCode(await a.gql('{ me { role } }', {}, { key: victim }))).toBe('UNAUTHENTICATED');
    const onB = await eventually(
      () => b.gql('{ me { role } }', {}, { key: victim }),
      (r) => errorCode(r) === 'UNAUTHENTICATED',
    );
    expect(errorCode(onB)).toBe('UNAUTHENTICATED');
    // And it stays refused.
    for (let i = 0; i < 5; i++) expect(errorCode(await b.gql('{ me { role } }', {}, { key: victim }))).toBe('UNAUTHENTICATED');
  });

  it('shows a new or changed plan at once where it was changed and, after its notification, everywhere', async () => {
    const admin = await makeKey(a.orm, Role.ADMIN);
    expect((await plansOf(b, admin)).data!.plans.some((p) => p.code === 'cache-1')).toBe(false);
    const created = await a.gql<{ createPlan: { id: string } }>(
      'mutation { createPlan(input: { code: "cache-1", titleFa: "یک", titleEn: "One", trafficBytes: 1073741824, durationDays: 30, price: 1000 }) { id } }',
      {},
      { key: admin },
    );
    expect(created.errors).toBeUndefined();
    expect((await plansOf(a, admin)).data!.plans.find((p) => p.code === 'cache-1')?.price).toBe(1000);
    const seen = await eventually(
      () => plansOf(b, admin),
      (r) => r.data!.plans.some((p) => p.code === 'cache-1'),
    );
    expect(seen.data!.plans.find((p) => p.code === 'cache-1')?.price).toBe(1000);
  });

  it('drops cached plans when another program changes the table directly (the worker, psql)', async () => {
    const admin = await makeKey(a.orm, Role.ADMIN);
    await a.gql(
      'mutation { createPlan(input: { code: "cache-2", titleFa: "دو", titleEn: "Two", trafficBytes: 1073741824, durationDays: 30, price: 2000 }) { id } }',
      {},
      { key: admin },
    );
    await eventually(() => plansOf(b, admin), (r) => r.data!.plans.some((p) => p.code === 'cache-2'));
    const psql = new Client({ connectionString: url });
    await psql.connect();
    try {
      await psql.query(`update plan set price = 2500 where code = 'cache-2'`);
    } finally {
      await psql.end();
    }
    for (const t of [a, b]) {
      const r = await eventually(() => plansOf(t, admin), (x) => x.data!.plans.find((p) => p.code === 'cache-2')?.price === 2500);
      expect(r.data!.plans.find((p) => p.code === 'cache-2')?.price).toBe(2500);
    }
  });

  it('sees a customer who registered in another process on their very next request', async () => {
    const bot = await makeKey(a.orm, Role.USER_BOT);
    const tg = 880_000_000 + Math.floor(Math.random() * 1e6);
    // Unknown on B first (not cached as "missing").
    expect(errorCode(await b.gql('{ myCustomer { id } }', {}, { key: bot, telegramId: tg }))).toBe('CUSTOMER_NOT_FOUND');
    const reg = await a.gql<{ registerTelegramUser: { id: string } }>('mutation { registerTelegramUser(input: { username: "c" }) { id } }', {}, { key: bot, telegramId: tg });
    expect(reg.errors).toBeUndefined();
    const me = await b.gql<{ myCustomer: { id: string } }>('{ myCustomer { id } }', {}, { key: bot, telegramId: tg });
    expect(me.data?.myCustomer.id).toBe(reg.data!.registerTelegramUser.id);
  });
});
