import { randomUUID } from 'node:crypto';
import { AuditLog } from '../../src/entities/audit-log.entity';
import { Role } from '../../src/entities/common';
import { Customer } from '../../src/entities/customer.entity';
import { DiscountCode } from '../../src/entities/discount-code.entity';
import { Plan } from '../../src/entities/plan.entity';
import { Server } from '../../src/entities/server.entity';
import { hasSpoofingCharacters, stripSpoofingCharacters } from '../../src/resolvers/text-input.middleware';
import { getSetting } from '../../src/services/setting.service';
import { newSubscription } from '../../src/services/subscription.service';
import { errorCode, makeKey, startTestApi, type TestApi } from '../helpers/api';
import { randomTelegramId } from '../helpers/ids';
import { buildCustomer, buildPlan } from '../factories/commerce';

describe('input the database would have refused or that would mislead later', () => {
  let t: TestApi;
  let admin: string;
  let bot: string;

  beforeAll(async () => {
    t = await startTestApi();
    admin = await makeKey(t.orm, Role.ADMIN);
    bot = await makeKey(t.orm, Role.USER_BOT);
  });
  afterAll(async () => {
    await t.close();
  });

  const asAdmin = (query: string, variables?: Record<string, unknown>) => t.gql(query, variables, { key: admin });

  it('answers createApiKey with an unknown resellerId with NOT_FOUND, not a foreign-key error', async () => {
    const res = await asAdmin('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }', {
      i: { name: 'reseller key', role: 'RESELLER', resellerId: randomUUID() },
    });
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.errors?.[0].extensions?.details).toMatchObject({ field: 'resellerId' });
  });

  it('refuses non-UUID ids in the auditLogs filter with BAD_USER_INPUT', async () => {
    for (const field of ['apiKeyId', 'adminId', 'customerId']) {
      const res = await asAdmin('query($f: AuditLogFilter) { auditLogs(filter: $f, first: 5) { nodes { id } } }', { f: { [field]: 'not-a-uuid' } });
      expect({ field, code: errorCode(res) }).toEqual({ field, code: 'BAD_USER_INPUT' });
    }
    const ok = await asAdmin('query($f: AuditLogFilter) { auditLogs(filter: $f, first: 5) { nodes { id } } }', { f: { apiKeyId: randomUUID() } });
    expect(ok.errors).toBeUndefined();
  });

  describe('createDiscountCode', () => {
    const create = (i: Record<string, unknown>) => asAdmin('mutation($i: CreateDiscountCodeInput!) { createDiscountCode(input: $i) { id } }', { i });

    it('refuses plan ids that name no plan, and stores nothing', async () => {
      const plan = await buildPlan(t.orm);
      const code = `D${randomUUID().slice(0, 8)}`;
      const res = await create({ code, percent: 10, planIds: [plan.id, randomUUID()] });
      expect(errorCode(res)).toBe('PLAN_NOT_FOUND');
      expect(await t.orm.em.fork().count(DiscountCode, { code: code.toUpperCase() })).toBe(0);
      expect((await create({ code, percent: 10, planIds: [plan.id] })).errors).toBeUndefined();
    });

    it('refuses a validity window that ends before it starts', async () => {
      const res = await create({ code: `D${randomUUID().slice(0, 8)}`, percent: 10, validFrom: '2030-02-01T00:00:00Z', validUntil: '2030-01-01T00:00:00Z' });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    });
  });

  describe('trial_plan_code', () => {
    const set = (value: unknown) => asAdmin('mutation($v: JSON) { updateSetting(key: "trial_plan_code", value: $v) { value } }', { v: value });

    it('refuses a code no plan has, and a paid (non-trial) plan that would then be given away', async () => {
      const before = await getSetting(t.orm.em.fork(), 'trial_plan_code');
      expect(errorCode(await set('no-such-plan'))).toBe('PLAN_NOT_FOUND');
      const paid = await buildPlan(t.orm, { price: 150_000 });
      expect(errorCode(await set(paid.code))).toBe('BAD_USER_INPUT');
      expect(await getSetting(t.orm.em.fork(), 'trial_plan_code')).toBe(before);
    });

    it('accepts a trial plan and null (no trial)', async () => {
      const trial = await buildPlan(t.orm, { isTrial: true, price: 0 });
      expect((await set(trial.code)).errors).toBeUndefined();
      expect((await set(null)).errors).toBeUndefined();
    });
  });

  describe('servers', () => {
    const add = (name: string, baseUrl: string) =>
      asAdmin('mutation($i: AddServerInput!) { addServer(input: $i) { id } }', {
        i: { name, kind: 'SUI', baseUrl, apiToken: 'x'.repeat(32), skipConnectionTest: true },
      });

    it('refuses the same panel twice, however its URL is spelled (host case, default port, trailing slash)', async () => {
      const host = `panel-${randomUUID().slice(0, 8)}.example.com`;
      const first = await add(`a-${randomUUID()}`, `https://${host}/app`);
      expect(first.errors).toBeUndefined();
      for (const url of [`https://${host}/app/`, `https://${host.toUpperCase()}:443/app`, `https://${host}//app//`]) {
        expect({ url, code: errorCode(await add(`b-${randomUUID()}`, url)) }).toEqual({ url, code: 'SERVER_ALREADY_ADDED' });
      }
      // Another base path or port on the same host is another panel.
      expect((await add(`c-${randomUUID()}`, `https://${host}/other/`)).errors).toBeUndefined();
      expect((await add(`d-${randomUUID()}`, `https://${host}:2053/app/`)).errors).toBeUndefined();
    });

    it('refuses moving a server onto a panel another server already has', async () => {
      const host = `panel-${randomUUID().slice(0, 8)}.example.com`;
      await add(`e-${randomUUID()}`, `https://${host}/x/`);
      const other = await add(`f-${randomUUID()}`, `https://${host}/y/`);
      const id = (other.data as { addServer: { id: string } }).addServer.id;
      const res = await asAdmin('mutation($id: ID!, $u: String) { updateServer(id: $id, input: { baseUrl: $u }) { id } }', { id, u: `https://${host}/x` });
      expect(errorCode(res)).toBe('SERVER_ALREADY_ADDED');
    });

    it('deletes a server that never had a subscription, audited, and refuses one that had', async () => {
      const added = await add(`g-${randomUUID()}`, `https://panel-${randomUUID().slice(0, 8)}.example.com/`);
      const id = (added.data as { addServer: { id: string } }).addServer.id;
      const res = await asAdmin('mutation($id: ID!) { deleteServer(id: $id) }', { id });
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ deleteServer: id });
      const em = t.orm.em.fork();
      expect(await em.count(Server, { id })).toBe(0);
      expect(await em.count(AuditLog, { action: 'deleteServer', resourceId: id })).toBeGreaterThan(0);
      expect(errorCode(await asAdmin('mutation($id: ID!) { deleteServer(id: $id) }', { id }))).toBe('SERVER_NOT_FOUND');

      const used = await add(`h-${randomUUID()}`, `https://panel-${randomUUID().slice(0, 8)}.example.com/`);
      const usedId = (used.data as { addServer: { id: string } }).addServer.id;
      const customer = await buildCustomer(t.orm);
      const plan = await buildPlan(t.orm);
      const em2 = t.orm.em.fork();
      const sub = newSubscription(em2, { customer: em2.merge(customer), plan: em2.merge(plan) });
      sub.server = em2.getReference(Server, usedId);
      await em2.flush();
      expect(errorCode(await asAdmin('mutation($id: ID!) { deleteServer(id: $id) }', { id: usedId }))).toBe('SERVER_IN_USE');
      expect(await t.orm.em.fork().count(Server, { id: usedId })).toBe(1);
    });
  });

  describe('display spoofing', () => {
    const RLO = '\u202E';
    const ZWSP = '\u200B';

    it('refuses bidi overrides and zero-width characters in text shown to others, and stores nothing', async () => {
      const code = `c-${randomUUID().slice(0, 8)}`;
      const plan = await asAdmin('mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }', {
        i: { code, titleFa: 'پلن', titleEn: `Gold${RLO}nalp`, trafficBytes: 1e9, durationDays: 30, price: 1000 },
      });
      expect(errorCode(plan)).toBe('BAD_USER_INPUT');
      expect(plan.errors?.[0].extensions?.details).toMatchObject({ field: 'input.titleEn', reason: 'SPOOFING_TEXT' });
      expect(await t.orm.em.fork().count(Plan, { code })).toBe(0);
      for (const [query, variables] of [
        ['mutation($v: JSON) { updateSetting(key: "card_holder", value: $v) { value } }', { v: `Ali${ZWSP}Rezaei` }],
        ['mutation($v: JSON) { updateSetting(key: "card_holder", value: $v) { value } }', { v: '\u2067Ali\u2069' }],
        ['mutation($i: AddAdminInput!) { addAdmin(input: $i) { id } }', { i: { telegramId: randomTelegramId(), role: 'SUPPORT', displayName: `\uFEFFsupport` } }],
        ['mutation($v: JSON) { updateSetting(key: "support_handle", value: $v) { value } }', { v: `@help\u2060desk` }],
      ] as const) {
        expect({ variables, code: errorCode(await asAdmin(query, variables)) }).toEqual({ variables, code: 'BAD_USER_INPUT' });
      }
    });

    it('keeps the zero-width non-joiner of Persian spelling and emoji joiners', async () => {
      const titleFa = 'پلن می\u200Cخواهم';
      const res = await asAdmin('mutation($i: CreatePlanInput!) { createPlan(input: $i) { id titleFa } }', {
        i: { code: `c-${randomUUID().slice(0, 8)}`, titleFa, titleEn: 'Family 👨\u200D👩\u200D👧', trafficBytes: 1e9, durationDays: 30, price: 1000 },
      });
      expect(res.errors).toBeUndefined();
      expect((res.data as { createPlan: { titleFa: string } }).createPlan.titleFa).toBe(titleFa);
      expect(hasSpoofingCharacters('a\u200C b')).toBe(true);
      expect(hasSpoofingCharacters('\u200Dab')).toBe(true);
      expect(hasSpoofingCharacters('a\u200C\u200Cb')).toBe(true);
      expect(stripSpoofingCharacters(`\u200C${RLO}a\u200C\u200Cb${ZWSP} c\u200C`)).toBe('a\u200Cb c');
    });

    it("strips them from a Telegram user's own name instead of refusing the sign-up", async () => {
      const telegramId = randomTelegramId();
      const res = await t.gql(
        'mutation($i: RegisterTelegramUserInput) { registerTelegramUser(input: $i) { displayName } }',
        { i: { displayName: `evil${RLO}gnp.exe`, username: 'someone' } },
        { key: bot, telegramId },
      );
      expect(res.errors).toBeUndefined();
      expect((res.data as { registerTelegramUser: { displayName: string } }).registerTelegramUser.displayName).toBe('evilgnp.exe');
      expect((await t.orm.em.fork().findOneOrFail(Customer, { telegramId })).displayName).toBe('evilgnp.exe');
    });
  });
});
