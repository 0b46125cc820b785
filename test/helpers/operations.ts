import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { AdminRole, Role } from '../../src/entities/common';
import { addAdmin } from '../../src/services/admin.service';
import { createApiKey } from '../../src/services/api-key.service';
import { randomTelegramId } from './ids';

/** One GraphQL call of a root field, with what it needs created first. */
export interface SampleCall {
  query: string;
  variables?: Record<string, unknown>;
}

/**
 * A valid, successful invocation of every root field, keyed `Query.x` / `Mutation.x`.
 * The auth matrix and the audit test run them; a schema field without a sample fails those tests,
 * so every new operation must be added here.
 */
export const SAMPLE_CALLS: Record<string, (orm: MikroORM) => Promise<SampleCall>> = {
  'Query.me': async () => ({ query: '{ me { role } }' }),
  'Query.apiKeys': async () => ({ query: '{ apiKeys { id prefix } }' }),
  'Mutation.createApiKey': async () => ({
    query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }',
    variables: { i: { name: `k-${randomUUID()}`, role: 'SUPPORT' } },
  }),
  'Mutation.revokeApiKey': async (orm) => {
    const { apiKey } = await createApiKey(orm.em.fork(), { name: 'to revoke', role: Role.SUPPORT }, 'test');
    return { query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', variables: { id: apiKey.id } };
  },
  'Query.admins': async () => ({ query: '{ admins { id } }' }),
  'Mutation.addAdmin': async () => ({
    query: 'mutation($i: AddAdminInput!) { addAdmin(input: $i) { id } }',
    variables: { i: { telegramId: randomTelegramId(), role: 'SUPPORT' } },
  }),
  'Mutation.updateAdmin': async (orm) => {
    const admin = await addAdmin(orm.em.fork(), { telegramId: randomTelegramId(), role: AdminRole.SUPPORT });
    return { query: 'mutation($id: ID!) { updateAdmin(id: $id, input: { active: false }) { id active } }', variables: { id: admin.id } };
  },
  'Query.settings': async () => ({ query: '{ settings { key value } }' }),
  'Mutation.updateSetting': async () => ({
    query: 'mutation($v: JSON) { updateSetting(key: "support_handle", value: $v) { key value } }',
    variables: { v: `@support_${randomUUID().slice(0, 6)}` },
  }),
  'Query.auditLogs': async () => ({ query: '{ auditLogs(first: 5) { nodes { id } pageInfo { hasNextPage } } }' }),
};
