import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Role } from '../../src/entities/common';
import { Server } from '../../src/entities/server.entity';
import { startSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { startXuiSimulator, type XuiSimulator } from '../../src/simulators/xui/xui.simulator';
import { errorCode, makeKey, startTestApi, type TestApi } from '../helpers/api';

const ADD = `mutation($i: AddServerInput!) { addServer(input: $i) { id name kind status detectedVersion versionProfile capacity load inbounds { remoteId tag protocol port } } }`;

describe('servers in GraphQL', () => {
  let t: TestApi;
  let orm: MikroORM;
  let key: string;
  let sui: SuiSimulator;
  let xui: XuiSimulator;

  beforeAll(async () => {
    t = await startTestApi();
    orm = t.orm;
    key = await makeKey(orm, Role.ADMIN);
    sui = await startSuiSimulator({ profile: '1.5' });
    sui.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
    sui.addInbound({ type: 'trojan', tag: 'trojan-8443', listen_port: 8443 });
    xui = await startXuiSimulator({ profile: 'G6', apiTokens: ['t'.repeat(32)] });
    xui.addInbound({ protocol: 'vless', port: 2083, remark: 'main' });
  });
  afterAll(async () => {
    await sui.close();
    await xui.close();
    await Promise.all(extra.map((s) => s.close()));
    await t.close();
  });

  // One server per panel: tests that add a server of their own get a panel of their own.
  const extra: SuiSimulator[] = [];
  const ownSui = async (): Promise<SuiSimulator> => {
    const s = await startSuiSimulator({ profile: '1.5' });
    s.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
    extra.push(s);
    return s;
  };

  it('adds an S-UI server after a connection test, with its version and inbounds', async () => {
    const name = `sui-${randomUUID()}`;
    const res = await t.gql<{ addServer: Record<string, unknown> & { inbounds: Array<{ tag: string }> } }>(
      ADD,
      { i: { name, kind: 'SUI', baseUrl: sui.url, username: sui.username, password: sui.password, capacity: 50 } },
      { key },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.addServer).toMatchObject({ name, kind: 'SUI', status: 'HEALTHY', detectedVersion: sui.version, versionProfile: '1.5', capacity: 50, load: 0 });
    expect(res.data!.addServer.inbounds.map((i) => i.tag).sort()).toEqual(['trojan-8443', 'vless-443']);
  });

  it('adds a 3x-ui server with a Bearer token', async () => {
    const res = await t.gql<{ addServer: { versionProfile: string; inbounds: Array<{ port: number }> } }>(
      ADD,
      { i: { name: `xui-${randomUUID()}`, kind: 'XUI', baseUrl: xui.url, apiToken: xui.apiTokens[0] } },
      { key },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.addServer.versionProfile).toBe('G6');
    expect(res.data!.addServer.inbounds.map((i) => i.port)).toEqual([2083]);
  });

  it('stores credentials encrypted and never returns them', async () => {
    const name = `secret-${randomUUID()}`;
    const password = `pw-${randomUUID()}`;
    const panel = await startSuiSimulator({ profile: '1.4', password });
    try {
      const res = await t.gql(ADD, { i: { name, kind: 'SUI', baseUrl: panel.url, username: 'admin', password } }, { key });
      expect(JSON.stringify(res)).not.toContain(password);
      const row = await orm.em.fork().findOneOrFail(Server, { name });
      expect(row.credentialsEnc).not.toContain(password);
      expect(t.services.secrets.decryptJson<{ password: string }>(row.credentialsEnc).password).toBe(password);
      const list = await t.gql('{ servers { id name baseUrl } }', {}, { key });
      expect(JSON.stringify(list)).not.toContain(password);
    } finally {
      await panel.close();
    }
  });

  it('refuses wrong credentials with PANEL_AUTH_FAILED and saves nothing', async () => {
    const name = `bad-${randomUUID()}`;
    const panel = await ownSui();
    const res = await t.gql(ADD, { i: { name, kind: 'SUI', baseUrl: panel.url, username: 'admin', password: 'wrong' } }, { key });
    expect(errorCode(res)).toBe('PANEL_AUTH_FAILED');
    expect(await orm.em.fork().count(Server, { name })).toBe(0);
  });

  it('refuses an unreachable panel with PANEL_UNAVAILABLE unless the test is skipped', async () => {
    const name = `down-${randomUUID()}`;
    const input = { name, kind: 'XUI', baseUrl: 'http://127.0.0.1:1/panel/', username: 'a', password: 'b' };
    expect(errorCode(await t.gql(ADD, { i: input }, { key }))).toBe('PANEL_UNAVAILABLE');
    const saved = await t.gql<{ addServer: { status: string } }>(ADD, { i: { ...input, skipConnectionTest: true } }, { key });
    expect(saved.data!.addServer.status).toBe('UNKNOWN');
  });

  it('tells a wrong web base path apart from a dead port, in addServer and in testServer', async () => {
    const wrongPath = `${new URL(sui.url).origin}/not-the-panel/`;
    const wrong = await t.gql(ADD, { i: { name: `wp-${randomUUID()}`, kind: 'SUI', baseUrl: wrongPath, username: sui.username, password: sui.password } }, { key });
    expect(wrong.errors?.[0].extensions?.details).toMatchObject({ failure: 'WRONG_PATH', reachable: true });
    expect(wrong.errors?.[0].message).toMatch(/answers, but there is no panel at this web base path/);
    const dead = await t.gql(ADD, { i: { name: `dp-${randomUUID()}`, kind: 'SUI', baseUrl: 'http://127.0.0.1:1/app/', username: 'a', password: 'b' } }, { key });
    expect(dead.errors?.[0].extensions?.details).toMatchObject({ failure: 'UNREACHABLE', reachable: false });
    expect(dead.errors?.[0].message).toMatch(/Nothing answers at this address/);

    const saved = await t.gql<{ addServer: { id: string } }>(ADD, { i: { name: `ws-${randomUUID()}`, kind: 'SUI', baseUrl: wrongPath, username: 'a', password: 'b', skipConnectionTest: true } }, { key });
    const test = await t.gql<{ testServer: { reachable: boolean; failure: string; error: string } }>(
      'mutation($id: ID!) { testServer(id: $id) { reachable failure error } }',
      { id: saved.data!.addServer.id },
      { key },
    );
    expect(test.data!.testServer).toMatchObject({ reachable: true, failure: 'WRONG_PATH' });
  });

  it('refuses a server without usable credentials with BAD_USER_INPUT', async () => {
    const res = await t.gql(ADD, { i: { name: `x-${randomUUID()}`, kind: 'SUI', baseUrl: sui.url, username: 'admin' } }, { key });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  it('tests a saved server, syncs its inbounds, and reports load', async () => {
    const sui = await ownSui();
    const add = await t.gql<{ addServer: { id: string } }>(
      ADD,
      { i: { name: `t-${randomUUID()}`, kind: 'SUI', baseUrl: sui.url, username: sui.username, password: sui.password } },
      { key },
    );
    const id = add.data!.addServer.id;
    const test = await t.gql<{ testServer: { reachable: boolean; loggedIn: boolean; version: string; inbounds: unknown[] } }>(
      'mutation($id: ID!) { testServer(id: $id) { reachable loggedIn version inbounds { tag } } }',
      { id },
      { key },
    );
    expect(test.data!.testServer).toMatchObject({ reachable: true, loggedIn: true, version: sui.version });
    sui.addInbound({ type: 'vmess', tag: 'vmess-2053', listen_port: 2053 });
    const sync = await t.gql<{ syncInbounds: Array<{ tag: string }> }>('mutation($id: ID!) { syncInbounds(id: $id) { tag } }', { id }, { key });
    expect(sync.data!.syncInbounds.map((i) => i.tag)).toContain('vmess-2053');
    const one = await t.gql<{ server: { load: number; activeSubscriptions: number } }>(
      'query($id: ID!) { server(id: $id) { load activeSubscriptions } }',
      { id },
      { key },
    );
    expect(one.data!.server).toEqual({ load: 0, activeSubscriptions: 0 });
  });

  it('updates a server and switches it off for new placements', async () => {
    const sui = await ownSui();
    const add = await t.gql<{ addServer: { id: string } }>(
      ADD,
      { i: { name: `u-${randomUUID()}`, kind: 'SUI', baseUrl: sui.url, username: sui.username, password: sui.password } },
      { key },
    );
    const id = add.data!.addServer.id;
    const upd = await t.gql<{ updateServer: { capacity: number; serverGroup: string } }>(
      'mutation($id: ID!) { updateServer(id: $id, input: { capacity: 3, serverGroup: "eu" }) { capacity serverGroup } }',
      { id },
      { key },
    );
    expect(upd.data!.updateServer).toEqual({ capacity: 3, serverGroup: 'eu' });
    const off = await t.gql<{ setServerActive: { active: boolean } }>('mutation($id: ID!) { setServerActive(id: $id, active: false) { active } }', { id }, { key });
    expect(off.data!.setServerActive.active).toBe(false);
  });
});
