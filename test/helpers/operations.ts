import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { AdminRole, Role } from '../../src/entities/common';
import { addAdmin } from '../../src/services/admin.service';
import { createApiKey } from '../../src/services/api-key.service';
import { randomTelegramId } from './ids';
import { startSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { Server, ServerKind } from '../../src/entities/server.entity';
import type { AppServices } from '../../src/services/app-services';

/** What sample calls may use: the database, the API's services and a lazily started panel simulator. */
export interface SampleContext {
  orm: MikroORM;
  services: AppServices;
  panel(): Promise<SuiSimulator>;
  close(): Promise<void>;
}

export function sampleContext(orm: MikroORM, services: AppServices): SampleContext {
  let sim: Promise<SuiSimulator> | null = null;
  return {
    orm,
    services,
    panel() {
      sim ??= startSuiSimulator({ profile: '1.5' }).then((s) => {
        s.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
        return s;
      });
      return sim;
    },
    async close() {
      if (sim) await (await sim).close();
    },
  };
}

/** A saved server pointing at the sample simulator. */
async function sampleServer(ctx: SampleContext): Promise<Server> {
  const sim = await ctx.panel();
  const em = ctx.orm.em.fork();
  const server = em.create(Server, {
    name: `sample-${randomUUID()}`,
    kind: ServerKind.SUI,
    baseUrl: sim.url,
    credentialsEnc: ctx.services.secrets.encryptJson({ username: sim.username, password: sim.password }),
  });
  await em.flush();
  return server;
}

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
export const SAMPLE_CALLS: Record<string, (ctx: SampleContext) => Promise<SampleCall>> = {
  'Query.me': async () => ({ query: '{ me { role } }' }),
  'Query.apiKeys': async () => ({ query: '{ apiKeys { id prefix } }' }),
  'Mutation.createApiKey': async () => ({
    query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }',
    variables: { i: { name: `k-${randomUUID()}`, role: 'SUPPORT' } },
  }),
  'Mutation.revokeApiKey': async ({ orm }) => {
    const { apiKey } = await createApiKey(orm.em.fork(), { name: 'to revoke', role: Role.SUPPORT }, 'test');
    return { query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', variables: { id: apiKey.id } };
  },
  'Query.admins': async () => ({ query: '{ admins { id } }' }),
  'Mutation.addAdmin': async () => ({
    query: 'mutation($i: AddAdminInput!) { addAdmin(input: $i) { id } }',
    variables: { i: { telegramId: randomTelegramId(), role: 'SUPPORT' } },
  }),
  'Mutation.updateAdmin': async ({ orm }) => {
    const admin = await addAdmin(orm.em.fork(), { telegramId: randomTelegramId(), role: AdminRole.SUPPORT });
    return { query: 'mutation($id: ID!) { updateAdmin(id: $id, input: { active: false }) { id active } }', variables: { id: admin.id } };
  },
  'Query.settings': async () => ({ query: '{ settings { key value } }' }),
  'Mutation.updateSetting': async () => ({
    query: 'mutation($v: JSON) { updateSetting(key: "support_handle", value: $v) { key value } }',
    variables: { v: `@support_${randomUUID().slice(0, 6)}` },
  }),
  'Query.auditLogs': async () => ({ query: '{ auditLogs(first: 5) { nodes { id } pageInfo { hasNextPage } } }' }),
  'Query.servers': async () => ({ query: '{ servers { id name load inbounds { tag } } }' }),
  'Query.server': async (ctx) => ({ query: 'query($id: ID!) { server(id: $id) { id } }', variables: { id: (await sampleServer(ctx)).id } }),
  'Mutation.addServer': async (ctx) => {
    const sim = await ctx.panel();
    return {
      query: 'mutation($i: AddServerInput!) { addServer(input: $i) { id } }',
      variables: { i: { name: `s-${randomUUID()}`, kind: 'SUI', baseUrl: sim.url, username: sim.username, password: sim.password } },
    };
  },
  'Mutation.updateServer': async (ctx) => ({
    query: 'mutation($id: ID!) { updateServer(id: $id, input: { capacity: 7 }) { id capacity } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Mutation.setServerActive': async (ctx) => ({
    query: 'mutation($id: ID!) { setServerActive(id: $id, active: false) { id active } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Mutation.testServer': async (ctx) => ({
    query: 'mutation($id: ID!) { testServer(id: $id) { reachable version } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
  'Mutation.syncInbounds': async (ctx) => ({
    query: 'mutation($id: ID!) { syncInbounds(id: $id) { tag } }',
    variables: { id: (await sampleServer(ctx)).id },
  }),
};
