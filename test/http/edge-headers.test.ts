import http from 'node:http';
import { Role } from '../../src/entities/common';
import { Subscription, SubscriptionStatus } from '../../src/entities/subscription.entity';
import { Language } from '../../src/entities/customer.entity';
import { buildCustomer, buildPlan } from '../factories/commerce';
import { makeKey, startTestApi, type TestApi } from '../helpers/api';

describe('HTTP edge: headers in and out', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses an X-Telegram-User-Id that is not a safe integer (two such ids would act as one customer)', async () => {
    const key = await makeKey(t.orm, Role.USER_BOT);
    for (const id of ['9007199254740993', '9999999999999999']) {
      const res = await t.gql('{ me { role } }', {}, { key, headers: { 'x-telegram-user-id': id } });
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const ok = await t.gql('{ me { role } }', {}, { key, headers: { 'x-telegram-user-id': '9007199254740991' } });
    expect(ok.errors).toBeUndefined();
  });

  it('names the /sub/<token> download after the profile title, never after the subscription id', async () => {
    const plan = await buildPlan(t.orm, { titleEn: 'One month', titleFa: 'پلن یک ماهه' });
    const customer = await buildCustomer(t.orm, { language: Language.EN });
    const em = t.orm.em.fork();
    const sub = em.create(Subscription, {
      customer: customer.id,
      plan: plan.id,
      panelName: `c-${plan.code}`,
      status: SubscriptionStatus.ACTIVE,
      links: ['vless://x@h:1#a'],
    });
    await em.flush();
    const res = await fetch(`${t.url}/sub/${sub.subToken}`);
    expect(res.status).toBe(200);
    const disposition = res.headers.get('content-disposition')!;
    expect(disposition).toContain('filename="One month"');
    expect(disposition).not.toContain(sub.panelName);
    expect(disposition).not.toContain(sub.id);
  });
});

const METRICS_TOKEN = 'metrics-test-token-0123456789';

describe('HTTP edge: metrics and oversized bodies', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ config: { METRICS_TOKEN } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves /metrics only with the METRICS_TOKEN bearer token, and not at all without the setting', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    const off = await startTestApi({ orm: t.orm });
    try {
      expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });

  it('keeps the GraphQL operation label bounded by the schema whatever operation names callers send', async () => {
    for (let i = 0; i < 30; i += 1) await t.gql(`query Spam${i} { me { role } }`);
    await t.gql('query Broken { me { ');
    const text = await (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(text).not.toMatch(/operation="Spam\d+"/);
    expect(text).toMatch(/graphql_operations_total\{operation="me",type="query",outcome="UNAUTHENTICATED"\} 30/);
    expect(text).toMatch(/graphql_operations_total\{operation="other"/);
  });

  it('closes the connection after refusing an oversized /graphql body, so the next request does not hang', async () => {
    const { status, connection } = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = http.request(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode!, connection: res.headers.connection });
      });
      req.on('error', reject);
      req.end(Buffer.alloc(2 * 1024 * 1024, 0x20));
    });
    expect(status).toBe(413);
    expect(connection).toBe('close');
  });
});
