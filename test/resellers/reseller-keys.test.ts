import { randomUUID } from 'node:crypto';
import { ApiKey } from '../../src/entities/api-key.entity';
import { authenticate } from '../../src/services/api-key.service';
import { startWorld, type World } from '../helpers/world';
import { createApiReseller, NO_RATE_LIMIT, ok, RESELLER_ORDER, UPSERT_CUSTOMER, type ApiReseller } from './helpers';

const CREATE_KEY = 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id scopes allowedCidrs resellerId } } }';

describe('scoped reseller keys', () => {
  let w: World;
  let r: ApiReseller;
  let customerId: string;

  beforeAll(async () => {
    w = await startWorld({ config: NO_RATE_LIMIT });
    r = await createApiReseller(w, {}, { topUp: 1_000_000 });
    customerId = ok(await r.call<{ upsertResellerCustomer: { id: string } }>(UPSERT_CUSTOMER, { r: 'k-1' })).upsertResellerCustomer.id;
  });
  afterAll(async () => {
    await w.close();
  });

  const order = (key: string) =>
    w.t.gql(RESELLER_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'RESELLER_BALANCE', customerId }, k: randomUUID() }, { key });

  async function mint(by: string, input: Record<string, unknown>) {
    return w.t.gql<{ createApiKey: { key: string; apiKey: { id: string; scopes: string[]; resellerId: string; allowedCidrs: string[] } } }>(CREATE_KEY, { i: { name: 'minted', role: 'RESELLER', ...input } }, { key: by });
  }

  it('refuses createOrder to a key without orders:write, naming the scope, and allows it with the scope', async () => {
    const readOnly = ok(await mint(r.key, { scopes: ['customers:read', 'orders:read'] })).createApiKey;
    const res = await order(readOnly.key);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', details: { missingScopes: ['orders:write'] } });
    expect((await order(r.key)).errors).toBeUndefined();
  });

  it('lets a reseller mint keys of its own reseller with at most its own scopes, shown once', async () => {
    const narrow = ok(await mint(r.key, { scopes: ['customers:read'] })).createApiKey;
    expect(narrow.apiKey).toMatchObject({ scopes: ['customers:read'], resellerId: r.id });
    const wider = await mint(narrow.key, { scopes: ['customers:read', 'orders:write'] });
    expect(wider.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await mint(narrow.key, { scopes: ['customers:read'] })).errors).toBeUndefined();
    // The key is never shown again: listing keys has no secret.
    const list = await w.t.gql<{ apiKeys: Array<Record<string, unknown>> }>('{ apiKeys { id prefix scopes } }', {}, { key: r.key });
    expect(JSON.stringify(list)).not.toContain(narrow.key.split('_')[2]);
    // A reseller cannot mint staff keys or keys of another reseller.
    expect((await w.t.gql(CREATE_KEY, { i: { name: 'x', role: 'ADMIN' } }, { key: r.key })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const other = await createApiReseller(w, {});
    expect((await mint(r.key, { resellerId: other.id, scopes: [] })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses unknown scopes with BAD_USER_INPUT', async () => {
    const res = await w.asAdmin(CREATE_KEY, { i: { name: 'bad', role: 'RESELLER', resellerId: r.id, scopes: ['orders:write', 'everything:*'] } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { unknownScopes: ['everything:*'] } });
  });

  it('refuses expired and revoked keys, and keys outside their IP allow-list', async () => {
    const expiring = ok(await mint(r.key, { scopes: ['orders:write'], expiresAt: new Date(Date.now() + 60_000).toISOString() })).createApiKey;
    // Its expiry moved into the past before its first use (so no cached copy of the key exists).
    await w.t.orm.em.fork().nativeUpdate(ApiKey, { id: expiring.apiKey.id }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await order(expiring.key)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const later = ok(await mint(r.key, { scopes: ['orders:write'], expiresAt: new Date(Date.now() + 60_000).toISOString() })).createApiKey;
    expect(await authenticate(w.t.orm.em.fork(), later.key, undefined, new Date(Date.now() + 120_000))).toEqual({ failure: 'EXPIRED' });

    const revoked = ok(await mint(r.key, { scopes: ['orders:write'] })).createApiKey;
    ok(await w.t.gql('mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: revoked.apiKey.id }, { key: r.key }));
    expect((await order(revoked.key)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const elsewhere = ok(await mint(r.key, { scopes: ['orders:write'], allowedCidrs: ['203.0.113.0/24'] })).createApiKey;
    expect(elsewhere.apiKey.allowedCidrs).toEqual(['203.0.113.0/24']);
    expect((await order(elsewhere.key)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const here = ok(await mint(r.key, { scopes: ['orders:write'], allowedCidrs: ['127.0.0.0/8', '::1'] })).createApiKey;
    expect((await order(here.key)).errors).toBeUndefined();
    const bad = await mint(r.key, { scopes: [], allowedCidrs: ['10.0.0.0/33'] });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('records the last use of a key', async () => {
    const fresh = ok(await mint(r.key, { scopes: ['balance:read'] })).createApiKey;
    const before = await w.t.orm.em.fork().findOneOrFail(ApiKey, { id: fresh.apiKey.id });
    expect(before.lastUsedAt ?? null).toBeNull();
    ok(await w.t.gql('{ resellerBalance { balance } }', {}, { key: fresh.key }));
    const after = await w.t.orm.em.fork().findOneOrFail(ApiKey, { id: fresh.apiKey.id });
    expect(after.lastUsedAt).toBeInstanceOf(Date);
  });

  it("cannot revoke another reseller's key (NOT_FOUND) nor a key with scopes it lacks", async () => {
    const other = await createApiReseller(w, {});
    const keys = await w.asAdmin<{ apiKeys: Array<{ id: string; resellerId: string | null }> }>('{ apiKeys { id resellerId } }');
    const theirs = keys.data!.apiKeys.find((k) => k.resellerId === other.id)!;
    expect((await w.t.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: theirs.id }, { key: r.key })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const narrow = ok(await mint(r.key, { scopes: ['customers:read'] })).createApiKey;
    const keysOfR = await w.t.gql<{ apiKeys: Array<{ id: string; scopes: string[] }> }>('{ apiKeys { id scopes } }', {}, { key: r.key });
    const full = keysOfR.data!.apiKeys.find((k) => k.scopes.length === 8)!;
    expect((await w.t.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: full.id }, { key: narrow.key })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
