import { randomBytes, randomUUID } from 'node:crypto';
import { PanelError } from '../../src/clients/panel-error';
import type { PanelHttpOptions } from '../../src/clients/panel-http';
import type { ClientSpec, PanelConnection } from '../../src/clients/panel.types';
import { XuiAdapter } from '../../src/clients/xui.adapter';
import type { XuiProfile } from '../../src/simulators/xui/xui.profile';
import { startXuiSimulator, type XuiSimulator, type XuiSimulatorOptions } from '../../src/simulators/xui/xui.simulator';
import { parseVersion, versionInPage } from '../../src/clients/xui.detection';

const GiB = 1024 ** 3;
const DAY = 86_400_000;
const TOKEN = 'sim-token-for-tests-only';
const FAST: Partial<PanelHttpOptions> = { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 2 };

async function caught(p: Promise<unknown>): Promise<PanelError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PanelError) return err;
    throw err;
  }
  throw new Error('expected a PanelError');
}

/** Logs in with plain fetch (CSRF from 3.0) and returns headers for cookie-authenticated calls. */
async function rawSession(sim: XuiSimulator): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (sim.features.csrf) {
    const t = await fetch(`${sim.url}csrf-token`);
    headers.cookie = (t.headers.get('set-cookie') ?? '').split(';')[0];
    headers['x-csrf-token'] = ((await t.json()) as { obj: string }).obj;
  }
  const login = await fetch(`${sim.url}login`, { method: 'POST', headers, body: JSON.stringify({ username: sim.username, password: sim.password }) });
  headers.cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  return headers;
}

const PROFILES: Array<{ profile: XuiProfile; v3: boolean; clientRoutes: boolean }> = [
  { profile: 'G2', v3: false, clientRoutes: false },
  { profile: 'G3', v3: false, clientRoutes: false },
  { profile: 'G4', v3: false, clientRoutes: false },
  { profile: 'G5', v3: true, clientRoutes: false },
  { profile: 'G6', v3: true, clientRoutes: true },
];

describe.each(PROFILES)('XuiAdapter against the 3x-ui simulator, profile $profile', ({ profile, v3, clientRoutes }) => {
  let sim: XuiSimulator;
  let adapter: XuiAdapter;
  let conn: PanelConnection;
  let vless: number;
  let trojan: number;
  let spare: number;
  let vmess: number;
  let shadowsocks: number;
  const extra: XuiAdapter[] = [];

  const addPath = clientRoutes ? 'clients/add' : 'inbounds/addClient';

  const spec = (name: string, overrides: Partial<ClientSpec> = {}): ClientSpec => ({
    name,
    uuid: randomUUID(),
    password: randomBytes(12).toString('hex'),
    enabled: true,
    trafficLimitBytes: 10 * GiB,
    expiresAt: new Date(sim.clock.now() + 30 * DAY),
    deviceLimit: 2,
    inboundIds: [String(vless)],
    ...overrides,
  });

  const entriesOf = (email: string): Array<Record<string, unknown>> =>
    sim.state().clients.filter((c) => typeof c.email === 'string' && c.email.toLowerCase() === email.toLowerCase());

  const newAdapter = (c: Partial<PanelConnection> = {}): XuiAdapter => {
    const a = new XuiAdapter({ ...conn, ...c }, FAST);
    extra.push(a);
    return a;
  };

  beforeAll(async () => {
    sim = await startXuiSimulator({
      profile,
      basePath: '/xui-panel/',
      sessionMaxAgeMs: 60_000,
      apiTokens: [TOKEN],
      sub: { showInfo: false },
    });
    vless = sim.addInbound({
      protocol: 'vless',
      port: 443,
      remark: 'vless-tls',
      streamSettings: { network: 'tcp', security: 'tls', tlsSettings: { serverName: 'vpn.example.com', alpn: ['h2'], settings: { fingerprint: 'chrome' } } },
    });
    trojan = sim.addInbound({ protocol: 'trojan', port: 8443, remark: 'trojan-ws', streamSettings: { network: 'ws', security: 'none', wsSettings: { path: '/tj', headers: { Host: 'cdn.example.com' } } } });
    spare = sim.addInbound({ protocol: 'vless', port: 2443, remark: 'spare' });
    vmess = sim.addInbound({
      protocol: 'vmess',
      port: 9443,
      remark: 'vmess ws',
      streamSettings: { network: 'ws', security: 'tls', wsSettings: { path: '/vm', host: 'cdn.example.com' }, tlsSettings: { serverName: 'vm.example.com' } },
    });
    shadowsocks = sim.addInbound({ protocol: 'shadowsocks', port: 8388, remark: 'ss' });
    sim.seedClients(vmess, [{ email: 'filler-vmess' }]);
    sim.seedClients(shadowsocks, [{ email: 'filler-ss' }]);
    // Keeps the main inbounds from ever becoming empty (the panel refuses deleting their last client).
    sim.seedClients(vless, [{ email: 'filler-vless' }]);
    sim.seedClients(trojan, [{ email: 'filler-trojan' }]);
    conn = { serverId: `xui-${profile}`, kind: 'XUI', baseUrl: sim.url, username: sim.username, password: sim.password };
    adapter = new XuiAdapter(conn, FAST);
  });

  afterEach(() => {
    sim.server.clearFaults();
  });

  afterAll(async () => {
    await adapter.close();
    await Promise.all(extra.map((a) => a.close()));
    await sim.close();
  });

  it('detects the version, profile and capabilities the panel exposes', async () => {
    const info = await adapter.detect();
    expect(info).toEqual({
      kind: 'XUI',
      version: sim.version,
      profile,
      capabilities: { apiToken: v3, csrf: v3, clientRoutes, deviceLimit: true },
    });
  });

  it('creates a missing client once and reports it unchanged the second time', async () => {
    const s = spec('alice');
    const first = await adapter.ensureClient(s);
    expect(first.action).toBe('created');
    expect(first.client).toMatchObject({
      name: 'alice',
      uuid: s.uuid,
      enabled: true,
      trafficLimitBytes: 10 * GiB,
      expiresAt: s.expiresAt,
      deviceLimit: 2,
      inboundIds: [String(vless)],
      upBytes: 0,
      downBytes: 0,
    });
    const second = await adapter.ensureClient(s);
    expect(second.action).toBe('unchanged');
    const entries = entriesOf('alice');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ id: s.uuid, totalGB: 10 * GiB, expiryTime: s.expiresAt?.getTime(), limitIp: 2, subId: 'alice', enable: true });
  });

  it('writes bytes and milliseconds and reads them back through getClient', async () => {
    const expiresAt = new Date(sim.clock.now() + 7 * DAY + 123);
    const s = spec('units', { trafficLimitBytes: 5 * GiB + 17, expiresAt, deviceLimit: 0, subId: 'units-sub' });
    await adapter.ensureClient(s);
    const got = await adapter.getClient('units');
    expect(got).toMatchObject({ trafficLimitBytes: 5 * GiB + 17, expiresAt, deviceLimit: 0 });
    expect(entriesOf('units')[0]).toMatchObject({ totalGB: 5 * GiB + 17, expiryTime: expiresAt.getTime(), subId: 'units-sub' });
    expect(await adapter.getClient('nobody-here')).toBeNull();
  });

  it('uses the password as the trojan secret', async () => {
    const s = spec('tj-user', { inboundIds: [String(trojan)] });
    const res = await adapter.ensureClient(s);
    expect(res.client).toMatchObject({ password: s.password, inboundIds: [String(trojan)] });
    expect(entriesOf('tj-user')[0]).toMatchObject({ password: s.password, inboundId: trojan });
  });

  it('updates with a full client that keeps the fields we do not manage', async () => {
    const s = spec('bob');
    await adapter.ensureClient(s);
    sim.patchClient('bob', { tgId: 424242, comment: 'vip customer', reset: 30 });
    const res = await adapter.ensureClient({ ...s, trafficLimitBytes: 20 * GiB, deviceLimit: 3 });
    expect(res.action).toBe('updated');
    expect(res.client).toMatchObject({ trafficLimitBytes: 20 * GiB, deviceLimit: 3 });
    const [entry] = entriesOf('bob');
    expect(entry).toMatchObject({ tgId: 424242, comment: 'vip customer', reset: 30, totalGB: 20 * GiB, limitIp: 3, id: s.uuid });
    expect(entriesOf('bob')).toHaveLength(1);
  });

  it('creates the client exactly once when the create response is lost', async () => {
    sim.server.injectFault({ fault: { kind: 'lost-reply' }, match: { method: 'POST', pathIncludes: addPath } });
    const s = spec('lost-create');
    const res = await adapter.ensureClient(s);
    expect(res.action).toBe('created');
    expect(res.client.uuid).toBe(s.uuid);
    expect(entriesOf('lost-create')).toHaveLength(1);
    expect(sim.server.requestCount({ method: 'POST', pathIncludes: addPath })).toBeGreaterThanOrEqual(1);
    await adapter.ensureClient(s);
    expect(entriesOf('lost-create')).toHaveLength(1);
  });

  it('treats an empty 200 from the create as "look it up", not as a failure to retry blindly', async () => {
    sim.server.injectFault({ fault: { kind: 'empty' }, match: { method: 'POST', pathIncludes: addPath } });
    const res = await adapter.ensureClient(spec('empty-create'));
    expect(res.action).toBe('created');
    expect(entriesOf('empty-create')).toHaveLength(1);
  });

  it('retries a read and an idempotent update answered with an empty 200 inside the call', async () => {
    await adapter.ensureClient(spec('empty-read'));
    sim.server.injectFault({ fault: { kind: 'empty' }, times: 2, match: { method: 'GET' } });
    expect((await adapter.getClient('empty-read'))?.name).toBe('empty-read');
    sim.server.injectFault({ fault: { kind: 'empty' }, times: 1, match: { method: 'POST' } });
    await adapter.setEnabled('empty-read', false);
    expect(entriesOf('empty-read')).toHaveLength(1);
    expect(entriesOf('empty-read')[0].enable).toBe(false);
  });

  it('retries a read after a 5xx and succeeds', async () => {
    await adapter.ensureClient(spec('five-hundred'));
    sim.server.injectFault({ fault: { kind: 'status', status: 502 }, times: 1 });
    const got = await adapter.getClient('five-hundred');
    expect(got?.name).toBe('five-hundred');
  });

  it('logs in again once when the session expires mid-run and the operation succeeds', async () => {
    await adapter.ensureClient(spec('expiry-run'));
    sim.server.resetCounters();
    sim.clock.advance(61_000);
    const got = await adapter.getClient('expiry-run');
    expect(got?.name).toBe('expiry-run');
    expect(sim.server.requestCount({ method: 'POST', pathIncludes: '/login' })).toBe(1);

    sim.expireSessions();
    sim.server.resetCounters();
    await adapter.setEnabled('expiry-run', false);
    expect(sim.server.requestCount({ method: 'POST', pathIncludes: '/login' })).toBe(1);
    expect(entriesOf('expiry-run')[0].enable).toBe(false);
  });

  it('logs in once for a burst of concurrent operations after the session expired', async () => {
    await adapter.detect();
    await adapter.getClient('alice');
    sim.expireSessions();
    sim.server.resetCounters();
    const names = Array.from({ length: 8 }, (_, i) => `burst-${i}`);
    const results = await Promise.all(names.map((n) => adapter.ensureClient(spec(n))));
    expect(results.map((r) => r.action)).toEqual(names.map(() => 'created'));
    expect(sim.server.requestCount({ method: 'POST', pathIncludes: '/login' })).toBe(1);
    for (const n of names) expect(entriesOf(n)).toHaveLength(1);
  });

  it('refuses wrong credentials with PANEL_AUTH_FAILED and no secret in the error', async () => {
    const bad = newAdapter({ password: 'wrong-password-123' });
    const err = await caught(bad.listInbounds());
    expect(err.code).toBe('PANEL_AUTH_FAILED');
    expect(JSON.stringify({ m: err.message, p: err.panelMessage, d: err.details })).not.toContain('wrong-password-123');
  });

  if (v3) {
    it('authenticates with a Bearer token alone and never calls login', async () => {
      const bearer = newAdapter({ username: undefined, password: undefined, apiToken: TOKEN });
      sim.server.resetCounters();
      const res = await bearer.ensureClient(spec('bearer-user'));
      expect(res.action).toBe('created');
      await bearer.setEnabled('bearer-user', false);
      expect((await bearer.getClient('bearer-user'))?.enabled).toBe(false);
      expect(sim.server.requestCount({ pathIncludes: '/login' })).toBe(0);
      // 3.0.x shows its version only on the cookie-session panel page (or via a GitHub-backed update check).
      expect((await bearer.detect()).version).toBe(profile === 'G5' ? '3.0.x' : sim.version);
    });

    it('reports an invalid Bearer token (a bare 404 on the panel) as PANEL_AUTH_FAILED', async () => {
      const bad = newAdapter({ username: undefined, password: undefined, apiToken: 'not-a-valid-token' });
      const err = await caught(bad.listInbounds());
      expect(err.code).toBe('PANEL_AUTH_FAILED');
      expect(JSON.stringify(err)).not.toContain('not-a-valid-token');
    });

    it('sends the CSRF token with cookie POSTs (the panel answers 403 without it)', async () => {
      const base = sim.url;
      const tokenRes = await fetch(`${base}csrf-token`);
      const cookie = (tokenRes.headers.get('set-cookie') ?? '').split(';')[0];
      const csrf = ((await tokenRes.json()) as { obj: string }).obj;
      const login = await fetch(`${base}login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify({ username: sim.username, password: sim.password }),
      });
      const session = (login.headers.get('set-cookie') ?? '').split(';')[0];
      const path = clientRoutes ? 'panel/api/clients/onlines' : 'panel/api/inbounds/onlines';
      const without = await fetch(`${base}${path}`, { method: 'POST', headers: { cookie: session } });
      expect(without.status).toBe(403);
      expect(await without.text()).toBe('');
      const withToken = await fetch(`${base}${path}`, { method: 'POST', headers: { cookie: session, 'x-csrf-token': csrf } });
      expect(withToken.status).toBe(200);
      // And the adapter's own cookie POSTs go through.
      await adapter.ensureClient(spec('csrf-user'));
      await adapter.setEnabled('csrf-user', false);
      expect(entriesOf('csrf-user')[0].enable).toBe(false);
    });

    it('puts one email on several inbounds with one subId', async () => {
      const s = spec('multi', { inboundIds: [String(vless), String(trojan)] });
      const res = await adapter.ensureClient(s);
      expect(res.client.inboundIds.sort()).toEqual([String(vless), String(trojan)].sort());
      const entries = entriesOf('multi');
      expect(entries).toHaveLength(2);
      expect(new Set(entries.map((e) => e.subId))).toEqual(new Set(['multi']));
      expect((await adapter.ensureClient(s)).action).toBe('unchanged');
      const moved = await adapter.ensureClient({ ...s, inboundIds: [String(trojan)] });
      expect(moved.client.inboundIds).toEqual([String(trojan)]);
      expect(entriesOf('multi')).toHaveLength(1);
    });
  } else {
    it('refuses a spec with several inbounds (one inbound per email before 3.0)', async () => {
      const err = await caught(adapter.ensureClient(spec('multi', { inboundIds: [String(vless), String(trojan)] })));
      expect(err.code).toBe('PANEL_REJECTED');
      expect(entriesOf('multi')).toHaveLength(0);
    });

    it('moves a client to another inbound', async () => {
      const s = spec('mover');
      await adapter.ensureClient(s);
      const moved = await adapter.ensureClient({ ...s, inboundIds: [String(trojan)] });
      expect(moved.client.inboundIds).toEqual([String(trojan)]);
      expect(entriesOf('mover')).toEqual([expect.objectContaining({ inboundId: trojan, password: s.password })]);
    });
  }

  if (!clientRoutes) {
    it('answers settings sent as an object with the misleading binding error (simulator fidelity)', async () => {
      const headers = await rawSession(sim);
      const res = await fetch(`${sim.url}panel/api/inbounds/addClient`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ id: vless, settings: { clients: [{ id: randomUUID(), email: 'as-object' }] } }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { success: boolean; msg: string };
      expect(body.success).toBe(false);
      expect(body.msg).toContain('json: cannot unmarshal object into Go struct field Inbound.settings of type string');
      expect(body.msg.startsWith(profile === 'G2' ? 'Update Failed: ' : 'Inbound has been successfully updated. (')).toBe(true);
      expect(entriesOf('as-object')).toHaveLength(0);
    });
  } else {
    it('finds the classic client routes gone (404) on 3.1+ (simulator fidelity)', async () => {
      const headers = await rawSession(sim);
      const res = await fetch(`${sim.url}panel/api/inbounds/addClient`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ id: vless, settings: JSON.stringify({ clients: [{ id: randomUUID(), email: 'classic' }] }) }),
      });
      expect(res.status).toBe(404);
    });
  }

  it('creates a disabled client and toggles it with setEnabled', async () => {
    const res = await adapter.ensureClient(spec('toggler', { enabled: false }));
    expect(res.client.enabled).toBe(false);
    await adapter.setEnabled('toggler', true);
    expect((await adapter.getClient('toggler'))?.enabled).toBe(true);
    await adapter.setEnabled('toggler', false);
    expect((await adapter.getClient('toggler'))?.enabled).toBe(false);
    expect(entriesOf('toggler')).toHaveLength(1);
  });

  it('resets the traffic counters of a client', async () => {
    await adapter.ensureClient(spec('resetter'));
    sim.setTraffic('resetter', 1000, 5000);
    expect(await adapter.getClient('resetter')).toMatchObject({ upBytes: 1000, downBytes: 5000 });
    await adapter.resetTraffic('resetter');
    expect(await adapter.getClient('resetter')).toMatchObject({ upBytes: 0, downBytes: 0, enabled: true });
  });

  it('re-enables a client the panel disabled at its quota when its traffic is reset, and keeps a deliberate disable', async () => {
    const s = spec('renewed', { trafficLimitBytes: 1000 });
    await adapter.ensureClient(s);
    sim.setTraffic('renewed', 600, 600);
    sim.tick();
    expect((await adapter.getClient('renewed'))?.enabled).toBe(false);
    // A renewal with the same limits: nothing to update, the reset must bring the client back.
    expect((await adapter.ensureClient(s)).action).toBe('unchanged');
    await adapter.resetTraffic('renewed');
    expect(await adapter.getClient('renewed')).toMatchObject({ enabled: true, upBytes: 0, downBytes: 0 });
    expect(entriesOf('renewed').every((e) => e.enable === true)).toBe(true);
    await adapter.ensureClient({ ...s, enabled: false });
    sim.setTraffic('renewed', 10, 10);
    await adapter.resetTraffic('renewed');
    expect(await adapter.getClient('renewed')).toMatchObject({ enabled: false, upBytes: 0, downBytes: 0 });
    expect(entriesOf('renewed').every((e) => e.enable === false)).toBe(true);
  });

  it('gives a Shadowsocks-2022 inbound a valid key derived from the password, stable across runs', async () => {
    const s = spec('ss-derived', { inboundIds: [String(shadowsocks)], password: 'not-a-base64-key' });
    const first = await adapter.ensureClient(s);
    const key = entriesOf('ss-derived')[0].password as string;
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(Buffer.from(key, 'base64').toString('base64')).toBe(key);
    // The derived key is not the client's password, so it is not reported as one.
    expect(first.client.password).toBeNull();
    expect((await adapter.ensureClient(s)).action).toBe('unchanged');
    expect(entriesOf('ss-derived')[0].password).toBe(key);
    const [link] = await adapter.getLinks('ss-derived');
    expect(Buffer.from(decodeURIComponent(link.slice('ss://'.length, link.indexOf('@'))), 'base64').toString('utf8')).toContain(`:${key}`);
  });

  if (clientRoutes) {
    it('sends the record back re-typed for model.Client (3.5+ allowedIPs text becomes a list)', async () => {
      const s = spec('wg-fields');
      await adapter.ensureClient(s);
      sim.patchClient('wg-fields', { allowedIPs: ['10.0.0.2/32', '10.0.0.3/32'], keepAlive: 25 });
      await adapter.setEnabled('wg-fields', false);
      expect(entriesOf('wg-fields')[0]).toMatchObject({ enable: false, allowedIPs: ['10.0.0.2/32', '10.0.0.3/32'], keepAlive: 25 });
      const res = await adapter.ensureClient({ ...s, trafficLimitBytes: 3 * GiB });
      expect(res.action).toBe('updated');
      expect(entriesOf('wg-fields')[0]).toMatchObject({ totalGB: 3 * GiB, allowedIPs: ['10.0.0.2/32', '10.0.0.3/32'] });
    });
  }

  it('reflects growing counters and the panel auto-disabling a client at its quota', async () => {
    const s = spec('grower', { trafficLimitBytes: 1000 });
    await adapter.ensureClient(s);
    sim.setOnline('grower', { up: 100, down: 200 });
    sim.tick();
    expect(await adapter.getClient('grower')).toMatchObject({ upBytes: 100, downBytes: 200, enabled: true });
    sim.tick();
    sim.tick();
    sim.tick();
    const depleted = await adapter.getClient('grower');
    expect(depleted).toMatchObject({ upBytes: 400, downBytes: 800, enabled: false });
    const usage = (await adapter.listUsage()).find((u) => u.name === 'grower');
    expect(usage).toMatchObject({ upBytes: 400, downBytes: 800, enabled: false, trafficLimitBytes: 1000 });
    // Same spec: the panel's own depletion is not fought with an update.
    expect((await adapter.ensureClient(s)).action).toBe('unchanged');
    // A raised quota re-enables it.
    const raised = await adapter.ensureClient({ ...s, trafficLimitBytes: 10 * GiB });
    expect(raised.action).toBe('updated');
    expect(raised.client.enabled).toBe(true);
    sim.setOnline('grower', null);
  });

  it('reflects expiry reached on the panel clock', async () => {
    await adapter.ensureClient(spec('expirer', { expiresAt: new Date(sim.clock.now() + 5_000) }));
    sim.clock.advance(6_000);
    sim.tick();
    expect((await adapter.getClient('expirer'))?.enabled).toBe(false);
  });

  it('deletes a client, and deleting a missing client succeeds', async () => {
    await adapter.ensureClient(spec('doomed'));
    await adapter.deleteClient('doomed');
    expect(entriesOf('doomed')).toHaveLength(0);
    expect(await adapter.getClient('doomed')).toBeNull();
    await expect(adapter.deleteClient('doomed')).resolves.toBeUndefined();
    await expect(adapter.deleteClient('never-existed')).resolves.toBeUndefined();
    expect(sim.state().clientStats.some((r) => r.email === 'doomed')).toBe(false);
  });

  it('deletes the last client of an inbound without touching the inbound settings', async () => {
    await adapter.ensureClient(spec('alone', { inboundIds: [String(spare)] }));
    await adapter.deleteClient('alone');
    const ib = sim.state().inbounds.find((i) => i.id === spare);
    expect(ib).toMatchObject({ port: 2443, protocol: 'vless', enable: true, remark: 'spare' });
    expect(entriesOf('alone')).toHaveLength(0);
  });

  it('lists inbounds and clients', async () => {
    const inbounds = await adapter.listInbounds();
    expect(inbounds).toEqual(
      expect.arrayContaining([
        { remoteId: String(vless), tag: 'inbound-443', protocol: 'vless', port: 443, remark: 'vless-tls', enabled: true },
        expect.objectContaining({ remoteId: String(trojan), protocol: 'trojan', port: 8443 }),
      ]),
    );
    const s = spec('listed');
    await adapter.ensureClient(s);
    const all = await adapter.listClients();
    expect(all.find((c) => c.name === 'listed')).toMatchObject({ uuid: s.uuid, trafficLimitBytes: 10 * GiB, inboundIds: [String(vless)] });
  });

  it('builds the same share links the panel subscription serves', async () => {
    await adapter.ensureClient(spec('linked', { subId: 'linked-sub' }));
    await adapter.ensureClient(spec('linked-tj', { subId: 'linked-tj-sub', inboundIds: [String(trojan)] }));
    await adapter.ensureClient(spec('linked-vm', { subId: 'linked-vm-sub', inboundIds: [String(vmess)] }));
    await adapter.ensureClient(
      spec('linked-ss', { subId: 'linked-ss-sub', inboundIds: [String(shadowsocks)], password: randomBytes(32).toString('base64') }),
    );
    for (const [name, subId] of [
      ['linked', 'linked-sub'],
      ['linked-tj', 'linked-tj-sub'],
      ['linked-vm', 'linked-vm-sub'],
      ['linked-ss', 'linked-ss-sub'],
    ]) {
      const links = await adapter.getLinks(name);
      const res = await fetch(`${sim.subUrl}${subId}`);
      expect(res.status).toBe(200);
      const served = Buffer.from(await res.text(), 'base64').toString('utf8').split('\n').filter((l) => l !== '');
      expect(links).toEqual(served);
    }
    const [vlessLink] = await adapter.getLinks('linked');
    expect(vlessLink).toMatch(/^vless:\/\/[0-9a-f-]{36}@127\.0\.0\.1:443\?/);
    expect(vlessLink).toContain('security=tls');
    expect(vlessLink).toContain('sni=vpn.example.com');
    expect(vlessLink.endsWith('#vless-tls-linked')).toBe(true);
    const [vmLink] = await adapter.getLinks('linked-vm');
    expect(JSON.parse(Buffer.from(vmLink.slice('vmess://'.length), 'base64').toString('utf8'))).toMatchObject({
      add: '127.0.0.1',
      port: 9443,
      net: 'ws',
      path: '/vm',
      host: 'cdn.example.com',
      tls: 'tls',
      sni: 'vm.example.com',
      ps: 'vmess ws-linked-vm',
    });
    expect((await adapter.getLinks('linked-ss'))[0]).toMatch(/^ss:\/\/[A-Za-z0-9+/=]+@127\.0\.0\.1:8388\?type=tcp#ss-linked-ss$/);
    expect(await adapter.getLinks('nobody')).toEqual([]);
  });

  it('reports health without throwing, also when the panel is down', async () => {
    const health = await adapter.health();
    expect(health).toMatchObject({ ok: true, version: sim.version });
    const down = newAdapter({ baseUrl: 'http://127.0.0.1:9/xui-panel/' });
    const bad = await down.health();
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/^PANEL_/);
  });

  it('pulls the usage of 1,000 clients in at most 2 requests', async () => {
    const seedInbound = sim.addInbound({ protocol: 'vless', port: 3443, remark: 'bulk' });
    sim.seedClients(seedInbound, Array.from({ length: 1000 }, (_, i) => ({ email: `bulk-${i}`, up: i, down: 2 * i })));
    await adapter.detect();
    await adapter.getClient('alice');
    sim.server.resetCounters();
    const usage = await adapter.listUsage();
    expect(sim.server.requestCount()).toBeLessThanOrEqual(2);
    const bulk = usage.filter((u) => u.name.startsWith('bulk-'));
    expect(bulk).toHaveLength(1000);
    expect(bulk.find((u) => u.name === 'bulk-999')).toMatchObject({ upBytes: 999, downBytes: 1998, enabled: true });
  });
});

describe('XuiAdapter version gate', () => {
  it('refuses a panel older than 2.0 with PANEL_VERSION_UNSUPPORTED naming the version', async () => {
    const sim = await startXuiSimulator({ profile: 'G2', version: '1.8.1', basePath: '/old/' });
    const adapter = new XuiAdapter({ serverId: 'old', kind: 'XUI', baseUrl: sim.url, username: 'admin', password: 'admin' }, FAST);
    try {
      const err = await caught(adapter.detect());
      expect(err.code).toBe('PANEL_VERSION_UNSUPPORTED');
      expect(err.panelMessage).toContain('1.8.1');
      expect(err.retryable).toBe(false);
    } finally {
      await adapter.close();
      await sim.close();
    }
  });

  it('reports a wrong web base path as a refusal, not as a missing version', async () => {
    const sim = await startXuiSimulator({ profile: 'G4', basePath: '/right/' });
    const adapter = new XuiAdapter({ serverId: 'wrong', kind: 'XUI', baseUrl: `${sim.server.url}/wrong/`, username: 'admin', password: 'admin' }, FAST);
    try {
      const err = await caught(adapter.detect());
      expect(err.code).toBe('PANEL_REJECTED');
      expect(err.panelMessage).toMatch(/base path/);
    } finally {
      await adapter.close();
      await sim.close();
    }
  });
});

describe('XuiAdapter version detection on real-panel variations', () => {
  interface Case {
    title: string;
    opts: Partial<XuiSimulatorOptions> & Pick<XuiSimulatorOptions, 'profile'>;
    auth: 'password' | 'token';
    version: string;
    profile: XuiProfile;
    clientRoutes: boolean;
  }
  const cases: Case[] = [
    { title: '3.0.0 with a token alone reads __X_UI_CUR_VER__ on the login page', opts: { profile: 'G5', version: '3.0.0' }, auth: 'token', version: '3.0.0', profile: 'G5', clientRoutes: false },
    { title: '3.0.0 with a password reads it on the panel page', opts: { profile: 'G5', version: '3.0.0' }, auth: 'password', version: '3.0.0', profile: 'G5', clientRoutes: false },
    { title: '3.0.2 with a token alone and no update check probes the routes', opts: { profile: 'G5' }, auth: 'token', version: '3.0.x', profile: 'G5', clientRoutes: false },
    { title: '3.0.2 with a token alone on a build without the update-check route (404) probes the routes', opts: { profile: 'G5', updateInfoRoute: false }, auth: 'token', version: '3.0.x', profile: 'G5', clientRoutes: false },
    { title: '3.0.1 with a token alone on a build without the update-check route (404) probes the routes', opts: { profile: 'G5', version: '3.0.1', updateInfoRoute: false }, auth: 'token', version: '3.0.x', profile: 'G5', clientRoutes: false },
    { title: '3.1 with a token alone reads panelVersion from server/status', opts: { profile: 'G6', version: '3.1.0', updateInfoRoute: false }, auth: 'token', version: '3.1.0', profile: 'G6', clientRoutes: true },
    { title: '3.6 before its first status sample with a token alone and no update-check route (404) probes clients/*', opts: { profile: 'G6', statusSampled: false, updateInfoRoute: false }, auth: 'token', version: '3.1+', profile: 'G6', clientRoutes: true },
    { title: '3.6 before its first status sample reads the panel page', opts: { profile: 'G6', statusSampled: false }, auth: 'password', version: '3.6.0', profile: 'G6', clientRoutes: true },
    { title: '3.6 before its first status sample with a token alone probes clients/*', opts: { profile: 'G6', statusSampled: false }, auth: 'token', version: '3.1+', profile: 'G6', clientRoutes: true },
    { title: '3.6 dev build reporting dev+<commit>', opts: { profile: 'G6', devBuildCommit: '1a2b3c4d5e6f7a8b' }, auth: 'password', version: 'dev+1a2b3c4d', profile: 'G6', clientRoutes: true },
    { title: '3.3 (record not re-enabled by a reset)', opts: { profile: 'G6', version: '3.3.0' }, auth: 'password', version: '3.3.0', profile: 'G6', clientRoutes: true },
    { title: '2.8.3 behind a proxy that strips the version probes server/status', opts: { profile: 'G3', pageVersionHidden: true }, auth: 'password', version: '2.x', profile: 'G3', clientRoutes: false },
    { title: '2.3.5 behind a proxy that strips the version falls back to POST server/status', opts: { profile: 'G2', pageVersionHidden: true }, auth: 'password', version: '2.x', profile: 'G2', clientRoutes: false },
  ];

  it.each(cases)('$title', async ({ opts, auth, version, profile, clientRoutes }) => {
    const sim = await startXuiSimulator({ basePath: '/detect/', apiTokens: [TOKEN], sub: { showInfo: false }, ...opts });
    const inbound = sim.addInbound({ protocol: 'vless', port: 443, remark: 'main' });
    sim.seedClients(inbound, [{ email: 'filler-a' }, { email: 'filler-b' }]);
    const conn: PanelConnection =
      auth === 'token'
        ? { serverId: 'detect', kind: 'XUI', baseUrl: sim.url, apiToken: TOKEN }
        : { serverId: 'detect', kind: 'XUI', baseUrl: sim.url, username: sim.username, password: sim.password };
    const adapter = new XuiAdapter(conn, FAST);
    try {
      const info = await adapter.detect();
      expect(info).toMatchObject({ version, profile, capabilities: { clientRoutes, deviceLimit: true } });
      const s: ClientSpec = {
        name: 'probe-user',
        uuid: randomUUID(),
        password: randomBytes(12).toString('hex'),
        enabled: true,
        trafficLimitBytes: 1000,
        expiresAt: new Date(sim.clock.now() + 30 * DAY),
        deviceLimit: 1,
        inboundIds: [String(inbound)],
      };
      expect((await adapter.ensureClient(s)).action).toBe('created');
      expect(await adapter.getLinks('probe-user')).toHaveLength(1);
      sim.setTraffic('probe-user', 700, 700);
      sim.tick();
      expect((await adapter.getClient('probe-user'))?.enabled).toBe(false);
      await adapter.resetTraffic('probe-user');
      expect(await adapter.getClient('probe-user')).toMatchObject({ enabled: true, upBytes: 0 });
      await adapter.setEnabled('probe-user', false);
      expect((await adapter.getClient('probe-user'))?.enabled).toBe(false);
      await adapter.deleteClient('probe-user');
      expect(await adapter.getClient('probe-user')).toBeNull();
      expect(await adapter.health()).toMatchObject({ ok: true, version });
    } finally {
      await adapter.close();
      await sim.close();
    }
  });

  it('finds the version in every page style the releases use', () => {
    expect(versionInPage('<link rel="stylesheet" href="/p/assets/css/custom.min.css?2.8.11">')).toBe('2.8.11');
    expect(versionInPage('<link rel="stylesheet" href="/assets/css/custom.css?2.1.3">')).toBe('2.1.3');
    expect(versionInPage('<script>window.__X_UI_BASE_PATH__="/";window.__X_UI_CUR_VER__="3.0.0";</script>')).toBe('3.0.0');
    expect(versionInPage('<script nonce="n">window.X_UI_BASE_PATH="/x/";window.X_UI_CUR_VER="3.2.7";</script>')).toBe('3.2.7');
    expect(versionInPage('<script>window.X_UI_BASE_PATH="/x/";</script>')).toBeUndefined();
    expect(parseVersion('v3.1.0')).toBe('3.1.0');
    expect(parseVersion('2.9')).toBe('2.9.0');
    expect(parseVersion('dev+1a2b3c4d')).toBeUndefined();
  });
});

describe('XuiAdapter share links across 2.x releases', () => {
  it.each(['2.3.5', '2.7.0', '2.8.5', '2.8.9', '2.9.4'])('builds what the %s subscription serves (listen address, allowInsecure, header host)', async (version) => {
    const profile: XuiProfile = version < '2.7' ? 'G2' : version < '2.8.4' ? 'G3' : 'G4';
    const sim = await startXuiSimulator({ profile, version, basePath: '/links/', sub: { showInfo: false } });
    const tls = sim.addInbound({
      protocol: 'vless',
      port: 443,
      listen: '198.51.100.7',
      remark: 'tls',
      settings: { clients: [], decryption: 'none', encryption: '', fallbacks: [] },
      streamSettings: { network: 'tcp', security: 'tls', tlsSettings: { serverName: 'a.example.com', settings: { allowInsecure: true, fingerprint: 'chrome' } } },
    });
    const vm = sim.addInbound({
      protocol: 'vmess',
      port: 8443,
      remark: 'vm',
      streamSettings: {
        network: 'ws',
        security: 'tls',
        wsSettings: { path: '/vm', host: 'field.example.com', headers: { Host: 'header.example.com' } },
        tlsSettings: { serverName: 'b.example.com', settings: { allowInsecure: false } },
      },
    });
    sim.seedClients(tls, [{ email: 'filler-tls' }]);
    sim.seedClients(vm, [{ email: 'filler-vm' }]);
    const adapter = new XuiAdapter({ serverId: 'links', kind: 'XUI', baseUrl: sim.url, username: sim.username, password: sim.password }, FAST);
    try {
      for (const [name, id] of [
        ['link-tls', tls],
        ['link-vm', vm],
      ] as const) {
        await adapter.ensureClient({
          name,
          uuid: randomUUID(),
          password: randomBytes(12).toString('hex'),
          enabled: true,
          trafficLimitBytes: 0,
          expiresAt: null,
          deviceLimit: 0,
          inboundIds: [String(id)],
        });
        const served = Buffer.from(await (await fetch(`${sim.subUrl}${name}`)).text(), 'base64').toString('utf8').split('\n').filter((l) => l !== '');
        expect(await adapter.getLinks(name)).toEqual(served);
      }
    } finally {
      await adapter.close();
      await sim.close();
    }
  });
});
