import { startXuiSimulator, type XuiSimulator, type XuiSimulatorOptions } from '../../src/simulators/xui/xui.simulator';

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: () => { success: boolean; msg: string; obj: unknown };
}

/** A bare HTTP client for fidelity checks: one cookie, optional CSRF, nothing clever. */
class RawPanel {
  cookie = '';
  csrf = '';

  constructor(private readonly sim: XuiSimulator) {}

  async req(
    method: string,
    path: string,
    opts: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string>; xhr?: boolean; noCsrf?: boolean } = {},
  ): Promise<RawResponse> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET' && !opts.noCsrf) headers['x-csrf-token'] = this.csrf;
    if (opts.xhr) headers['x-requested-with'] = 'XMLHttpRequest';
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    }
    const res = await fetch(`${this.sim.url}${path}`, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    const setCookie = res.headers.get('set-cookie');
    if (setCookie && !/Max-Age=0/.test(setCookie)) this.cookie = setCookie.split(';')[0];
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as { success: boolean; msg: string; obj: unknown } };
  }

  async login(password = this.sim.password): Promise<RawResponse> {
    if (this.sim.features.csrf && !this.csrf) {
      const t = await this.req('GET', 'csrf-token');
      this.csrf = (t.json().obj as string) ?? '';
    }
    return this.req('POST', 'login', { json: { username: this.sim.username, password } });
  }

  /** Classic addClient with settings as JSON text. */
  addClient(inboundId: number, clients: Array<Record<string, unknown>>): Promise<RawResponse> {
    return this.req('POST', 'panel/api/inbounds/addClient', { json: { id: inboundId, settings: JSON.stringify({ clients }) } });
  }
}

const sims: XuiSimulator[] = [];
async function start(opts: XuiSimulatorOptions): Promise<XuiSimulator> {
  const sim = await startXuiSimulator({ basePath: '/sim/', ...opts });
  sims.push(sim);
  return sim;
}

afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('3x-ui simulator: routing and authentication', () => {
  it('answers unauthenticated /panel/api calls per version (401 JSON / 307 / 404 / 401 empty)', async () => {
    const expectations: Array<[XuiSimulatorOptions['profile'], [number, string], [number, string]]> = [
      ['G2', [401, 'Your session has expired, please log in again'], [307, '']],
      ['G3', [401, 'Your session has expired, please log in again'], [307, '']],
      ['G4', [404, ''], [404, '']],
      ['G5', [401, ''], [404, '']],
      ['G6', [401, ''], [404, '']],
    ];
    for (const [profile, xhr, plain] of expectations) {
      const sim = await start({ profile });
      const raw = new RawPanel(sim);
      const a = await raw.req('GET', 'panel/api/inbounds/list', { xhr: true });
      expect([profile, a.status]).toEqual([profile, xhr[0]]);
      if (xhr[1]) expect(a.json()).toEqual({ success: false, msg: xhr[1], obj: null });
      else expect(a.text).toBe('');
      const b = await raw.req('GET', 'panel/api/inbounds/list');
      expect([profile, b.status]).toEqual([profile, plain[0]]);
      if (plain[0] === 307) expect(b.headers.get('location')).toBe('/sim/');
    }
  });

  it('issues the version cookie name and attributes with a configurable lifetime', async () => {
    const old = await start({ profile: 'G2', sessionMaxAgeMs: 90_000 });
    const raw = new RawPanel(old);
    const res = await raw.req('POST', 'login', { form: { username: 'admin', password: 'admin' } });
    expect(res.json()).toEqual({ success: true, msg: 'Login Successful', obj: null });
    expect(res.headers.get('set-cookie')).toMatch(/^session=[^;]+; Path=\/; Expires=[^;]+; Max-Age=90; HttpOnly; SameSite=Lax$/);

    const v3 = await start({ profile: 'G6', sessionMaxAgeMs: 90_000 });
    const raw3 = new RawPanel(v3);
    const ok = await raw3.login();
    expect(ok.json()).toEqual({ success: true, msg: ' You have successfully logged into your account.', obj: null });
    expect(ok.headers.get('set-cookie')).toMatch(/^3x-ui=[^;]+; Path=\/sim\/; .*Max-Age=90/);
    expect((await raw3.req('GET', 'panel/api/inbounds/list')).status).toBe(200);
    v3.clock.advance(90_000);
    expect((await raw3.req('GET', 'panel/api/inbounds/list')).status).toBe(404);
  });

  it('needs the CSRF token for login and cookie POSTs from 3.0, never for Bearer', async () => {
    const sim = await start({ profile: 'G5', apiTokens: ['tok-1'] });
    const raw = new RawPanel(sim);
    await raw.req('GET', 'csrf-token');
    const noToken = await raw.req('POST', 'login', { json: { username: 'admin', password: 'admin' } });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toBe('');
    await raw.login();
    expect((await raw.req('POST', 'panel/api/inbounds/onlines', { noCsrf: true })).status).toBe(403);
    expect((await raw.req('POST', 'panel/api/inbounds/onlines')).status).toBe(200);
    const bearer = new RawPanel(sim);
    expect((await bearer.req('POST', 'panel/api/inbounds/onlines', { headers: { authorization: 'Bearer tok-1' } })).status).toBe(200);
    expect((await bearer.req('GET', 'panel/api/inbounds/list', { headers: { authorization: 'Bearer wrong' } })).status).toBe(404);
  });

  it('ignores Bearer tokens before 3.0 and gives a wrong base path a bare 404', async () => {
    const sim = await start({ profile: 'G4', apiTokens: ['tok-1'] });
    const raw = new RawPanel(sim);
    expect((await raw.req('GET', 'panel/api/inbounds/list', { headers: { authorization: 'Bearer tok-1' } })).status).toBe(404);
    const res = await fetch(`${sim.server.url}/other/login`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
  });

  it('blocks a username after 5 failed logins from one IP (3.0+)', async () => {
    const sim = await start({ profile: 'G5' });
    const raw = new RawPanel(sim);
    for (let i = 0; i < 5; i++) expect((await raw.login('nope')).json().success).toBe(false);
    const blocked = await raw.login();
    expect(blocked.json()).toEqual({ success: false, msg: 'Invalid username or password or two-factor code.', obj: null });
    sim.clock.advance(15 * 60_000);
    expect((await raw.login()).json().success).toBe(true);
  });

  it('invalidates sessions on a credential change from 3.0.2 only', async () => {
    for (const [profile, stillValid] of [
      ['G4', 200],
      ['G5', 404],
    ] as const) {
      const sim = await start({ profile });
      const raw = new RawPanel(sim);
      await raw.login();
      sim.setCredentials('admin', 'new-password');
      expect([profile, (await raw.req('GET', 'panel/api/inbounds/list')).status]).toEqual([profile, stillValid]);
    }
  });

  it('exposes the version the way each generation does', async () => {
    const v2 = await start({ profile: 'G3' });
    expect((await new RawPanel(v2).req('GET', '')).text).toContain('custom.min.css?2.8.3');
    const v30 = await start({ profile: 'G5' });
    const raw30 = new RawPanel(v30);
    await raw30.login();
    const status30 = (await raw30.req('GET', 'panel/api/server/status')).json().obj as Record<string, unknown>;
    expect(status30.panelVersion).toBeUndefined();
    expect((await raw30.req('GET', 'panel/')).text).toContain('window.X_UI_CUR_VER="3.0.2"');
    const v31 = await start({ profile: 'G6' });
    const raw31 = new RawPanel(v31);
    await raw31.login();
    expect(((await raw31.req('GET', 'panel/api/server/status')).json().obj as Record<string, unknown>).panelVersion).toBe('3.6.0');
  });
});

describe('3x-ui simulator: version exposure of the real releases', () => {
  it('shows __X_UI_CUR_VER__ on every 3.0.0 page but X_UI_CUR_VER only behind the 3.0.1+ login', async () => {
    const v300 = await start({ profile: 'G5', version: '3.0.0' });
    expect((await new RawPanel(v300).req('GET', '')).text).toContain('window.__X_UI_CUR_VER__="3.0.0"');
    const v301 = await start({ profile: 'G5', version: '3.0.1' });
    const raw = new RawPanel(v301);
    expect((await raw.req('GET', '')).text).not.toContain('CUR_VER');
    await raw.login();
    expect((await raw.req('GET', 'panel/')).text).toContain('window.X_UI_CUR_VER="3.0.1"');
  });

  it('sets the cookie path to the base path from 2.9.0 (before: /)', async () => {
    for (const [version, path] of [
      ['2.8.11', '/'],
      ['2.9.0', '/sim/'],
    ] as const) {
      const sim = await start({ profile: 'G4', version });
      const res = await new RawPanel(sim).login();
      expect([version, /Path=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1]]).toEqual([version, path]);
    }
  });

  it('answers server/status with a null obj before the first sample and dev+<commit> on a 3.5+ dev build', async () => {
    const sim = await start({ profile: 'G6', statusSampled: false, devBuildCommit: '0123456789abcdef' });
    const raw = new RawPanel(sim);
    await raw.login();
    expect((await raw.req('GET', 'panel/api/server/status')).json()).toEqual({ success: true, msg: '', obj: null });
    sim.setStatusSampled(true);
    expect(((await raw.req('GET', 'panel/api/server/status')).json().obj as Record<string, unknown>).panelVersion).toBe('dev+01234567');
    expect((await raw.req('GET', 'panel/')).text).toContain('window.X_UI_CUR_VER="dev+01234567"');
  });
});

describe('3x-ui simulator: client records of 3.1+ releases', () => {
  it('binds update bodies into the release model.Client: 3.5+ refuses allowedIPs sent as record text', async () => {
    const sim = await start({ profile: 'G6' });
    const a = sim.addInbound({ protocol: 'vless', port: 443 });
    const raw = new RawPanel(sim);
    await raw.login();
    await raw.req('POST', 'panel/api/clients/add', { json: { client: { email: 'wg', subId: 'wg' }, inboundIds: [a] } });
    const rec = ((await raw.req('GET', 'panel/api/clients/get/wg')).json().obj as { client: Record<string, unknown> }).client;
    expect(rec).toMatchObject({ allowedIPs: '', keepAlive: 0, group: '', reverse: null });
    const echoed = await raw.req('POST', 'panel/api/clients/update/wg', { json: { ...rec, id: rec.uuid } });
    expect(echoed.json()).toEqual({
      success: false,
      msg: 'Something went wrong (json: cannot unmarshal string into Go struct field Client.allowedIPs of type []string)',
      obj: null,
    });
    const older = await start({ profile: 'G6', version: '3.4.0' });
    const b = older.addInbound({ protocol: 'vless', port: 443 });
    const raw34 = new RawPanel(older);
    await raw34.login();
    await raw34.req('POST', 'panel/api/clients/add', { json: { client: { email: 'wg', subId: 'wg' }, inboundIds: [b] } });
    const rec34 = ((await raw34.req('GET', 'panel/api/clients/get/wg')).json().obj as { client: Record<string, unknown> }).client;
    expect('allowedIPs' in rec34).toBe(false);
    expect((await raw34.req('POST', 'panel/api/clients/update/wg', { json: { ...rec34, id: rec34.uuid } })).json().success).toBe(true);
  });

  it('re-enables the record on resetTraffic from 3.4 only, and keeps omitted secrets on update from 3.4 only', async () => {
    for (const [version, reenabled, keeps] of [
      ['3.3.0', false, false],
      ['3.4.0', true, true],
    ] as const) {
      const sim = await start({ profile: 'G6', version });
      const a = sim.addInbound({ protocol: 'vless', port: 443 });
      const raw = new RawPanel(sim);
      await raw.login();
      await raw.req('POST', 'panel/api/clients/add', { json: { client: { email: 'r', subId: 'r', id: uuid(7), totalGB: 100 }, inboundIds: [a] } });
      sim.setTraffic('r', 60, 60);
      sim.tick();
      await raw.req('POST', 'panel/api/clients/resetTraffic/r');
      const got = ((await raw.req('GET', 'panel/api/clients/get/r')).json().obj as { client: Record<string, unknown> }).client;
      expect([version, got.enable]).toEqual([version, reenabled]);
      await raw.req('POST', 'panel/api/clients/update/r', { json: { email: 'r', subId: 'r', totalGB: 100, enable: true } });
      const after = ((await raw.req('GET', 'panel/api/clients/get/r')).json().obj as { client: Record<string, unknown> }).client;
      expect([version, after.uuid === uuid(7)]).toEqual([version, keeps]);
    }
  });

  it('replaces a Shadowsocks-2022 client password that is not a key of the method size', async () => {
    const sim = await start({ profile: 'G6' });
    const ss = sim.addInbound({ protocol: 'shadowsocks', port: 8388 });
    const raw = new RawPanel(sim);
    await raw.login();
    await raw.req('POST', 'panel/api/clients/add', { json: { client: { email: 's', subId: 's', password: 'short' }, inboundIds: [ss] } });
    const key = ((await raw.req('GET', 'panel/api/clients/get/s')).json().obj as { client: Record<string, unknown> }).client.password as string;
    expect(key).not.toBe('short');
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
  });
});

describe('3x-ui simulator: classic client API', () => {
  it('rejects a duplicate email panel-wide and case-insensitively (2.5+) with the version message', async () => {
    const cases: Array<[XuiSimulatorOptions['profile'], string, string]> = [
      ['G2', '2.5.8', 'Something went wrong! Failed: Duplicate email: ALICE\n'],
      ['G3', '2.8.3', 'Something went wrong (Duplicate email: ALICE\n)'],
    ];
    for (const [profile, version, msg] of cases) {
      const sim = await start({ profile, version });
      const a = sim.addInbound({ protocol: 'vless', port: 443 });
      const b = sim.addInbound({ protocol: 'vless', port: 444 });
      const raw = new RawPanel(sim);
      await raw.login();
      expect((await raw.addClient(a, [{ id: uuid(1), email: 'alice', enable: true }])).json().success).toBe(true);
      expect((await raw.addClient(b, [{ id: uuid(2), email: 'ALICE', enable: true }])).json()).toEqual({ success: false, msg, obj: null });
    }
  });

  it('compares emails exactly before 2.5, so only the same spelling is a duplicate', async () => {
    const sim = await start({ profile: 'G2', version: '2.3.5' });
    const a = sim.addInbound({ protocol: 'vless', port: 443 });
    const b = sim.addInbound({ protocol: 'vless', port: 444 });
    const raw = new RawPanel(sim);
    await raw.login();
    expect((await raw.addClient(a, [{ id: uuid(1), email: 'alice', enable: true }])).json().success).toBe(true);
    expect((await raw.addClient(b, [{ id: uuid(2), email: 'ALICE', enable: true }])).json().success).toBe(true);
    expect((await raw.addClient(b, [{ id: uuid(3), email: 'alice', enable: true }])).json()).toEqual({
      success: false,
      msg: 'Something went wrong! Failed: Duplicate email: alice\n',
      obj: null,
    });
  });

  it('lets one email sit on several inbounds with the same subId from 3.0 only', async () => {
    const sim = await start({ profile: 'G5' });
    const a = sim.addInbound({ protocol: 'vless', port: 443 });
    const b = sim.addInbound({ protocol: 'trojan', port: 444 });
    const raw = new RawPanel(sim);
    await raw.login();
    expect((await raw.addClient(a, [{ id: uuid(1), email: 'carol', subId: 's1', enable: true }])).json().success).toBe(true);
    expect((await raw.addClient(b, [{ password: 'p', email: 'carol', subId: 's1', enable: true }])).json().success).toBe(true);
    expect((await raw.addClient(b, [{ password: 'q', email: 'Carol', subId: 's2', enable: true }])).json().msg).toBe(
      'Something went wrong (Duplicate email: Carol\n)',
    );
    expect(sim.state().clientStats.filter((r) => r.email === 'carol')).toHaveLength(1);
  });

  it('gives settings sent as an object the misleading binding error, and 500 when clients is missing', async () => {
    for (const [profile, prefix] of [
      ['G3', 'Inbound has been successfully updated. ('],
      ['G5', 'Inbound has been successfully updated. ('],
      ['G2', 'Update Failed: '],
    ] as const) {
      const sim = await start({ profile });
      const id = sim.addInbound({ protocol: 'vless', port: 443 });
      const raw = new RawPanel(sim);
      await raw.login();
      const res = await raw.req('POST', 'panel/api/inbounds/addClient', { json: { id, settings: { clients: [{ id: uuid(1), email: 'x' }] } } });
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({
        success: false,
        msg: `${prefix}json: cannot unmarshal object into Go struct field Inbound.settings of type string${profile === 'G2' ? '' : ')'}`,
        obj: null,
      });
      const noClients = await raw.req('POST', 'panel/api/inbounds/addClient', { json: { id, settings: '{"other":[]}' } });
      expect(noClients.status).toBe(500);
      expect(noClients.text).toBe('');
      expect(sim.state().clients).toHaveLength(0);
    }
  });

  it('accepts form bodies, reports a duplicate before an unknown inbound, and checks the protocol key', async () => {
    const sim = await start({ profile: 'G4' });
    const id = sim.addInbound({ protocol: 'trojan', port: 443 });
    const raw = new RawPanel(sim);
    await raw.login();
    const form = await raw.req('POST', 'panel/api/inbounds/addClient', {
      form: { id: String(id), settings: JSON.stringify({ clients: [{ password: 'pw', email: 'dave', enable: true }] }) },
    });
    expect(form.json().success).toBe(true);
    expect((await raw.addClient(999, [{ password: 'pw2', email: 'dave' }])).json().msg).toBe('Something went wrong (Duplicate email: dave\n)');
    expect((await raw.addClient(999, [{ password: 'pw2', email: 'erin' }])).json().msg).toBe('Something went wrong (record not found)');
    expect((await raw.addClient(id, [{ email: 'erin' }])).json().msg).toBe('Something went wrong (empty client ID\n)');
  });

  it('replaces the whole client on updateClient and keeps the counters', async () => {
    const sim = await start({ profile: 'G3' });
    const id = sim.addInbound({ protocol: 'vless', port: 443 });
    const raw = new RawPanel(sim);
    await raw.login();
    await raw.addClient(id, [{ id: uuid(1), email: 'frank', enable: true, tgId: 77, comment: 'keep?', totalGB: 100 }]);
    sim.setTraffic('frank', 10, 20);
    const res = await raw.req('POST', `panel/api/inbounds/updateClient/${uuid(1)}`, {
      json: { id, settings: JSON.stringify({ clients: [{ id: uuid(1), email: 'frank', enable: true, totalGB: 500 }] }) },
    });
    expect(res.json()).toEqual({ success: true, msg: 'Inbound client has been updated.', obj: null });
    const [client] = sim.state().clients;
    expect(client.tgId).toBeUndefined();
    expect(client.comment).toBeUndefined();
    expect(client.totalGB).toBe(500);
    expect(sim.state().clientStats[0]).toMatchObject({ up: 10, down: 20, total: 500 });
    const wrongKey = await raw.req('POST', 'panel/api/inbounds/updateClient/not-a-key', {
      json: { id, settings: JSON.stringify({ clients: [{ id: uuid(1), email: 'frank' }] }) },
    });
    expect(wrongKey.json().msg).toBe('Something went wrong (empty client ID\n)');
  });

  it('returns clientStats in list but null in get/:id', async () => {
    const sim = await start({ profile: 'G4' });
    const id = sim.addInbound({ protocol: 'vless', port: 443 });
    sim.seedClients(id, [{ email: 'gina', up: 5, down: 6 }]);
    const raw = new RawPanel(sim);
    await raw.login();
    const list = (await raw.req('GET', 'panel/api/inbounds/list')).json().obj as Array<Record<string, unknown>>;
    expect(list[0].clientStats).toEqual([expect.objectContaining({ email: 'gina', up: 5, down: 6, inboundId: id })]);
    expect(typeof list[0].settings).toBe('string');
    const one = (await raw.req('GET', `panel/api/inbounds/get/${id}`)).json().obj as Record<string, unknown>;
    expect(one.clientStats).toBeNull();
    expect((await raw.req('GET', 'panel/api/inbounds/get/99')).json().msg).toBe('Obtain (record not found)');
  });

  it('answers an unknown email on getClientTraffics per version', async () => {
    const g3 = await start({ profile: 'G3' });
    const r3 = new RawPanel(g3);
    await r3.login();
    expect((await r3.req('GET', 'panel/api/inbounds/getClientTraffics/nobody')).json()).toEqual({ success: true, msg: '', obj: null });
    const g4 = await start({ profile: 'G4' });
    const r4 = new RawPanel(g4);
    await r4.login();
    expect((await r4.req('GET', 'panel/api/inbounds/getClientTraffics/nobody')).json()).toEqual({
      success: false,
      msg: 'Error getting traffics. (Inbound Not Found For Email: nobody\n)',
      obj: null,
    });
  });

  it('deletes per version: silent or failing unknown id, and never the last client', async () => {
    for (const [profile, unknownMsg] of [
      ['G3', null],
      ['G4', 'Something went wrong (Client Not Found In Inbound For ID: nope\n)'],
    ] as const) {
      const sim = await start({ profile });
      const id = sim.addInbound({ protocol: 'vless', port: 443 });
      sim.seedClients(id, [{ email: 'h1', id: uuid(1) }, { email: 'h2', id: uuid(2) }]);
      const raw = new RawPanel(sim);
      await raw.login();
      const unknown = (await raw.req('POST', `panel/api/inbounds/${id}/delClient/nope`)).json();
      expect(unknown.success).toBe(unknownMsg === null);
      if (unknownMsg) expect(unknown.msg).toBe(unknownMsg);
      expect((await raw.req('POST', `panel/api/inbounds/${id}/delClient/${uuid(1)}`)).json().success).toBe(true);
      expect((await raw.req('POST', `panel/api/inbounds/${id}/delClientByEmail/h2`)).json()).toEqual({
        success: false,
        msg: 'Failed to delete client by email (no client remained in Inbound\n)',
        obj: null,
      });
      expect(sim.state().clientStats.map((r) => r.email)).toEqual(['h2']);
    }
  });

  it('removes the classic client routes in 3.1 and serves /panel/api/clients instead', async () => {
    const sim = await start({ profile: 'G6' });
    const a = sim.addInbound({ protocol: 'vless', port: 443 });
    const raw = new RawPanel(sim);
    await raw.login();
    const classic = await raw.addClient(a, [{ id: uuid(1), email: 'ivan' }]);
    expect(classic.status).toBe(404);
    expect(classic.text).toBe('');
    const add = await raw.req('POST', 'panel/api/clients/add', { json: { client: { email: 'ivan', subId: 'iv', enable: false, tgId: '' }, inboundIds: [a] } });
    expect(add.json()).toEqual({ success: true, msg: 'Inbound client(s) have been added.', obj: null });
    const got = (await raw.req('GET', 'panel/api/clients/get/ivan')).json().obj as { client: Record<string, unknown>; inboundIds: number[] };
    expect(got.client).toMatchObject({ email: 'ivan', enable: true, subId: 'iv' });
    expect(got.client.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.inboundIds).toEqual([a]);
    const again = await raw.req('POST', 'panel/api/clients/add', { json: { client: { email: 'ivan', subId: 'other' }, inboundIds: [a] } });
    expect(again.json().msg).toBe('Something went wrong (email already in use: ivan\n)');
    const sub = await raw.req('POST', 'panel/api/clients/add', { json: { client: { email: 'jane', subId: 'iv' }, inboundIds: [a] } });
    expect(sub.json().msg).toBe('Something went wrong (subId already in use: iv\n)');
    const update = await raw.req('POST', 'panel/api/clients/update/ivan', { json: { email: 'ivan', totalGB: 5 } });
    expect(update.json().success).toBe(true);
    const after = (await raw.req('GET', 'panel/api/clients/get/ivan')).json().obj as { client: Record<string, unknown> };
    expect(after.client).toMatchObject({ enable: false, totalGB: 5, subId: 'iv', uuid: got.client.uuid });
    expect((await raw.req('POST', 'panel/api/clients/del/nobody')).json().msg).toBe(
      'Something went wrong (client "nobody" not found in any inbound or client record\n)',
    );
    const list = (await raw.req('GET', 'panel/api/inbounds/list')).json().obj as Array<Record<string, unknown>>;
    expect(typeof list[0].settings).toBe('object');
  });
});

describe('3x-ui simulator: traffic, enforcement and subscriptions', () => {
  it('grows counters of online clients and disables at quota (>=) and at expiry', async () => {
    for (const [profile, settingsFollows] of [
      ['G3', false],
      ['G4', true],
    ] as const) {
      const sim = await start({ profile });
      const id = sim.addInbound({ protocol: 'vless', port: 443 });
      sim.seedClients(id, [
        { email: 'quota', totalGB: 300 },
        { email: 'time', expiryTime: sim.clock.now() + 15_000 },
      ]);
      sim.setOnline('quota', { up: 100, down: 50 });
      expect(sim.tick().disabled).toEqual([]);
      expect(sim.tick().disabled).toEqual(['quota']);
      sim.clock.advance(15_000);
      expect(sim.tick().disabled).toEqual(['time']);
      const state = sim.state();
      expect(state.clientStats.find((r) => r.email === 'quota')).toMatchObject({ up: 200, down: 100, enable: false });
      expect(state.clients.find((c) => c.email === 'quota')?.enable).toBe(!settingsFollows);
    }
  });

  it('serves base64 links with Subscription-Userinfo in seconds and the version error for unknown ids', async () => {
    for (const [profile, unknownStatus] of [
      ['G5', 400],
      ['G6', 404],
    ] as const) {
      const sim = await start({ profile, sub: { title: 'My VPN' } });
      const id = sim.addInbound({ protocol: 'vless', port: 443, remark: 'r' });
      const expiry = sim.clock.now() + 86_400_000;
      sim.seedClients(id, [{ email: 'kate', subId: 'k1', id: uuid(9), totalGB: 1000, expiryTime: expiry, up: 10, down: 20 }]);
      const res = await fetch(`${sim.subUrl}k1`, { headers: { 'x-forwarded-host': 'vpn.example.com' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('subscription-userinfo')).toBe(`upload=10; download=20; total=1000; expire=${Math.trunc(expiry / 1000)}`);
      expect(res.headers.get('profile-title')).toBe(`base64:${Buffer.from('My VPN').toString('base64')}`);
      const lines = Buffer.from(await res.text(), 'base64').toString('utf8');
      expect(lines.startsWith(`vless://${uuid(9)}@vpn.example.com:443?security=none&type=tcp#r-kate-970.00B%F0%9F%93%8A-1D%E2%8F%B3`)).toBe(true);
      const unknown = await fetch(`${sim.subUrl}missing`);
      expect(unknown.status).toBe(unknownStatus);
    }
  });

  it('drives hooks through the /__sim control plane', async () => {
    const sim = await start({ profile: 'G6' });
    const ib = (await (await fetch(`${sim.server.url}/__sim/inbounds`, { method: 'POST', body: JSON.stringify({ protocol: 'vless', port: 443 }) })).json()) as { id: number };
    await fetch(`${sim.server.url}/__sim/seed`, { method: 'POST', body: JSON.stringify({ inboundId: ib.id, count: 3 }) });
    await fetch(`${sim.server.url}/__sim/online`, { method: 'POST', body: JSON.stringify({ email: 'seed-00001', up: 5, down: 7 }) });
    await fetch(`${sim.server.url}/__sim/tick`, { method: 'POST' });
    const dump = (await (await fetch(`${sim.server.url}/__sim/state`)).json()) as { state: { clientStats: Array<{ email: string; up: number }> }; version: string };
    expect(dump.version).toBe('3.6.0');
    expect(dump.state.clientStats.find((r) => r.email === 'seed-00001')?.up).toBe(5);
    expect(sim.server.requestCount()).toBe(0);
  });
});
