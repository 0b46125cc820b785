import { request } from 'undici';
import { SimClock } from '../../src/simulators/shared/sim-http';
import { SUI_PROFILE_VERSIONS } from '../../src/simulators/sui/sui.profile';
import { startSuiSimulator, type SuiSimulator, type SuiSimulatorOptions } from '../../src/simulators/sui/sui.simulator';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => { success: boolean; msg: string; obj: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

interface Opts {
  form?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
  cookie?: string;
}

async function call(url: string, method: string, opts: Opts = {}): Promise<Res> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body: string | undefined;
  if (opts.form) {
    body = new URLSearchParams(opts.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  }
  if (opts.cookie) headers.cookie = opts.cookie;
  const res = await request(url, { method: method as 'GET', headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

function cookieOf(res: Res): string {
  const raw = res.headers['set-cookie'];
  const line = Array.isArray(raw) ? raw[0] : (raw ?? '');
  return line.split(';')[0];
}

async function login(sim: SuiSimulator): Promise<string> {
  const res = await call(`${sim.url}api/login`, 'POST', { form: { user: sim.username, pass: sim.password } });
  expect(res.json()).toEqual({ success: true, msg: '', obj: null });
  return cookieOf(res);
}

const XHR = { 'X-Requested-With': 'XMLHttpRequest' };

function clientData(name: string, inbounds: number[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    enable: true,
    name,
    config: { vless: { name: 'someone-else', uuid: '1b2c3d4e-0000-4000-8000-000000000001', flow: '' }, trojan: { name, password: 'pw1' } },
    inbounds,
    links: [],
    volume: 1000,
    expiry: 0,
    up: 0,
    down: 0,
    desc: '',
    group: '',
    ...extra,
  });
}

async function withSim(opts: Partial<SuiSimulatorOptions> & { profile: SuiSimulatorOptions['profile'] }, fn: (sim: SuiSimulator) => Promise<void>): Promise<void> {
  const sim = await startSuiSimulator(opts);
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

describe('S-UI simulator: routing and authentication', () => {
  let sim: SuiSimulator;
  let clock: SimClock;
  beforeAll(async () => {
    clock = new SimClock(Date.UTC(2026, 5, 1));
    sim = await startSuiSimulator({ profile: '1.5', clock, sessionMaxAgeMs: 60_000, tokens: ['T'.repeat(32)] });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('redirects the bare base path and answers 404 with an empty body outside it', async () => {
    const bare = await call(`${sim.server.url}/app`, 'GET');
    expect(bare.status).toBe(307);
    expect(bare.headers.location).toBe('/app/');
    const outside = await call(`${sim.server.url}/panel/api/clients`, 'GET');
    expect(outside.status).toBe(404);
    expect(outside.text).toBe('');
  });

  it('answers an unauthenticated /api call with 307 to /login, or Invalid login JSON with the XHR header', async () => {
    const plain = await call(`${sim.url}api/clients`, 'GET');
    expect(plain.status).toBe(307);
    expect(plain.headers.location).toBe('/login');
    const xhr = await call(`${sim.url}api/clients`, 'GET', { headers: XHR });
    expect(xhr.status).toBe(200);
    expect(xhr.json()).toEqual({ success: false, msg: 'Invalid login', obj: null });
  });

  it('sends nested unknown paths to the login page, or the app HTML when logged in', async () => {
    const anon = await call(`${sim.url}api/clients/5`, 'GET');
    expect(anon.status).toBe(307);
    expect(anon.headers.location).toBe('/app/login');
    const cookie = await login(sim);
    const logged = await call(`${sim.url}api/clients/5`, 'GET', { cookie });
    expect(logged.status).toBe(200);
    expect(logged.headers['content-type']).toContain('text/html');
  });

  it('refuses a wrong password with the exact message and sets the s-ui cookie on success', async () => {
    const bad = await call(`${sim.url}api/login`, 'POST', { form: { user: 'admin', pass: 'nope' } });
    expect(bad.json()).toEqual({ success: false, msg: ': wrong user or password! IP:  127.0.0.1\n', obj: null });
    const ok = await call(`${sim.url}api/login`, 'POST', { form: { user: 'admin', pass: 'admin' } });
    const setCookie = String(ok.headers['set-cookie']);
    expect(setCookie).toMatch(/^s-ui=[^;]+; Path=\/; Expires=.+; Max-Age=60$/);
    const json = await call(`${sim.url}api/login`, 'POST', { json: { user: 'admin', pass: 'admin' } });
    expect(json.json().success).toBe(false);
  });

  it('expires sessions on the simulated clock and on logout', async () => {
    const cookie = await login(sim);
    expect((await call(`${sim.url}api/clients`, 'GET', { cookie, headers: XHR })).json().success).toBe(true);
    clock.advance(61_000);
    expect((await call(`${sim.url}api/clients`, 'GET', { cookie, headers: XHR })).json().msg).toBe('Invalid login');
    const again = await login(sim);
    const out = await call(`${sim.url}api/logout`, 'GET', { cookie: again });
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await call(`${sim.url}api/clients`, 'GET', { cookie: again, headers: XHR })).json().msg).toBe('Invalid login');
  });

  it('checks the Token header on /apiv2 and hides session-only actions there', async () => {
    const bad = await call(`${sim.url}apiv2/clients`, 'GET', { headers: { Token: 'wrong' } });
    expect(bad.json()).toEqual({ success: false, msg: ': invalid token\n', obj: null });
    const ok = await call(`${sim.url}apiv2/clients`, 'GET', { headers: { Token: sim.token } });
    expect(ok.json()).toEqual({ success: true, msg: '', obj: { clients: [] } });
    const loginV2 = await call(`${sim.url}apiv2/login`, 'POST', { headers: { Token: sim.token }, form: { user: 'admin', pass: 'admin' } });
    expect(loginV2.json().msg).toBe('failed: unknown action:  login\n');
    const unknown = await call(`${sim.url}apiv2/foo`, 'GET', { headers: { Token: sim.token } });
    expect(unknown.json()).toEqual({ success: false, msg: 'failed: unknown action:  foo\n', obj: null });
  });

  it('creates tokens valid for the given days, lists them masked and deletes them', async () => {
    const cookie = await login(sim);
    const bad = await call(`${sim.url}api/addToken`, 'POST', { cookie, form: { expiry: 'x', desc: 'ci' } });
    expect(bad.json().msg).toBe(': strconv.ParseInt: parsing "x": invalid syntax');
    const made = await call(`${sim.url}api/addToken`, 'POST', { cookie, form: { expiry: '1', desc: 'ci' } });
    const token = made.json().obj as string;
    expect(token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await call(`${sim.url}apiv2/settings`, 'GET', { headers: { Token: token } })).json().success).toBe(true);
    const list = (await call(`${sim.url}api/tokens`, 'GET', { cookie })).json().obj as Array<{ id: number; token: string; desc: string }>;
    const row = list.find((t) => t.desc === 'ci')!;
    expect(row.token).toBe('****');
    clock.advance(2 * 86_400_000);
    expect((await call(`${sim.url}apiv2/settings`, 'GET', { headers: { Token: token } })).json().msg).toBe(': invalid token\n');
    const cookie2 = await login(sim);
    expect((await call(`${sim.url}api/deleteToken`, 'POST', { cookie: cookie2, form: { id: String(row.id) } })).json().success).toBe(true);
  });
});

describe.each(['1.2', '1.3', '1.4', '1.5'] as const)('S-UI simulator %s: API behaviour', (profile) => {
  let sim: SuiSimulator;
  const v2 = (): Record<string, string> => ({ Token: sim.token });
  const save = (form: Record<string, string>): Promise<Res> => call(`${sim.url}apiv2/save`, 'POST', { headers: v2(), form });

  beforeAll(async () => {
    sim = await startSuiSimulator({ profile });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('reports its version in status?r=sys', async () => {
    const res = (await call(`${sim.url}apiv2/status?r=sys,sbd`, 'GET', { headers: v2() })).json();
    expect(res.obj.sys.appVersion).toBe(SUI_PROFILE_VERSIONS[profile]);
    expect(res.obj.sbd.running).toBe(true);
  });

  it('answers inbounds null when there is none, and a duplicate tag with the UNIQUE error', async () => {
    expect((await call(`${sim.url}apiv2/inbounds`, 'GET', { headers: v2() })).json().obj).toEqual({ inbounds: null });
    const data = JSON.stringify({ type: 'vless', tag: 'vless-443', tls_id: 0, listen: '::', listen_port: 443, addrs: [], out_json: {} });
    const first = (await save({ object: 'inbounds', action: 'new', data })).json();
    expect(first.success).toBe(true);
    expect(Object.keys(first.obj)).toEqual(['clients', 'inbounds']);
    expect((await save({ object: 'inbounds', action: 'new', data })).json().msg).toBe('save: UNIQUE constraint failed: inbounds.tag');
    sim.addInbound({ type: 'trojan', tag: 'trojan-8443', listen_port: 8443 });
  });

  it('refuses JSON bodies, missing links and string ids with the panel texts', async () => {
    const json = await call(`${sim.url}apiv2/save`, 'POST', { headers: v2(), json: { object: 'clients', action: 'new', data: clientData('j', [1]) } });
    expect(json.json()).toEqual({ success: false, msg: 'save: unknown object:  \n', obj: null });
    const noLinks = JSON.stringify({ enable: true, name: 'nolinks', inbounds: [1] });
    expect((await save({ object: 'clients', action: 'new', data: noLinks })).json().msg).toBe('save: unexpected end of JSON input');
    expect((await save({ object: 'clients', action: 'del', data: '"7"' })).json().msg).toBe('save: json: cannot unmarshal string into Go value of type uint');
    expect((await save({ object: 'clients', action: 'new', data: '{"name":"x","volume":"1"}' })).json().msg).toBe(
      'save: json: cannot unmarshal string into Go struct field Client.volume of type int64',
    );
    expect((await save({ object: 'clients', action: 'zap', data: '1' })).json().msg).toBe('save: unknown action: zap');
    expect((await save({ object: 'nope', action: 'new', data: '1' })).json().msg).toBe('save: unknown object:  nope\n');
    expect(sim.state().clients).toHaveLength(0);
  });

  it('creates a client, answers summaries, generates links and logs the change', async () => {
    const res = (await save({ object: 'clients', action: 'new', data: clientData('alice', [1, 2, 99]) })).json();
    expect(res.success).toBe(true);
    expect(res.msg).toBe('');
    expect(Object.keys(res.obj)).toEqual(['clients', 'inbounds']);
    const summary = res.obj.clients[0];
    expect(summary).not.toHaveProperty('config');
    expect(summary).not.toHaveProperty('links');
    expect(summary.inbounds).toEqual([1, 2, 99]);
    expect('remark' in summary).toBe(profile === '1.5');
    expect('delayStart' in summary).toBe(profile === '1.4' || profile === '1.5');
    expect(res.obj.inbounds.find((i: { tag: string }) => i.tag === 'vless-443').users).toEqual(['alice']);

    const full = (await call(`${sim.url}apiv2/clients?id=${summary.id}`, 'GET', { headers: v2() })).json().obj.clients[0];
    expect(full.links.map((l: { remark: string; type: string }) => `${l.type}:${l.remark}`)).toEqual(['local:vless-443', 'local:trojan-8443']);
    expect(full.links[0].uri).toMatch(/^vless:\/\/1b2c3d4e-0000-4000-8000-000000000001@127\.0\.0\.1:443\?type=tcp#vless-443$/);
    // 1.5 forces config names to the client name; older versions store what was sent.
    expect(full.config.vless.name).toBe(profile === '1.5' ? 'alice' : 'someone-else');
    const changes = (await call(`${sim.url}apiv2/changes?c=1&k=clients`, 'GET', { headers: v2() })).json().obj;
    expect(changes[0]).toMatchObject({ actor: 'admin', key: 'clients', action: 'new' });
    expect(changes[0].obj.name).toBe('alice');
    expect((await call(`${sim.url}apiv2/clients?id=999`, 'GET', { headers: v2() })).json().obj).toEqual({ clients: [] });
  });

  it('replaces the whole row on edit and lists inbounds only when membership changed (1.3+)', async () => {
    const alice = sim.getClientDirect('alice')!;
    const full = (await call(`${sim.url}apiv2/clients?id=${alice.id}`, 'GET', { headers: v2() })).json().obj.clients[0];
    const edited = (await save({ object: 'clients', action: 'edit', data: JSON.stringify({ ...full, volume: 5000 }) })).json();
    expect(edited.success).toBe(true);
    expect(Object.keys(edited.obj)).toEqual(profile === '1.2' ? ['clients', 'inbounds'] : ['clients']);
    // Omitted fields are reset: the panel does not merge.
    const partial = { id: alice.id, name: 'alice', enable: true, inbounds: [1], links: [] };
    expect((await save({ object: 'clients', action: 'edit', data: JSON.stringify(partial) })).json().success).toBe(true);
    const after = sim.getClientDirect('alice')!;
    expect(after.volume).toBe(0);
    expect(after.config).toBeUndefined();
    const unknown = (await save({ object: 'clients', action: 'edit', data: JSON.stringify({ ...partial, id: 500 }) })).json();
    if (profile === '1.2') {
      expect(unknown.success).toBe(true);
      expect(sim.state().clients.map((c) => c.id)).toContain(500);
      expect((await save({ object: 'clients', action: 'del', data: '500' })).json().success).toBe(true);
    } else {
      expect(unknown.msg).toBe('save: record not found');
    }
  });

  it('zeroes the reset fields in summaries but not in full rows (1.4+)', async () => {
    if (profile !== '1.4' && profile !== '1.5') return;
    sim.seedClients([{ name: 'resetter', delayStart: true, resetDays: 30, totalUp: 9 }]);
    const id = sim.getClientDirect('resetter')!.id;
    const summary = (await call(`${sim.url}apiv2/clients`, 'GET', { headers: v2() })).json().obj.clients.find((c: { id: number }) => c.id === id);
    expect(summary).toMatchObject({ delayStart: false, resetDays: 0, totalUp: 0 });
    const full = (await call(`${sim.url}apiv2/clients?id=${id}`, 'GET', { headers: v2() })).json().obj.clients[0];
    expect(full).toMatchObject({ delayStart: true, resetDays: 30, totalUp: 9 });
  });

  it('supports editbulk/delbulk from 1.4 and resetTraffic from 1.5 only', async () => {
    const [a, b] = sim.seedClients([{ name: 'bulk-a' }, { name: 'bulk-b' }]);
    const bulk = await save({ object: 'clients', action: 'delbulk', data: JSON.stringify([a.id, b.id]) });
    if (profile === '1.4' || profile === '1.5') {
      expect(bulk.json().success).toBe(true);
      expect(sim.getClientDirect('bulk-a')).toBeUndefined();
    } else {
      expect(bulk.json().msg).toBe('save: unknown action: delbulk');
    }
    sim.seedClients([{ name: 'spent', up: 10, down: 20, enable: false }]);
    const reset = (await call(`${sim.url}apiv2/resetTraffic`, 'POST', { headers: v2() })).json();
    if (profile === '1.5') {
      expect(reset).toEqual({ success: true, msg: 'resetTraffic', obj: null });
      expect(sim.getClientDirect('spent')).toMatchObject({ up: 0, down: 0, totalUp: 10, totalDown: 20, enable: true });
    } else {
      expect(reset.msg).toBe('failed: unknown action:  resetTraffic\n');
    }
  });

  it('removes a deleted inbound from its clients and their links', async () => {
    sim.addInbound({ type: 'hysteria2', tag: 'hy2', listen_port: 9443 });
    const hy2 = sim.state().inbounds.find((i) => i.tag === 'hy2')!;
    await save({ object: 'clients', action: 'new', data: clientData('carol', [1, hy2.id]) });
    const remarks = (): string[] => (sim.getClientDirect('carol')!.links as Array<{ remark: string }>).map((l) => l.remark);
    expect(remarks()).toEqual(['vless-443', 'hy2']);
    expect((await save({ object: 'inbounds', action: 'del', data: '"hy2"' })).json().success).toBe(true);
    expect(sim.getClientDirect('carol')!.inbounds).toEqual([1]);
    expect(remarks()).toEqual(['vless-443']);
    expect((await save({ object: 'inbounds', action: 'del', data: '"no-such-tag"' })).json().success).toBe(true);
  });

  it('answers load in full, then only onlines when nothing changed since lu', async () => {
    const full = (await call(`${sim.url}apiv2/load`, 'GET', { headers: v2() })).json().obj;
    const keys = ['clients', 'config', 'endpoints', 'inbounds', 'onlines', 'outbounds', 'subURI', 'tls'];
    // 1.3 added services and enableTraffic.
    if (profile !== '1.2') keys.splice(6, 0, 'services');
    if (profile !== '1.2') keys.splice(2, 0, 'enableTraffic');
    expect(Object.keys(full)).toEqual(keys);
    expect(full.subURI).toBe(`http://127.0.0.1:${sim.subServer.port}/sub/`);
    const lu = Math.floor(sim.clock.now() / 1000) + 1;
    expect((await call(`${sim.url}apiv2/load?lu=${lu}`, 'GET', { headers: v2() })).json().obj).toEqual({ onlines: {} });
  });
});

describe('S-UI simulator: subscriptions, traffic and jobs', () => {
  it('serves base64 links with the subscription headers and 400 Error! for disabled or unknown clients', async () => {
    await withSim({ profile: '1.5' }, async (sim) => {
      const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
      sim.seedClients([{ name: 'dave', volume: 5000, expiry: 1_900_000_000, remark: 'Dave VPN', up: 1, down: 2 }], { inboundIds: [inbound.id] });
      const row = sim.getClientDirect('dave')!;
      sim.patchClient('dave', { links: [...(row.links as unknown[]), { remark: 'x', type: 'external', uri: 'trojan://p@ext:443#x' }] });
      const res = await call(`${sim.subUrl}dave`, 'GET');
      expect(res.status).toBe(200);
      expect(res.headers['subscription-userinfo']).toBe('upload=1; download=2; total=5000; expire=1900000000');
      expect(res.headers['profile-title']).toBe('Dave VPN');
      expect(res.headers['profile-update-interval']).toBe('12');
      const lines = Buffer.from(res.text, 'base64').toString('utf8').split('\n');
      expect(lines).toEqual([expect.stringMatching(/^vless:\/\//), 'trojan://p@ext:443#x']);
      const head = await call(`${sim.subUrl}dave`, 'HEAD');
      expect(head.status).toBe(200);
      sim.patchClient('dave', { enable: false });
      const disabled = await call(`${sim.subUrl}dave`, 'GET');
      expect([disabled.status, disabled.text]).toEqual([400, 'Error!']);
      expect((await call(`${sim.subUrl}nobody`, 'GET')).status).toBe(400);
    });
  });

  it('grows counters of online clients on ticks, lists onlines and disables over quota or expiry', async () => {
    const clock = new SimClock(Date.UTC(2026, 0, 1));
    await withSim({ profile: '1.5', clock }, async (sim) => {
      const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
      const now = Math.floor(clock.now() / 1000);
      sim.seedClients([{ name: 'eve', volume: 100 }, { name: 'frank', expiry: now + 30 }], { inboundIds: [inbound.id] });
      sim.setOnline('eve', { up: 30, down: 30 });
      sim.tick();
      expect(sim.getClientDirect('eve')).toMatchObject({ up: 30, down: 30, onlineAt: now });
      const onlines = (await call(`${sim.url}apiv2/onlines`, 'GET', { headers: { Token: sim.token } })).json().obj;
      expect(onlines).toEqual({ inbound: ['vless-443'], user: ['eve'], outbound: ['direct'] });
      expect(sim.runDepleteJob()).toEqual([]);
      sim.tick();
      expect(sim.runDepleteJob()).toEqual(['eve']);
      sim.tick();
      // A disabled client is out of the core and stops counting.
      expect(sim.getClientDirect('eve')).toMatchObject({ up: 60, down: 60, enable: false });
      clock.advance(31_000);
      expect(sim.runDepleteJob()).toEqual(['frank']);
      expect(sim.state().changes.filter((c) => c.actor === 'DepleteJob').map((c) => c.obj)).toEqual(['eve', 'frank']);
    });
  });

  it('generates well-formed links for vless, vmess, trojan, shadowsocks, hysteria2 and tuic inbounds', async () => {
    await withSim({ profile: '1.5' }, async (sim) => {
      const tls = sim.addTls({ name: 'main', server: { enabled: true, server_name: 'vpn.example.com', alpn: ['h2'] }, client: {} });
      const ids = [
        sim.addInbound({ type: 'vless', tag: 'vl', listen_port: 443, tls_id: tls }),
        sim.addInbound({ type: 'vmess', tag: 'vm', listen_port: 8080, options: { transport: { type: 'ws', path: '/ws' } } }),
        sim.addInbound({ type: 'trojan', tag: 'tr', listen_port: 8443, tls_id: tls }),
        sim.addInbound({ type: 'shadowsocks', tag: 'ss', listen_port: 8388, options: { method: 'aes-256-gcm' } }),
        sim.addInbound({ type: 'hysteria2', tag: 'hy', listen_port: 9443, tls_id: tls }),
        sim.addInbound({ type: 'tuic', tag: 'tu', listen_port: 9444, tls_id: tls, options: { congestion_control: 'bbr' } }),
      ].map((i) => i.id);
      const data = JSON.stringify([
        { enable: true, name: 'gina', config: {
          vless: { name: 'gina', uuid: '11111111-1111-4111-8111-111111111111', flow: 'xtls-rprx-vision' },
          vmess: { name: 'gina', uuid: '11111111-1111-4111-8111-111111111111', alterId: 0 },
          trojan: { name: 'gina', password: 'tp' },
          shadowsocks: { name: 'gina', password: 'sp' },
          hysteria2: { name: 'gina', password: 'hp' },
          tuic: { name: 'gina', uuid: '11111111-1111-4111-8111-111111111111', password: 'up' },
        }, inbounds: ids, links: [] },
      ]);
      const res = await call(`${sim.url}apiv2/save`, 'POST', { headers: { Token: sim.token }, form: { object: 'clients', action: 'addbulk', data } });
      expect(res.json().success).toBe(true);
      const uris = (sim.getClientDirect('gina')!.links as Array<{ uri: string }>).map((l) => l.uri);
      expect(uris[0]).toBe('vless://11111111-1111-4111-8111-111111111111@127.0.0.1:443?type=tcp&security=tls&sni=vpn.example.com&alpn=h2&flow=xtls-rprx-vision#vl');
      const vmess = JSON.parse(Buffer.from(uris[1].slice('vmess://'.length), 'base64').toString('utf8'));
      expect(vmess).toMatchObject({ v: '2', id: '11111111-1111-4111-8111-111111111111', add: '127.0.0.1', port: '8080', net: 'ws', path: '/ws', tls: 'none', ps: 'vm' });
      expect(uris[2]).toBe('trojan://tp@127.0.0.1:8443?type=tcp&security=tls&sni=vpn.example.com&alpn=h2#tr');
      const ss = /^ss:\/\/([^@]+)@127\.0\.0\.1:8388#ss$/.exec(uris[3]);
      expect(Buffer.from(ss![1], 'base64').toString('utf8')).toBe('aes-256-gcm:sp');
      expect(uris[4]).toBe('hysteria2://hp@127.0.0.1:9443?security=tls&sni=vpn.example.com&alpn=h2&fastopen=0#hy');
      expect(uris[5]).toBe('tuic://11111111-1111-4111-8111-111111111111:up@127.0.0.1:9444?security=tls&sni=vpn.example.com&alpn=h2&congestion_control=bbr#tu');
      for (const uri of uris) expect(() => new URL(uri)).not.toThrow();
    });
  });

  it('applies the duplicate-name policy', async () => {
    const data = clientData('same', []);
    await withSim({ profile: '1.5' }, async (sim) => {
      for (let i = 0; i < 2; i++) {
        const r = await call(`${sim.url}apiv2/save`, 'POST', { headers: { Token: sim.token }, form: { object: 'clients', action: 'new', data } });
        expect(r.json().success).toBe(true);
      }
      expect(sim.state().clients.filter((c) => c.name === 'same')).toHaveLength(2);
    });
    await withSim({ profile: '1.5', duplicateNames: 'reject' }, async (sim) => {
      await call(`${sim.url}apiv2/save`, 'POST', { headers: { Token: sim.token }, form: { object: 'clients', action: 'new', data } });
      const second = await call(`${sim.url}apiv2/save`, 'POST', { headers: { Token: sim.token }, form: { object: 'clients', action: 'new', data } });
      expect(second.json()).toEqual({ success: false, msg: 'save: client name already exists:  same\n', obj: null });
      expect(sim.state().clients).toHaveLength(1);
    });
  });

  it('answers only login, logout and status on the 1.1 profile and has no /apiv2', async () => {
    await withSim({ profile: '1.1' }, async (sim) => {
      const cookie = await login(sim);
      const status = (await call(`${sim.url}api/status?r=sys`, 'GET', { cookie })).json();
      expect(status.obj.sys.appVersion).toBe('1.1.0');
      expect((await call(`${sim.url}api/clients`, 'GET', { cookie })).json()).toEqual({ success: true, msg: 'API call', obj: null });
      const v2 = await call(`${sim.url}apiv2/status?r=sys`, 'GET', { headers: { Token: sim.token } });
      expect(v2.status).toBe(307);
      expect(v2.headers.location).toBe('/app/login');
    });
  });

  it('is driven through the /__sim/ control plane', async () => {
    await withSim({ profile: '1.4' }, async (sim) => {
      const base = `${sim.server.url}/__sim`;
      const inbound = (await call(`${base}/inbound`, 'POST', { json: { type: 'trojan', tag: 't', listen_port: 1 } })).json() as unknown as { inbound: { id: number } };
      expect((await call(`${base}/seed`, 'POST', { json: { count: 3, inboundIds: [inbound.inbound.id] } })).json()).toEqual({ ok: true, created: 3 });
      await call(`${base}/traffic`, 'POST', { json: { name: 'seed-000001', up: 5, down: 6, mode: 'add' } });
      await call(`${base}/tick`, 'POST');
      await call(`${base}/patch-client`, 'POST', { json: { name: 'seed-000002', patch: { volume: 1, up: 2 } } });
      expect((await call(`${base}/deplete`, 'POST')).json()).toEqual({ ok: true, disabled: ['seed-000002'] });
      await call(`${base}/delete-client`, 'POST', { json: { name: 'seed-000003' } });
      const state = (await call(`${base}/state`, 'GET')).json() as unknown as { state: { clients: Array<{ name: string; up: number }> } };
      expect(state.state.clients.map((c) => [c.name, c.up])).toEqual([['seed-000001', 5], ['seed-000002', 2]]);
      await call(`${base}/fault`, 'POST', { json: { fault: { kind: 'status', status: 503 } } });
      expect((await call(`${sim.url}api/login`, 'POST', { form: { user: 'admin', pass: 'admin' } })).status).toBe(503);
      expect((await call(`${base}/requests?pathIncludes=login`, 'GET')).json()).toEqual({ ok: true, count: 1 });
    });
  });
});

describe('S-UI simulator: version quirks of the real source', () => {
  const saveOn = (sim: SuiSimulator, form: Record<string, string>): Promise<Res> =>
    call(`${sim.url}apiv2/save`, 'POST', { headers: { Token: sim.token }, form });

  it('answers the inbounds list after every client save on 1.2, later only when an inbound restarted', async () => {
    for (const profile of ['1.2', '1.5'] as const) {
      await withSim({ profile }, async (sim) => {
        const created = (await saveOn(sim, { object: 'clients', action: 'new', data: clientData('lonely', []) })).json();
        expect(Object.keys(created.obj)).toEqual(profile === '1.2' ? ['clients', 'inbounds'] : ['clients']);
        const id = sim.getClientDirect('lonely')!.id;
        const deleted = (await saveOn(sim, { object: 'clients', action: 'del', data: String(id) })).json();
        expect(Object.keys(deleted.obj)).toEqual(profile === '1.2' ? ['clients', 'inbounds'] : ['clients']);
      });
    }
  });

  it('answers success with nothing written when a client save fails on 1.3.0 to 1.3.4', async () => {
    await withSim({ profile: '1.3', version: '1.3.2' }, async (sim) => {
      expect((await saveOn(sim, { object: 'clients', action: 'del', data: '404' })).json()).toMatchObject({ success: true, msg: '' });
      const noLinks = JSON.stringify({ enable: true, name: 'nolinks', inbounds: [] });
      const lost = (await saveOn(sim, { object: 'clients', action: 'new', data: noLinks })).json();
      expect(lost.success).toBe(true);
      expect(Object.keys(lost.obj)).toEqual(['clients']);
      sim.failClientSaves('database is locked');
      expect((await saveOn(sim, { object: 'clients', action: 'new', data: clientData('locked', []) })).json().success).toBe(true);
      expect(sim.state().clients).toHaveLength(0);
      expect(sim.state().changes.filter((c) => c.key === 'clients')).toHaveLength(3);
    });
    await withSim({ profile: '1.3' }, async (sim) => {
      sim.failClientSaves('database is locked');
      const res = (await saveOn(sim, { object: 'clients', action: 'new', data: clientData('locked', []) })).json();
      expect(res).toEqual({ success: false, msg: 'save: database is locked', obj: null });
    });
  });

  it('links bulk-added clients by the first client inbounds before 1.5 and refuses an empty bulk', async () => {
    for (const profile of ['1.4', '1.5'] as const) {
      await withSim({ profile }, async (sim) => {
        const vl = sim.addInbound({ type: 'vless', tag: 'vl', listen_port: 443 });
        const tr = sim.addInbound({ type: 'trojan', tag: 'tr', listen_port: 8443 });
        const data = `[${clientData('first', [vl.id])},${clientData('second', [tr.id])}]`;
        const res = (await saveOn(sim, { object: 'clients', action: 'addbulk', data })).json();
        expect(res.success).toBe(true);
        const second = sim.getClientDirect('second')!;
        expect(second.inbounds).toEqual([tr.id]);
        const remarks = (second.links as Array<{ remark: string }>).map((l) => l.remark);
        expect(remarks).toEqual(profile === '1.5' ? ['tr'] : ['vl']);
        const empty = await saveOn(sim, { object: 'clients', action: 'addbulk', data: '[]' });
        if (profile === '1.5') expect(empty.json().msg).toBe('save: empty slice found');
        else expect([empty.status, empty.text]).toEqual([500, '']);
      });
    }
  });

  it('refuses a session cookie 30 days after login even when sessionMaxAge is 0', async () => {
    const clock = new SimClock(Date.UTC(2026, 0, 1));
    await withSim({ profile: '1.5', clock }, async (sim) => {
      const cookie = await login(sim);
      clock.advance(29 * 86_400_000);
      expect((await call(`${sim.url}api/clients`, 'GET', { cookie, headers: XHR })).json().success).toBe(true);
      clock.advance(2 * 86_400_000);
      expect((await call(`${sim.url}api/clients`, 'GET', { cookie, headers: XHR })).json()).toEqual({ success: false, msg: 'Invalid login', obj: null });
    });
  });

  it('adds the traffic of a name to every row of that name while one of them is enabled', async () => {
    await withSim({ profile: '1.5' }, async (sim) => {
      sim.seedClients([{ name: 'twin' }, { name: 'twin', enable: false }, { name: 'off', enable: false }]);
      sim.addTraffic('twin', 5, 6);
      sim.addTraffic('off', 7, 8);
      sim.tick();
      expect(sim.state().clients.map((c) => [c.name, c.up, c.down])).toEqual([['twin', 5, 6], ['twin', 5, 6], ['off', 0, 0]]);
    });
  });

  it.each(['1.2', '1.3', '1.5'] as const)('serves a client on an inbound until the panel restarts that inbound (%s)', async (profile) => {
    await withSim({ profile }, async (sim) => {
      const a = sim.addInbound({ type: 'vless', tag: 'in-a', listen_port: 443 });
      const b = sim.addInbound({ type: 'trojan', tag: 'in-b', listen_port: 8443 });
      await saveOn(sim, { object: 'clients', action: 'new', data: clientData('hank', [a.id, b.id]) });
      expect([sim.coreUsers('in-a'), sim.coreUsers('in-b')]).toEqual([['hank'], ['hank']]);
      const id = sim.getClientDirect('hank')!.id;
      const full = (await call(`${sim.url}apiv2/clients?id=${id}`, 'GET', { headers: { Token: sim.token } })).json().obj.clients[0];
      await saveOn(sim, { object: 'clients', action: 'edit', data: JSON.stringify({ ...full, inbounds: [a.id] }) });
      // 1.2.x restarts only the inbounds the client lists now, so in-b keeps serving it.
      expect(sim.coreUsers('in-b')).toEqual(profile === '1.2' ? ['hank'] : []);
      await saveOn(sim, { object: 'clients', action: 'edit', data: JSON.stringify({ ...full, inbounds: [a.id], enable: false }) });
      expect(sim.coreUsers('in-a')).toEqual([]);
      expect(sim.state().core).toEqual({ 'in-a': [], 'in-b': profile === '1.2' ? ['hank'] : [] });
    });
  });

  it('answers 403 with an empty body to any host but the configured web domain', async () => {
    await withSim({ profile: '1.5', webDomain: 'panel.example.com' }, async (sim) => {
      const refused = await call(`${sim.url}apiv2/status?r=sys`, 'GET', { headers: { Token: sim.token } });
      expect([refused.status, refused.text]).toEqual([403, '']);
      const port = new URL(sim.url).port;
      const ok = await call(`${sim.url}apiv2/status?r=sys`, 'GET', { headers: { Token: sim.token, Host: `panel.example.com:${port}` } });
      expect(ok.json().success).toBe(true);
    });
  });

  it('drops a client from the core when the deplete job disables it', async () => {
    await withSim({ profile: '1.4' }, async (sim) => {
      const a = sim.addInbound({ type: 'vless', tag: 'in-a', listen_port: 443 });
      sim.seedClients([{ name: 'ivy', volume: 10, up: 11 }, { name: 'jay' }], { inboundIds: [a.id] });
      expect(sim.coreUsers('in-a')).toEqual(['ivy', 'jay']);
      expect(sim.runDepleteJob()).toEqual(['ivy']);
      expect(sim.coreUsers('in-a')).toEqual(['jay']);
      expect(sim.coreUsers('no-such-tag')).toBeNull();
    });
  });
});
