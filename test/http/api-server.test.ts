import { Role } from '../../src/entities/common';
import { makeKey, startTestApi, type TestApi } from '../helpers/api';

const METRICS_TOKEN = 'metrics-test-token-0123456789';

describe('API HTTP server', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ config: { METRICS_TOKEN } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /healthz while the process is alive', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz when the database is reachable and migrated', async () => {
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(200);
  });

  it('serves GraphiQL and every asset it loads from the installed packages, with no CDN', async () => {
    const page = await (await fetch(`${t.url}/graphiql`)).text();
    expect(page).toContain('GraphiQL');
    const srcs = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(srcs.length).toBe(4);
    for (const src of srcs) {
      expect(src.startsWith('/graphiql/assets/')).toBe(true);
      const asset = await fetch(`${t.url}${src}`);
      expect(asset.status).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect(page).not.toMatch(/https?:\/\//);
  });

  it('exposes Prometheus metrics for HTTP requests and GraphQL operations by name and outcome', async () => {
    const key = await makeKey(t.orm, Role.ADMIN);
    await t.gql('query WhoAmI { me { role } }', {}, { key });
    await t.gql('query WhoAmI { me { role } }');
    const text = await (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(text).toMatch(/graphql_operations_total\{operation="me",type="query",outcome="ok"\} \d+/);
    expect(text).toMatch(/graphql_operations_total\{operation="me",type="query",outcome="UNAUTHENTICATED"\} \d+/);
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('echoes a well-formed X-Request-Id and makes one up otherwise', async () => {
    const given = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers introspection only to callers with a valid key (GraphiQL sends the key it is given)', async () => {
    const key = await makeKey(t.orm, Role.SUPPORT);
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Query") { name } }', 'query { plans { id } ...F } fragment F on Query { __schema { types { name } } }']) {
      for (const auth of [undefined, { key: 'vpk_AAAAAAAAAA_' + 'x'.repeat(43) }]) {
        const res = await t.gql(query, {}, auth);
        expect({ query, code: res.errors?.[0]?.extensions?.code, data: res.data ?? null }).toEqual({ query, code: 'UNAUTHENTICATED', data: null });
      }
      expect((await t.gql(query, {}, { key })).errors).toBeUndefined();
    }
    const plain = await t.gql('{ plans { id __typename } }');
    expect(plain.errors).toBeUndefined();
  });

  it('answers unknown paths with 404', async () => {
    expect((await fetch(`${t.url}/nope`)).status).toBe(404);
  });

  it('refuses operations with more aliases than the limit before running them', async () => {
    const key = await makeKey(t.orm, Role.ADMIN);
    const deep = `{ auditLogs { nodes { id } pageInfo { hasNextPage } } }`;
    expect((await t.gql(deep, {}, { key })).errors).toBeUndefined();
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: me { role }`).join(' ')} }`;
    const res = await t.gql(aliases, {}, { key });
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toMatch(/Too many aliases/);
  });

  it('refuses operations that select more fields than the cost limit, fragments included', async () => {
    const key = await makeKey(t.orm, Role.ADMIN);
    const frag = `fragment F on AuditLogEntry { ${Array.from({ length: 40 }, () => 'id action').join(' ')} }`;
    const q = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: auditLogs(first: 1) { nodes { ...F } }`).join(' ')} } ${frag}`;
    const res = await t.gql(q, {}, { key, headers: {} });
    expect(res.errors?.map((e) => e.message).join(' ')).toMatch(/too costly/);
  });

  it('masks unexpected errors and never returns stack traces', async () => {
    const res = await t.gql('{ me { role } }', {}, { key: 'vpk_' });
    expect(JSON.stringify(res)).not.toMatch(/stacktrace|at Object\./);
  });
});
