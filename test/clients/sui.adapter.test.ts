import { randomUUID } from 'node:crypto';
import { PanelError } from '../../src/clients/panel-error';
import type { PanelHttpOptions } from '../../src/clients/panel-http';
import type { ClientSpec, PanelConnection } from '../../src/clients/panel.types';
import { SuiAdapter } from '../../src/clients/sui.adapter';
import { SimClock } from '../../src/simulators/shared/sim-http';
import { startSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/sui.simulator';

const GB = 1024 ** 3;

// Fast transport for tests: tiny backoff, no real waiting.
const FAST_HTTP: Partial<PanelHttpOptions> = {
  maxRetries: 2,
  baseDelayMs: 1,
  maxDelayMs: 2,
  headersTimeoutMs: 3000,
  bodyTimeoutMs: 3000,
  sleep: async () => undefined,
};

async function caught(p: Promise<unknown>): Promise<PanelError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PanelError) return err;
    throw err;
  }
  throw new Error('expected a PanelError');
}

let seq = 0;
function uniqueName(prefix: string): string {
  seq += 1;
  return `${prefix}-${seq}`;
}

describe.each(['1.2', '1.3', '1.4', '1.5'] as const)('SuiAdapter against S-UI %s', (profile) => {
  let sim: SuiSimulator;
  let clock: SimClock;
  let vlessId: string;
  let trojanId: string;
  let hy2Id: string;
  const adapters: SuiAdapter[] = [];

  const conn = (mode: 'session' | 'token', over: Partial<PanelConnection> = {}): PanelConnection => ({
    serverId: `sui-${profile}`,
    kind: 'SUI',
    baseUrl: sim.url,
    ...(mode === 'session' ? { username: sim.username, password: sim.password } : { apiToken: sim.token }),
    ...over,
  });
  const adapter = (mode: 'session' | 'token' = 'session', over: Partial<PanelConnection> = {}): SuiAdapter => {
    const a = new SuiAdapter(conn(mode, over), FAST_HTTP);
    adapters.push(a);
    return a;
  };
  const spec = (over: Partial<ClientSpec> = {}): ClientSpec => ({
    name: uniqueName('c'),
    uuid: randomUUID(),
    password: `pw-${randomUUID().slice(0, 8)}`,
    enabled: true,
    trafficLimitBytes: 10 * GB,
    expiresAt: new Date(clock.now() + 30 * 86_400_000),
    deviceLimit: 2,
    inboundIds: [vlessId, trojanId],
    ...over,
  });
  const rowsNamed = (name: string) => sim.state().clients.filter((c) => c.name === name);

  beforeAll(async () => {
    clock = new SimClock(Date.UTC(2026, 0, 10, 12, 0, 0));
    sim = await startSuiSimulator({ profile, clock, sessionMaxAgeMs: 10 * 60_000 });
    vlessId = String(sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 }).id);
    trojanId = String(sim.addInbound({ type: 'trojan', tag: 'trojan-8443', listen_port: 8443 }).id);
    hy2Id = String(sim.addInbound({ type: 'hysteria2', tag: 'hy2-9443', listen_port: 9443 }).id);
  });

  afterEach(async () => {
    sim.server.clearFaults();
    await Promise.all(adapters.splice(0).map((a) => a.close()));
  });

  afterAll(async () => {
    await sim.close();
  });

  it('detects the version from status?r=sys and reports the capabilities', async () => {
    const info = await adapter().detect();
    expect(info).toEqual({
      kind: 'SUI',
      version: sim.version,
      profile,
      capabilities: { apiToken: true, csrf: false, clientRoutes: false, deviceLimit: false },
    });
  });

  it('reports health with the version and never throws when the panel is unreachable', async () => {
    const h = await adapter('token').health();
    expect(h).toMatchObject({ ok: true, version: sim.version });
    expect(h.latencyMs).toBeGreaterThanOrEqual(0);
    const dead = adapter('session', { baseUrl: 'http://127.0.0.1:9/app/' });
    const bad = await dead.health();
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/PANEL_UNAVAILABLE/);
  });

  it('lists the inbounds with their numeric ids', async () => {
    const inbounds = await adapter().listInbounds();
    expect(inbounds).toEqual([
      { remoteId: vlessId, tag: 'vless-443', protocol: 'vless', port: 443, remark: 'vless-443', enabled: true },
      { remoteId: trojanId, tag: 'trojan-8443', protocol: 'trojan', port: 8443, remark: 'trojan-8443', enabled: true },
      { remoteId: hy2Id, tag: 'hy2-9443', protocol: 'hysteria2', port: 9443, remark: 'hy2-9443', enabled: true },
    ]);
  });

  it.each(['session', 'token'] as const)('creates a client in panel units with a config for every protocol (%s auth)', async (mode) => {
    const a = adapter(mode);
    const s = spec();
    const res = await a.ensureClient(s);
    expect(res.action).toBe('created');
    expect(res.client).toMatchObject({
      name: s.name,
      uuid: s.uuid,
      password: s.password,
      enabled: true,
      trafficLimitBytes: 10 * GB,
      expiresAt: new Date(Math.floor(s.expiresAt!.getTime() / 1000) * 1000),
      deviceLimit: 0,
      inboundIds: [vlessId, trojanId],
      upBytes: 0,
      downBytes: 0,
    });
    const rows = rowsNamed(s.name);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row.expiry).toBe(Math.floor(s.expiresAt!.getTime() / 1000));
    expect(row.volume).toBe(10 * GB);
    const config = row.config as Record<string, Record<string, unknown>>;
    for (const proto of ['vless', 'vmess', 'trojan', 'shadowsocks', 'shadowsocks16', 'hysteria2', 'tuic', 'anytls']) {
      expect(config[proto].name).toBe(s.name);
    }
    expect(config.vless.uuid).toBe(s.uuid);
    expect(config.trojan.password).toBe(s.password);
    expect(config.mixed.username).toBe(s.name);
    const links = (row.links as Array<{ type: string; uri: string }>).map((l) => l.uri);
    expect(links).toEqual([expect.stringMatching(`^vless://${s.uuid}@`), expect.stringMatching(`^trojan://${s.password}@`)]);
    expect(await a.getLinks(s.name)).toEqual(links);
  });

  it.each(['session', 'token'] as const)('runs every operation through the %s API', async (mode) => {
    sim.server.resetCounters();
    const a = adapter(mode);
    const s = spec();
    expect((await a.detect()).version).toBe(sim.version);
    expect((await a.health()).ok).toBe(true);
    expect(await a.listInbounds()).toHaveLength(3);
    expect((await a.ensureClient(s)).action).toBe('created');
    expect((await a.ensureClient({ ...s, enabled: false })).action).toBe('updated');
    await a.setEnabled(s.name, true);
    sim.setTraffic(s.name, 10, 20);
    expect(await a.getClient(s.name)).toMatchObject({ enabled: true, upBytes: 10, downBytes: 20 });
    await a.resetTraffic(s.name);
    expect((await a.listUsage()).find((u) => u.name === s.name)).toMatchObject({ upBytes: 0, downBytes: 0 });
    expect((await a.listClients()).filter((c) => c.name === s.name)).toHaveLength(1);
    expect(await a.getLinks(s.name)).toHaveLength(2);
    await a.deleteClient(s.name);
    expect(await a.getClient(s.name)).toBeNull();
    const prefix = mode === 'token' ? '/apiv2/' : '/api/';
    expect(sim.server.requestCount({ pathIncludes: mode === 'token' ? '/api/' : '/apiv2/' })).toBe(0);
    expect(sim.server.requestCount({ pathIncludes: prefix })).toBeGreaterThan(0);
  });

  it('reports an unhealthy panel when the credentials are refused', async () => {
    const h = await adapter('session', { password: 'nope' }).health();
    expect(h).toMatchObject({ ok: false, error: 'PANEL_AUTH_FAILED: wrong user or password' });
  });

  it('leaves an identical client unchanged without writing', async () => {
    const a = adapter();
    const s = spec();
    await a.ensureClient(s);
    sim.server.resetCounters();
    const res = await a.ensureClient(s);
    expect(res.action).toBe('unchanged');
    expect(sim.server.requestCount({ method: 'POST', pathIncludes: '/save' })).toBe(0);
  });

  it('updates the managed fields and keeps desc, group, remark and external links it does not manage', async () => {
    const a = adapter('token');
    const s = spec();
    await a.ensureClient(s);
    const external = { remark: 'backup', type: 'external', uri: 'trojan://secret@backup.example.com:443#backup' };
    const row = sim.getClientDirect(s.name)!;
    sim.patchClient(s.name, {
      desc: 'vip customer',
      group: 'team-a',
      remark: 'r1',
      links: [...(row.links as unknown[]), external],
      config: { ...(row.config as Record<string, unknown>), vless: { ...(row.config as Record<string, Record<string, unknown>>).vless, flow: 'xtls-rprx-vision' } },
    });
    sim.setTraffic(s.name, 1000, 2000);

    const next = { ...s, trafficLimitBytes: 20 * GB, expiresAt: new Date(clock.now() + 60 * 86_400_000), inboundIds: [trojanId, hy2Id] };
    const res = await a.ensureClient(next);
    expect(res.action).toBe('updated');
    expect(res.client).toMatchObject({ trafficLimitBytes: 20 * GB, inboundIds: [trojanId, hy2Id], upBytes: 1000, downBytes: 2000 });

    const after = sim.getClientDirect(s.name)!;
    expect(after.desc).toBe('vip customer');
    expect(after.group).toBe('team-a');
    if (profile === '1.5') expect(after.remark).toBe('r1');
    expect(after.volume).toBe(20 * GB);
    expect(after.expiry).toBe(Math.floor(next.expiresAt.getTime() / 1000));
    expect(after.inbounds).toEqual([Number(trojanId), Number(hy2Id)]);
    expect(after.up).toBe(1000);
    expect((after.config as Record<string, Record<string, unknown>>).vless.flow).toBe('xtls-rprx-vision');
    const links = after.links as Array<{ type: string; remark: string; uri: string }>;
    expect(links.filter((l) => l.type === 'local').map((l) => l.remark)).toEqual(['trojan-8443', 'hy2-9443']);
    expect(links).toContainEqual(external);
    expect(await a.getLinks(s.name)).toContain(external.uri);
    expect(rowsNamed(s.name)).toHaveLength(1);
  });

  it('writes our uuid and password over credentials changed on the panel', async () => {
    const a = adapter();
    const s = spec();
    await a.ensureClient(s);
    const row = sim.getClientDirect(s.name)!;
    const config = row.config as Record<string, Record<string, unknown>>;
    sim.patchClient(s.name, { config: { ...config, trojan: { name: s.name, password: 'changed' } } });
    const res = await a.ensureClient(s);
    expect(res.action).toBe('updated');
    expect((sim.getClientDirect(s.name)!.config as Record<string, Record<string, unknown>>).trojan.password).toBe(s.password);
  });

  it('creates one client when the same name is ensured concurrently', async () => {
    const a = adapter();
    const s = spec();
    const results = await Promise.all([a.ensureClient(s), a.ensureClient(s), a.ensureClient({ ...s, enabled: false })]);
    expect(results.map((r) => r.action)).toEqual(['created', 'unchanged', 'updated']);
    expect(rowsNamed(s.name)).toHaveLength(1);
    expect(sim.getClientDirect(s.name)!.enable).toBe(false);
  });

  it('gets a client by name and null for a missing one', async () => {
    const a = adapter();
    const s = spec({ expiresAt: null, trafficLimitBytes: 0 });
    await a.ensureClient(s);
    expect(await a.getClient(s.name)).toMatchObject({ name: s.name, expiresAt: null, trafficLimitBytes: 0, enabled: true });
    expect(await a.getClient('nobody-here')).toBeNull();
  });

  it('disables and re-enables a client', async () => {
    const a = adapter('token');
    const s = spec();
    await a.ensureClient(s);
    await a.setEnabled(s.name, false);
    expect(sim.getClientDirect(s.name)!.enable).toBe(false);
    expect((await a.getClient(s.name))!.enabled).toBe(false);
    await a.setEnabled(s.name, true);
    expect(sim.getClientDirect(s.name)!.enable).toBe(true);
    await expect(a.setEnabled('nobody-here', true)).rejects.toMatchObject({ code: 'PANEL_REJECTED' });
  });

  it('resets the traffic of one client only', async () => {
    const a = adapter();
    const s1 = spec();
    const s2 = spec();
    await a.ensureClient(s1);
    await a.ensureClient(s2);
    sim.setTraffic(s1.name, 500, 700);
    sim.setTraffic(s2.name, 5, 7);
    await a.resetTraffic(s1.name);
    const r1 = sim.getClientDirect(s1.name)!;
    expect([r1.up, r1.down]).toEqual([0, 0]);
    if (profile === '1.4' || profile === '1.5') expect([r1.totalUp, r1.totalDown]).toEqual([500, 700]);
    const r2 = sim.getClientDirect(s2.name)!;
    expect([r2.up, r2.down]).toEqual([5, 7]);
  });

  it('deletes a client, and deleting a missing client succeeds', async () => {
    const a = adapter();
    const s = spec();
    await a.ensureClient(s);
    await a.deleteClient(s.name);
    expect(rowsNamed(s.name)).toHaveLength(0);
    await expect(a.deleteClient(s.name)).resolves.toBeUndefined();
    await expect(a.deleteClient('never-existed')).resolves.toBeUndefined();
  });

  it('recreates a client deleted behind its back', async () => {
    const a = adapter();
    const s = spec();
    await a.ensureClient(s);
    sim.deleteClientDirect(s.name);
    expect((await a.ensureClient(s)).action).toBe('created');
    expect(rowsNamed(s.name)).toHaveLength(1);
  });

  it('re-logs in once when the session expires mid-run and the operation succeeds', async () => {
    const a = adapter('session');
    const s = spec();
    await a.ensureClient(s);
    sim.server.resetCounters();
    clock.advance(11 * 60_000);
    expect(await a.getClient(s.name)).not.toBeNull();
    expect(sim.server.requestCount({ pathIncludes: '/api/login' })).toBe(1);
    sim.expireSessions();
    await a.setEnabled(s.name, false);
    expect(sim.getClientDirect(s.name)!.enable).toBe(false);
    expect(sim.server.requestCount({ pathIncludes: '/api/login' })).toBe(2);
  });

  it('refuses wrong credentials and a wrong token with PANEL_AUTH_FAILED', async () => {
    const e1 = await caught(adapter('session', { password: 'wrong-password' }).listUsage());
    expect(e1.code).toBe('PANEL_AUTH_FAILED');
    expect(e1.retryable).toBe(false);
    expect(e1.panelMessage).not.toContain('wrong-password');
    const e2 = await caught(adapter('token', { apiToken: 'x'.repeat(32) }).listUsage());
    expect(e2.code).toBe('PANEL_AUTH_FAILED');
  });

  it('retries an idempotent read after a 5xx and succeeds', async () => {
    const a = adapter('token');
    sim.server.injectFault({ fault: { kind: 'status', status: 502 }, times: 1, match: { method: 'GET', pathIncludes: '/clients' } });
    await expect(a.listUsage()).resolves.toEqual(expect.any(Array));
    sim.server.injectFault({ fault: { kind: 'status', status: 500 }, times: 1, match: { method: 'GET', pathIncludes: '/clients' } });
    const s = spec();
    expect((await a.ensureClient(s)).action).toBe('created');
    expect(rowsNamed(s.name)).toHaveLength(1);
  });

  it('retries a read and an idempotent edit answered with an empty 200 inside the call', async () => {
    const a = adapter('token');
    const s = spec();
    await a.ensureClient(s);
    sim.server.injectFault({ fault: { kind: 'empty' }, times: 2, match: { method: 'GET', pathIncludes: '/clients' } });
    expect((await a.getClient(s.name))?.name).toBe(s.name);
    sim.server.injectFault({ fault: { kind: 'empty' }, times: 1, match: { method: 'POST', pathIncludes: '/save' } });
    await a.setEnabled(s.name, false);
    expect(rowsNamed(s.name)).toHaveLength(1);
    expect(sim.getClientDirect(s.name)!.enable).toBe(false);
  });

  it.each(['lost-reply', 'empty'] as const)('creates the client once when the create response is lost (%s)', async (kind) => {
    const a = adapter();
    await a.detect();
    const s = spec();
    sim.server.injectFault({ fault: { kind }, times: 1, match: { method: 'POST', pathIncludes: '/save' } });
    const res = await a.ensureClient(s);
    expect(res.action).toBe('created');
    expect(res.client.uuid).toBe(s.uuid);
    expect(rowsNamed(s.name)).toHaveLength(1);
    // A second ensure sees it and writes nothing.
    expect((await a.ensureClient(s)).action).toBe('unchanged');
    expect(rowsNamed(s.name)).toHaveLength(1);
  });

  it('does not create when the create failed before reaching the panel and the look-up finds nothing', async () => {
    const a = adapter();
    await a.detect();
    const s = spec();
    sim.server.injectFault({ fault: { kind: 'status', status: 503 }, times: 1, match: { method: 'POST', pathIncludes: '/save' } });
    const err = await caught(a.ensureClient(s));
    expect(err).toMatchObject({ code: 'PANEL_UNAVAILABLE', retryable: true });
    expect(rowsNamed(s.name)).toHaveLength(0);
    expect((await a.ensureClient(s)).action).toBe('created');
    expect(rowsNamed(s.name)).toHaveLength(1);
  });

  it('reflects traffic counters and the automatic disable in getClient', async () => {
    const a = adapter();
    const s = spec({ trafficLimitBytes: 1000 });
    await a.ensureClient(s);
    sim.setTraffic(s.name, 0, 0);
    sim.addTraffic(s.name, 300, 400);
    sim.tick();
    expect(await a.getClient(s.name)).toMatchObject({ upBytes: 300, downBytes: 400, enabled: true });
    sim.setOnline(s.name, { up: 100, down: 200 });
    sim.tick();
    sim.setOnline(s.name, null);
    expect(await a.getClient(s.name)).toMatchObject({ upBytes: 400, downBytes: 600 });
    // The panel disables only when up+down is strictly greater than the volume.
    expect(sim.runDepleteJob()).not.toContain(s.name);
    sim.addTraffic(s.name, 1, 0);
    sim.tick();
    expect(sim.runDepleteJob()).toContain(s.name);
    expect((await a.getClient(s.name))!.enabled).toBe(false);
    const usage = (await a.listUsage()).find((u) => u.name === s.name);
    expect(usage).toMatchObject({ upBytes: 401, downBytes: 600, enabled: false, trafficLimitBytes: 1000 });

    const e = spec({ expiresAt: new Date(clock.now() + 60_000) });
    await a.ensureClient(e);
    clock.advance(2 * 60_000);
    expect(sim.runDepleteJob()).toContain(e.name);
    expect((await a.getClient(e.name))!.enabled).toBe(false);
  });

  it('refuses a JSON body exactly like the real panel', async () => {
    const res = await fetch(`${sim.url}apiv2/save`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', Token: sim.token },
      body: JSON.stringify({ object: 'clients', action: 'new', data: '{}' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: false, msg: 'save: unknown object:  \n', obj: null });
  });

  it('stops the core serving a client on an inbound it was taken off', async () => {
    const a = adapter();
    const s = spec();
    await a.ensureClient(s);
    expect(sim.coreUsers('trojan-8443')).toContain(s.name);
    sim.server.resetCounters();
    expect((await a.ensureClient({ ...s, inboundIds: [vlessId] })).action).toBe('updated');
    expect(sim.coreUsers('trojan-8443')).not.toContain(s.name);
    expect(sim.coreUsers('vless-443')).toContain(s.name);
    expect(sim.getClientDirect(s.name)).toMatchObject({ enable: true, inbounds: [Number(vlessId)] });
    // 1.2.x restarts only the inbounds the row lists afterwards: it takes one extra save there.
    expect(sim.server.requestCount({ method: 'POST', pathIncludes: '/save' })).toBe(profile === '1.2' ? 2 : 1);
  });

  it('takes a disabled client out of the core on every inbound it is on', async () => {
    const a = adapter('token');
    const s = spec();
    await a.ensureClient(s);
    await a.setEnabled(s.name, false);
    expect(sim.coreUsers('vless-443')).not.toContain(s.name);
    expect(sim.coreUsers('trojan-8443')).not.toContain(s.name);
  });

  it('refuses client names the panel cannot carry', async () => {
    const a = adapter();
    for (const name of ['a/b', 'with space', 'quote"d', 'back\\slash', 'tab\tname']) {
      await expect(a.ensureClient(spec({ name }))).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });

  it('lists clients with their full state in a bounded number of requests', async () => {
    const a = adapter('token');
    const s = spec();
    await a.ensureClient(s);
    sim.server.resetCounters();
    const all = await a.listClients();
    expect(sim.server.requestCount()).toBe(2);
    expect(all.length).toBe(sim.state().clients.length);
    expect(all.find((c) => c.name === s.name)).toMatchObject({ uuid: s.uuid, password: s.password, inboundIds: [vlessId, trojanId] });
  });
});

describe('SuiAdapter usage pull', () => {
  it('reads usage of 1,000 clients in at most 2 requests with either auth', async () => {
    const sim = await startSuiSimulator({ profile: '1.5' });
    const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
    sim.seedClients(1000, { inboundIds: [inbound.id] });
    sim.setTraffic('seed-000500', 11, 22);
    try {
      for (const auth of [{ username: sim.username, password: sim.password }, { apiToken: sim.token }]) {
        sim.server.resetCounters();
        const a = new SuiAdapter({ serverId: 'bench', kind: 'SUI', baseUrl: sim.url, ...auth }, FAST_HTTP);
        const usage = await a.listUsage();
        await a.close();
        expect(usage).toHaveLength(1000);
        expect(usage.find((u) => u.name === 'seed-000500')).toMatchObject({ upBytes: 11, downBytes: 22, enabled: true });
        expect(sim.server.requestCount()).toBeLessThanOrEqual(2);
      }
    } finally {
      await sim.close();
    }
  });
});

describe('SuiAdapter against a panel bound to its web domain', () => {
  it('names the web domain setting when the panel refuses the host name with 403', async () => {
    const sim = await startSuiSimulator({ profile: '1.5', webDomain: 'panel.example.com' });
    const a = new SuiAdapter({ serverId: 'domain', kind: 'SUI', baseUrl: sim.url, apiToken: sim.token }, FAST_HTTP);
    try {
      const err = await caught(a.detect());
      expect(err).toMatchObject({ code: 'PANEL_REJECTED', status: 403, retryable: false });
      expect(err.panelMessage).toMatch(/web domain/);
    } finally {
      await a.close();
      await sim.close();
    }
  });
});

describe('SuiAdapter version refusal', () => {
  let sim: SuiSimulator;
  beforeAll(async () => {
    sim = await startSuiSimulator({ profile: '1.1' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('refuses S-UI 1.1 with PANEL_VERSION_UNSUPPORTED naming the version', async () => {
    const a = new SuiAdapter({ serverId: 'old', kind: 'SUI', baseUrl: sim.url, username: 'admin', password: 'admin' }, FAST_HTTP);
    try {
      const err = await caught(a.detect());
      expect(err.code).toBe('PANEL_VERSION_UNSUPPORTED');
      expect(err.retryable).toBe(false);
      expect(err.panelMessage).toContain('1.1.0');
      await expect(a.ensureClient({
        name: 'x', uuid: randomUUID(), password: 'p', enabled: true, trafficLimitBytes: 0, expiresAt: null, deviceLimit: 0, inboundIds: [],
      })).rejects.toMatchObject({ code: 'PANEL_VERSION_UNSUPPORTED' });
      expect(await a.health()).toMatchObject({ ok: false, version: '1.1.0' });
    } finally {
      await a.close();
    }
  });

  it('names the version through the session API when a token finds no /apiv2', async () => {
    const withCreds = new SuiAdapter({ serverId: 'old', kind: 'SUI', baseUrl: sim.url, apiToken: 'a'.repeat(32), username: 'admin', password: 'admin' }, FAST_HTTP);
    const tokenOnly = new SuiAdapter({ serverId: 'old', kind: 'SUI', baseUrl: sim.url, apiToken: 'a'.repeat(32) }, FAST_HTTP);
    try {
      expect(await caught(withCreds.detect())).toMatchObject({ code: 'PANEL_VERSION_UNSUPPORTED', panelMessage: expect.stringContaining('1.1.0') });
      expect(await caught(tokenOnly.detect())).toMatchObject({ code: 'PANEL_VERSION_UNSUPPORTED', panelMessage: expect.stringContaining('/apiv2') });
    } finally {
      await withCreds.close();
      await tokenOnly.close();
    }
  });
});

describe('SuiAdapter against S-UI 1.3.0 to 1.3.4 (client save errors answered as success)', () => {
  let sim: SuiSimulator;
  let vlessId: string;
  beforeAll(async () => {
    sim = await startSuiSimulator({ profile: '1.3', version: '1.3.2' });
    vlessId = String(sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 }).id);
  });
  afterAll(async () => {
    await sim.close();
  });
  const spec = (name: string): ClientSpec => ({
    name, uuid: randomUUID(), password: 'pw', enabled: true, trafficLimitBytes: GB, expiresAt: null, deviceLimit: 0, inboundIds: [vlessId],
  });

  it('does not report a create the panel lost as created, and creates it on the next try', async () => {
    const a = new SuiAdapter({ serverId: 'sui-132', kind: 'SUI', baseUrl: sim.url, apiToken: sim.token }, FAST_HTTP);
    try {
      sim.failClientSaves('database is locked');
      const err = await caught(a.ensureClient(spec('lost-create')));
      expect(err).toMatchObject({ code: 'PANEL_REJECTED', retryable: true });
      expect(sim.state().clients.filter((c) => c.name === 'lost-create')).toHaveLength(0);
      expect((await a.ensureClient(spec('lost-create'))).action).toBe('created');
      expect(sim.state().clients.filter((c) => c.name === 'lost-create')).toHaveLength(1);
    } finally {
      await a.close();
    }
  });

  it('does not report an update the panel lost as applied', async () => {
    const a = new SuiAdapter({ serverId: 'sui-132', kind: 'SUI', baseUrl: sim.url, username: sim.username, password: sim.password }, FAST_HTTP);
    try {
      await a.ensureClient(spec('lost-edit'));
      sim.failClientSaves('database is locked');
      const err = await caught(a.setEnabled('lost-edit', false));
      expect(err).toMatchObject({ code: 'PANEL_REJECTED', retryable: true });
      expect(sim.getClientDirect('lost-edit')!.enable).toBe(true);
      await a.setEnabled('lost-edit', false);
      expect(sim.getClientDirect('lost-edit')!.enable).toBe(false);
    } finally {
      await a.close();
    }
  });

  it('reports the panel error of a failed save on 1.3.5 and later', async () => {
    const fixed = await startSuiSimulator({ profile: '1.3' });
    const a = new SuiAdapter({ serverId: 'sui-1311', kind: 'SUI', baseUrl: fixed.url, apiToken: fixed.token }, FAST_HTTP);
    try {
      fixed.failClientSaves('database is locked');
      const err = await caught(a.ensureClient({ ...spec('locked'), inboundIds: [] }));
      expect(err).toMatchObject({ code: 'PANEL_REJECTED', panelMessage: 'save: database is locked' });
      expect(fixed.state().clients).toHaveLength(0);
    } finally {
      await a.close();
      await fixed.close();
    }
  });
});
