import { Role } from '../../src/entities/common';
import { makeKey, startTestApi, type TestApi } from '../helpers/api';
import { buildReseller, buildResellerKey } from '../factories/reseller';

describe('per-key rate limit', () => {
  let t: TestApi;

  beforeAll(async () => {
    // A bucket of 3 refilled at 1 a minute: a 4th request in the same test cannot have earned a token back.
    t = await startTestApi({ isolated: true, config: { RESELLER_RATE_PER_MINUTE: '1', RESELLER_RATE_BURST: '3' } });
  });
  afterAll(async () => {
    await t.close();
  });

  const call = (key: string) =>
    fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ me { role } }' }),
    });

  it('answers a key over its rate with RATE_LIMITED, a retry time in the extensions and a Retry-After header; other keys are unaffected', async () => {
    const reseller = await buildReseller(t.orm);
    const busy = await buildResellerKey(t.orm, reseller.id);
    const calm = await buildResellerKey(t.orm, reseller.id);
    for (let i = 0; i < 3; i++) expect((await call(busy.key)).status).toBe(200);
    const limited = await call(busy.key);
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as { errors: Array<{ extensions: { code: string; retryAfter: number } }> };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    const retryAfter = body.errors[0]!.extensions.retryAfter;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('retry-after')).toBe(String(retryAfter));
    // Another key of the same reseller, and a key of another role, are unaffected.
    expect((await call(calm.key)).status).toBe(200);
    const admin = await makeKey(t.orm, Role.ADMIN);
    for (let i = 0; i < 5; i++) expect((await call(admin)).status).toBe(200);
    // Still limited: a refused request spends nothing and earns nothing.
    expect((await call(busy.key)).status).toBe(429);
  });
});
