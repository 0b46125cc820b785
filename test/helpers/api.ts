import type { MikroORM } from '@mikro-orm/postgresql';
import { parseConfig, type Config } from '../../src/config';
import { Role } from '../../src/entities/common';
import { createApi, type ApiHandle, type RouteHandler } from '../../src/http/api-server';
import { createLogger } from '../../src/logger';
import { createApiKey } from '../../src/services/api-key.service';
import type { AppServices } from '../../src/services/app-services';
import { testServices } from './services';
import { openOrm } from '../../src/main/orm';
import { createIsolatedDatabase, openTestOrm } from './db';

/** A GraphQL response as the HTTP client sees it. */
export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; [k: string]: unknown } }>;
}

export interface TestApi {
  url: string;
  orm: MikroORM;
  api: ApiHandle;
  config: Config;
  services: AppServices;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    auth?: { key?: string; telegramId?: number | string; headers?: Record<string, string> },
  ): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

/** Test configuration: defaults plus overrides, never the machine's environment. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SHUTDOWN_TIMEOUT_MS: '2000', ...overrides });
}

/** Starts the real API on a random port over this worker's test database. */
export async function startTestApi(
  opts: { orm?: MikroORM; routes?: RouteHandler[]; config?: Record<string, string>; services?: AppServices; isolated?: boolean } = {},
): Promise<TestApi> {
  // An isolated database (a fresh clone of the template) keeps this test's jobs and rows to itself.
  const iso = opts.isolated ? await createIsolatedDatabase() : null;
  const orm = opts.orm ?? (iso ? await openOrm(iso.url, 10) : await openTestOrm());
  const config = testConfig(opts.config);
  const services = opts.services ?? testServices(orm);
  const api = await createApi({ config, logger: createLogger({ level: 'silent' }), orm, routes: opts.routes, services });
  const port = await api.start();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    orm,
    api,
    config,
    services,
    async gql(query, variables, auth) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(auth?.headers ?? {}) };
      if (auth?.key) headers.authorization = `Bearer ${auth.key}`;
      if (auth?.telegramId !== undefined) headers['x-telegram-user-id'] = String(auth.telegramId);
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as Omit<GqlResult, 'status'>;
      return { status: res.status, ...body } as GqlResult<never>;
    },
    async close() {
      await api.stop();
      if (!opts.services) await services.panels.close();
      if (!opts.orm) await orm.close(true);
      if (iso) await iso.drop();
    },
  };
}

/** Creates an API key directly in the database and returns its secret. */
export async function makeKey(orm: MikroORM, role: Role, opts: { resellerId?: string; name?: string } = {}): Promise<string> {
  const em = orm.em.fork();
  const { secret } = await createApiKey(em, { name: opts.name ?? `test ${role}`, role, resellerId: opts.resellerId ?? null }, 'test');
  return secret;
}

/** The first error code of a response, or undefined. */
export function errorCode(res: GqlResult): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}
