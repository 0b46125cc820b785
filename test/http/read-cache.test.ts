import { Client } from 'pg';
import { openOrm } from '../../src/main/orm';
import { Role } from '../../src/entities/common';
import { ApiKey } from '../../src/entities/api-key.entity';
import { errorCode, makeKey, startTestApi, type TestApi } from '../helpers/api';
import { statementsDuring } from '../helpers/sql-capture';

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

  /** The statements `t` sends to read API keys and customers while `work` runs. */
  const authReads = (t: TestApi, work: () => Promise<unknown>): Promise<string[]> => statementsDuring(t.orm, work, (sql) => /from "?(api_key|customer)"?\b/i.test(sql));

  it('drops only the changed customer: other users keep being served from memory while new ones register, here and in the other process', async () => {
    const bot = await makeKey(a.orm, Role.USER_BOT);
    const admin = await makeKey(a.orm, Role.ADMIN);
    const regular = 870_000_000 + Math.floor(Math.random() * 1e6);
    const register = (t: TestApi, tg: number) => t.gql('mutation { registerTelegramUser(input: { username: "r" }) { id } }', {}, { key: bot, telegramId: tg });
    const whoAmI = (t: TestApi) => t.gql<{ me: { customerId: string | null } }>('{ me { customerId } }', {}, { key: bot, telegramId: regular });
    expect((await register(a, regular)).errors).toBeUndefined();
    // Both processes have the key and the regular customer in their caches.
    for (const t of [a, b]) await whoAmI(t);
    for (const t of [a, b]) expect(await authReads(t, () => whoAmI(t))).toEqual([]);

    // Newcomers register on A (mutations: A waits for their notifications before answering).
    for (let i = 0; i < 3; i++) expect((await register(a, regular + 1 + i)).errors).toBeUndefined();
    expect(await authReads(a, () => whoAmI(a))).toEqual([]);
    // B has had those notifications once it sees a later change (notifications arrive in commit order).
    const code = `cache-k-${Date.now()}`;
    await a.gql(`mutation { createPlan(input: { code: "${code}", titleFa: "ک", titleEn: "K", trafficBytes: 1073741824, durationDays: 30, price: 10 }) { id } }`, {}, { key: admin });
    await eventually(() => plansOf(b, admin), (r) => r.data!.plans.some((p) => p.code === code));
    const onB = await authReads(b, () => whoAmI(b));
    expect(onB).toEqual([]);
    expect((await whoAmI(b)).data!.me.customerId).toEqual(expect.any(String));
  });

  it('answers the same plans query by who asks: inactive plans for admins only, also once the answer is kept', async () => {
    const admin = await makeKey(a.orm, Role.ADMIN);
    const bot = await makeKey(a.orm, Role.USER_BOT);
    const created = await a.gql(
      'mutation { createPlan(input: { code: "cache-3", titleFa: "سه", titleEn: "Three", trafficBytes: 1073741824, durationDays: 30, price: 3000, active: false }) { id } }',
      {},
      { key: admin },
    );
    expect(created.errors).toBeUndefined();
    const q = '{ plans(includeInactive: true) { code } }';
    const codes = async (key: string | undefined) => ((await a.gql<{ plans: Array<{ code: string }> }>(q, {}, { key })).data?.plans ?? []).map((p) => p.code);
    for (let i = 0; i < 3; i++) {
      expect(await codes(admin)).toContain('cache-3');
      expect(await codes(bot)).not.toContain('cache-3');
      expect(await codes(undefined)).not.toContain('cache-3');
    }
  });

  it('answers mutations and stops serving a revoked key when the change feeds lose their connections', async () => {
    const admin = await makeKey(a.orm, Role.ADMIN);
    const victim = await makeKey(a.orm, Role.ADMIN, { name: 'revoked while the feed is down' });
    for (const t of [a, b]) expect(errorCode(await t.gql('{ me { role } }', {}, { key: victim }))).toBeUndefined();
    const psql = new Client({ connectionString: url });
    await psql.connect();
    try {
      await psql.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%'`);
    } finally {
      await psql.end();
    }
    const id = (await a.orm.em.fork().findOneOrFail(ApiKey, { name: 'revoked while the feed is down' })).id;
    const revoked = await a.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id }, { key: admin });
    expect(revoked.errors).toBeUndefined();
    // At once where it was revoked; the other process as soon as it notices its feed is gone.
    expect(errorCode(await a.gql('{ me { role } }', {}, { key: victim }))).toBe('UNAUTHENTICATED');
    const onB = await eventually(() => b.gql('{ me { role } }', {}, { key: victim }), (r) => errorCode(r) === 'UNAUTHENTICATED');
    expect(errorCode(onB)).toBe('UNAUTHENTICATED');
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
