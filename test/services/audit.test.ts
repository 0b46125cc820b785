import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditLog } from '../../src/entities/audit-log.entity';
import { Role } from '../../src/entities/common';
import { Admin } from '../../src/entities/admin.entity';
import { buildAppSchema } from '../../src/resolvers/schema';
import { errorCode, makeKey, startTestApi, type TestApi } from '../helpers/api';
import { randomTelegramId } from '../helpers/ids';
import { SAMPLE_CALLS, sampleContext, type SampleContext } from '../helpers/operations';

describe('audit log', () => {
  let t: TestApi;
  let orm: MikroORM;
  let adminKey: string;
  let samples: SampleContext;

  beforeAll(async () => {
    t = await startTestApi();
    orm = t.orm;
    samples = sampleContext(orm, t.services);
    adminKey = await makeKey(orm, Role.ADMIN);
  });
  afterAll(async () => {
    await samples.close();
    await t.close();
  });

  it('records every mutation of the schema with its caller, action and request id', async () => {
    const schema = await buildAppSchema();
    const mutations = Object.keys(schema.getMutationType()!.getFields());
    expect(mutations.length).toBeGreaterThan(0);
    const userBotKey = await makeKey(orm, Role.USER_BOT);
    for (const name of mutations) {
      const { query, variables, actAs } = await SAMPLE_CALLS[`Mutation.${name}`](samples, null);
      const requestId = `audit-${name}-${Date.now()}`;
      const roles = schema.getMutationType()!.getFields()[name].astNode!.directives!.find((d) => d.name.value === 'auth')!;
      const adminAllowed = JSON.stringify(roles.arguments).includes('"ADMIN"');
      const resellerOnly = !adminAllowed && !JSON.stringify(roles.arguments).includes('"USER_BOT"');
      const auth = adminAllowed
        ? { key: adminKey }
        : resellerOnly
          ? { key: (await samples.reseller()).key }
          : { key: userBotKey, telegramId: actAs ?? (await samples.shop()).customer.telegramId! };
      const res = await t.gql(query, variables, { ...auth, headers: { 'x-request-id': requestId } });
      expect({ name, errors: res.errors }).toEqual({ name, errors: undefined });
      const rows = await orm.em.fork().find(AuditLog, { correlationId: requestId });
      expect({ name, rows: rows.length }).toEqual({ name, rows: expect.any(Number) });
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row).toMatchObject({ action: name, ip: '127.0.0.1' });
        if (adminAllowed || resellerOnly) expect(row.actorType).toBe('API_KEY');
        // A user bot acts for a customer (or, at sign-up, for a Telegram user who is not one yet).
        else expect(row.telegramId).toEqual(expect.any(Number));
        expect(row.apiKeyId).toEqual(expect.any(String));
      }
    }
  });

  it('stores the before and after values of an update', async () => {
    const telegramId = randomTelegramId();
    const add = await t.gql<{ addAdmin: { id: string } }>(
      'mutation($tg: SafeInt!) { addAdmin(input: { telegramId: $tg, role: SUPPORT }) { id } }',
      { tg: telegramId },
      { key: adminKey },
    );
    const id = add.data!.addAdmin.id;
    await t.gql('mutation($id: ID!) { updateAdmin(id: $id, input: { role: ADMIN }) { id } }', { id }, { key: adminKey });
    const row = await orm.em.fork().findOneOrFail(AuditLog, { resourceType: 'admin', resourceId: id, operation: 'update' });
    expect(row.diff).toEqual({ before: { role: 'SUPPORT' }, after: { role: 'ADMIN' } });
  });

  it('never stores secrets in diffs', async () => {
    const res = await t.gql<{ createApiKey: { apiKey: { id: string }; key: string } }>(
      'mutation { createApiKey(input: { name: "secret check", role: SUPPORT }) { key apiKey { id } } }',
      {},
      { key: adminKey },
    );
    const row = await orm.em.fork().findOneOrFail(AuditLog, { resourceType: 'api_key', resourceId: res.data!.createApiKey.apiKey.id });
    const text = JSON.stringify(row.diff);
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain(res.data!.createApiKey.key);
  });

  it('writes no audit row and no change when a mutation fails', async () => {
    const telegramId = randomTelegramId();
    await t.gql('mutation($tg: SafeInt!) { addAdmin(input: { telegramId: $tg, role: SUPPORT }) { id } }', { tg: telegramId }, { key: adminKey });
    const requestId = `dup-${Date.now()}`;
    const res = await t.gql(
      'mutation($tg: SafeInt!) { addAdmin(input: { telegramId: $tg, role: ADMIN }) { id } }',
      { tg: telegramId },
      { key: adminKey, headers: { 'x-request-id': requestId } },
    );
    expect(errorCode(res)).toBe('ADMIN_ALREADY_EXISTS');
    expect(await orm.em.fork().count(AuditLog, { correlationId: requestId })).toBe(0);
    expect(await orm.em.fork().count(Admin, { telegramId })).toBe(1);
  });

  it('pages through the audit log with a cursor, newest first', async () => {
    const first = await t.gql<{ auditLogs: { nodes: Array<{ id: string; at: string }>; pageInfo: { endCursor: string; hasNextPage: boolean } } }>(
      '{ auditLogs(first: 2) { nodes { id at } pageInfo { endCursor hasNextPage } } }',
      {},
      { key: adminKey },
    );
    const page1 = first.data!.auditLogs;
    expect(page1.nodes).toHaveLength(2);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await t.gql<{ auditLogs: { nodes: Array<{ id: string; at: string }> } }>(
      'query($after: String) { auditLogs(first: 2, after: $after) { nodes { id at } } }',
      { after: page1.pageInfo.endCursor },
      { key: adminKey },
    );
    const page2 = second.data!.auditLogs.nodes;
    expect(page2.map((n) => n.id)).not.toContain(page1.nodes[0].id);
    expect(new Date(page2[0].at).getTime()).toBeLessThanOrEqual(new Date(page1.nodes[1].at).getTime());
  });

  it('filters the audit log by action', async () => {
    const res = await t.gql<{ auditLogs: { nodes: Array<{ action: string }> } }>(
      '{ auditLogs(filter: { action: "addAdmin" }, first: 50) { nodes { action } } }',
      {},
      { key: adminKey },
    );
    expect(res.data!.auditLogs.nodes.length).toBeGreaterThan(0);
    expect(new Set(res.data!.auditLogs.nodes.map((n) => n.action))).toEqual(new Set(['addAdmin']));
  });
});
