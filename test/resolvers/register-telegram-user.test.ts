import { AuditLog } from '../../src/entities/audit-log.entity';
import { Role } from '../../src/entities/common';
import { Customer, CustomerStatus } from '../../src/entities/customer.entity';
import { makeKey, startTestApi, type TestApi } from '../helpers/api';
import { randomTelegramId } from '../helpers/ids';
import { statementsDuring } from '../helpers/sql-capture';

/** registerTelegramUser: the /start of every shop customer (rules of customer.service.ts). */
describe('registerTelegramUser', () => {
  let t: TestApi;
  let bot: string;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApi();
    bot = await makeKey(t.orm, Role.USER_BOT);
    admin = await makeKey(t.orm, Role.ADMIN);
  });
  afterAll(async () => {
    await t.close();
  });

  type Me = { id: string; status: string; language: string; referralCode: string; username: string | null };
  const register = async (tg: number, input: Record<string, unknown> = {}) => {
    const res = await t.gql<{ registerTelegramUser: Me }>('mutation($i: RegisterTelegramUserInput) { registerTelegramUser(input: $i) { id status language referralCode username } }', { i: input }, { key: bot, telegramId: tg });
    expect(res.errors).toBeUndefined();
    return res.data!.registerTelegramUser;
  };
  const customerOf = (tg: number) => t.orm.em.fork().findOneOrFail(Customer, { telegramId: tg }, { populate: ['referredBy'] });
  /** The SQL statements `work` sends through the API's pool. */
  const statementsOf = (work: () => Promise<unknown>): Promise<string[]> => statementsDuring(t.orm, work);

  it('counts a referral code on the first registration only, and never one\'s own', async () => {
    const referrer = randomTelegramId();
    const code = (await register(referrer)).referralCode;
    const other = (await register(randomTelegramId())).referralCode;

    const newcomer = randomTelegramId();
    await register(newcomer, { referralCode: code });
    expect((await customerOf(newcomer)).referredBy?.telegramId).toBe(referrer);
    // A later /start with another code changes nothing.
    await register(newcomer, { referralCode: other, username: 'later' });
    expect((await customerOf(newcomer)).referredBy?.telegramId).toBe(referrer);
    // One's own code on a later /start is no referral either.
    const self = randomTelegramId();
    const own = (await register(self)).referralCode;
    await register(self, { referralCode: own, username: 'again' });
    expect((await customerOf(self)).referredBy).toBeNull();
  });

  it('registers a new user in one statement with its audit row, without a lock or a transaction', async () => {
    const tg = randomTelegramId();
    const sql = await statementsOf(() => register(tg, { username: 'first', displayName: 'First' }));
    const writes = sql.filter((s) => !/^select/i.test(s.trim()));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/insert into customer/i);
    expect(sql.join('\n')).not.toMatch(/begin|commit|pg_advisory/i);
    const customer = await customerOf(tg);
    expect(customer).toMatchObject({ username: 'first', displayName: 'First', status: CustomerStatus.ACTIVE });
    const audit = await t.orm.em.fork().find(AuditLog, { resourceType: 'customer', resourceId: customer.id });
    expect(audit.map((a) => [a.action, a.operation, a.telegramId])).toEqual([['registerTelegramUser', 'create', tg]]);
    expect(audit[0]!.diff).toMatchObject({ after: { username: 'first', telegramId: tg } });
  });

  it('answers an unchanged returning user without writing (no row, no audit row)', async () => {
    const tg = randomTelegramId();
    const first = await register(tg, { username: 'same', displayName: 'Same' });
    const before = await t.orm.em.fork().count(AuditLog, { telegramId: tg });
    const sql = await statementsOf(async () => expect(await register(tg, { username: 'same', displayName: 'Same' })).toEqual(first));
    expect(sql.filter((s) => !/^select/i.test(s.trim()))).toEqual([]);
    expect(await t.orm.em.fork().count(AuditLog, { telegramId: tg })).toBe(before);
  });

  it('records a change of name with its before and after values', async () => {
    const tg = randomTelegramId();
    const { id } = await register(tg, { username: 'old_name' });
    expect((await register(tg, { username: 'new_name', language: 'EN' })).username).toBe('new_name');
    const row = await t.orm.em.fork().findOneOrFail(AuditLog, { resourceId: id, operation: 'update' });
    expect(row.diff).toMatchObject({ before: { username: 'old_name', language: 'fa' }, after: { username: 'new_name', language: 'en' } });
    expect((await customerOf(tg)).language).toBe('en');
  });

  it('makes a user who had blocked the bot reachable again, and keeps a banned user banned', async () => {
    const tg = randomTelegramId();
    const { id } = await register(tg);
    // The shop bot reports Telegram's 403 (the user blocked it).
    expect((await t.gql('mutation { reportBotBlocked }', {}, { key: bot, telegramId: tg })).errors).toBeUndefined();
    expect((await customerOf(tg)).botBlockedAt).toBeInstanceOf(Date);
    await register(tg);
    expect((await customerOf(tg)).botBlockedAt).toBeNull();

    const ban = await t.gql('mutation($id: ID!) { banCustomer(id: $id) { id } }', { id }, { key: admin });
    expect(ban.errors).toBeUndefined();
    // The ban is seen at once by the process that made it, and a /start does not lift it.
    expect((await register(tg, { username: 'back' })).status).toBe('BANNED');
    expect((await customerOf(tg)).status).toBe(CustomerStatus.BANNED);
  });

  it('makes one customer of concurrent first /starts of one user', async () => {
    const tg = randomTelegramId();
    const all = await Promise.all([register(tg, { username: 'a' }), register(tg, { username: 'a' }), register(tg, { username: 'b' })]);
    expect(new Set(all.map((m) => m.id)).size).toBe(1);
    expect(await t.orm.em.fork().count(Customer, { telegramId: tg })).toBe(1);
  });
});
