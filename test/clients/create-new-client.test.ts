import { randomBytes, randomUUID } from 'node:crypto';
import type { PanelHttpOptions } from '../../src/clients/panel-http';
import type { ClientSpec } from '../../src/clients/panel.types';
import { SuiAdapter } from '../../src/clients/sui.adapter';
import { SuiApi } from '../../src/clients/sui.api';
import { XuiAdapter } from '../../src/clients/xui.adapter';
import type { SuiProfile } from '../../src/simulators/sui/sui.profile';
import { startSuiSimulator, type SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import type { XuiProfile } from '../../src/simulators/xui/xui.profile';
import { startXuiSimulator, type XuiSimulator } from '../../src/simulators/xui/xui.simulator';

const GiB = 1024 ** 3;
const DAY = 86_400_000;
const FAST: Partial<PanelHttpOptions> = { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 2 };
/** Clients the panel already holds: a first create must not cost more on a full panel. */
const HELD = 600;

function specOf(name: string, inboundId: number | string, now: number): ClientSpec {
  return {
    name,
    uuid: randomUUID(),
    password: randomBytes(12).toString('hex'),
    enabled: true,
    trafficLimitBytes: 10 * GiB,
    expiresAt: new Date(now + 30 * DAY),
    deviceLimit: 2,
    inboundIds: [String(inboundId)],
  };
}

const SUI: Array<{ profile: SuiProfile; version?: string; label: string }> = [
  { profile: '1.2', label: '1.2' },
  { profile: '1.3', label: '1.3' },
  { profile: '1.3', version: '1.3.4', label: '1.3.4 (save errors lost)' },
  { profile: '1.4', label: '1.4' },
  { profile: '1.5', label: '1.5' },
];

describe.each(SUI)('creating a new client on S-UI $label', ({ profile, version }) => {
  let sim: SuiSimulator;
  let adapter: SuiAdapter;
  let inbound: number;

  beforeAll(async () => {
    sim = await startSuiSimulator({ profile, version });
    inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 }).id;
    sim.seedClients(HELD, { inboundIds: [inbound] });
    adapter = new SuiAdapter({ serverId: 'srv', kind: 'SUI', baseUrl: sim.url, username: sim.username, password: sim.password }, FAST);
    // A running worker's adapter has logged in and detected the version already.
    await adapter.listInbounds();
    await adapter.detect();
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });
  afterEach(() => sim.server.clearFaults());

  it('makes two panel requests (save, then the new row by id) on a panel holding many clients, and returns the links a look-up would', async () => {
    sim.server.resetCounters();
    const listed = jest.spyOn(SuiApi.prototype, 'listSummaries');
    const spec = specOf(`new-${randomUUID().slice(0, 8)}`, inbound, Date.now());
    const links = await adapter.createNewClient(spec);
    expect(sim.server.requestCount()).toBeLessThanOrEqual(2);
    expect(sim.server.requestCount({ method: 'POST', pathIncludes: 'api/save' })).toBe(1);
    // No `GET clients` of every summary (the save's own answer lists them all: that is S-UI's API).
    expect(listed).not.toHaveBeenCalled();
    listed.mockRestore();
    expect(links.length).toBeGreaterThan(0);
    expect(links).toEqual(await adapter.getLinks(spec.name));
    expect(sim.state().clients.filter((c) => c.name === spec.name)).toHaveLength(1);
  });

  it('looks the client up after a lost create answer and never creates it twice, also when the job is retried', async () => {
    const spec = specOf(`lost-${randomUUID().slice(0, 8)}`, inbound, Date.now());
    sim.server.injectFault({ fault: { kind: 'lost-reply' }, times: 1, match: { method: 'POST', pathIncludes: 'api/save' } });
    const links = await adapter.createNewClient(spec);
    expect(links).toEqual(await adapter.getLinks(spec.name));
    // A retry of the job looks the client up (its intent is recorded) and leaves one.
    for (let i = 0; i < 2; i++) await adapter.ensureClient(spec);
    expect(sim.state().clients.filter((c) => c.name === spec.name)).toHaveLength(1);
  });
});

const XUI: Array<{ profile: XuiProfile; version: string; token: boolean }> = [
  { profile: 'G2', version: '2.3.5', token: false },
  { profile: 'G3', version: '2.8.3', token: false },
  { profile: 'G4', version: '2.9.4', token: false },
  { profile: 'G5', version: '3.0.0', token: false },
  { profile: 'G5', version: '3.0.2', token: false },
  { profile: 'G5', version: '3.0.2', token: true },
  { profile: 'G6', version: '3.1.0', token: false },
  { profile: 'G6', version: '3.3.0', token: false },
  { profile: 'G6', version: '3.6.0', token: false },
  { profile: 'G6', version: '3.6.0', token: true },
];
const TOKEN = 'create-new-client-token-0123456789';

describe.each(XUI)('creating a new client on 3x-ui $version (API token: $token)', ({ profile, version, token }) => {
  let sim: XuiSimulator;
  let adapter: XuiAdapter;
  let inbound: number;
  const clientRoutes = profile === 'G6';

  beforeAll(async () => {
    sim = await startXuiSimulator({ profile, version, apiTokens: [TOKEN] });
    inbound = sim.addInbound({ protocol: 'vless', port: 443, remark: 'main' });
    sim.seedClients(inbound, Array.from({ length: HELD }, (_, i) => ({ email: `held-${i}` })));
    adapter = new XuiAdapter({ serverId: 'srv', kind: 'XUI', baseUrl: sim.url, ...(token ? { apiToken: TOKEN } : { username: sim.username, password: sim.password }) }, FAST);
    // A running worker's adapter has logged in, detected the version and read the inbounds already.
    await adapter.listInbounds();
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });
  afterEach(() => sim.server.clearFaults());

  const copiesOf = (email: string): number => sim.state().clients.filter((c) => typeof c.email === 'string' && c.email.toLowerCase() === email.toLowerCase()).length;

  it('makes at most two panel requests and downloads no client list on a panel holding many clients, and returns the links a look-up would', async () => {
    sim.server.resetCounters();
    const spec = specOf(`new-${randomUUID().slice(0, 8)}`, inbound, sim.clock.now());
    const links = await adapter.createNewClient(spec);
    expect(sim.server.requestCount()).toBeLessThanOrEqual(2);
    expect(sim.server.requestCount({ pathIncludes: '/list' })).toBe(0);
    expect(sim.server.requestCount({ pathIncludes: clientRoutes ? 'clients/get/' : 'inbounds/get/' })).toBe(0);
    expect(links.length).toBeGreaterThan(0);
    expect(links).toEqual(await adapter.getLinks(spec.name));
    expect(copiesOf(spec.name)).toBe(1);
  });

  it('looks the client up after a lost create answer and never creates it twice, also when the job is retried', async () => {
    const spec = specOf(`lost-${randomUUID().slice(0, 8)}`, inbound, sim.clock.now());
    sim.server.injectFault({ fault: { kind: 'lost-reply' }, times: 1, match: { method: 'POST', pathIncludes: clientRoutes ? 'clients/add' : 'addClient' } });
    const links = await adapter.createNewClient(spec);
    expect(links).toEqual(await adapter.getLinks(spec.name));
    for (let i = 0; i < 2; i++) await adapter.ensureClient(spec);
    expect(copiesOf(spec.name)).toBe(1);
  });
});
