import { randomBytes, randomUUID } from 'node:crypto';
import type { PanelHttpOptions } from '../../src/clients/panel-http';
import type { ClientSpec } from '../../src/clients/panel.types';
import { XuiAdapter } from '../../src/clients/xui.adapter';
import { startXuiSimulator, type XuiSimulator } from '../../src/simulators/xui/xui.simulator';
import { rawAdd, rawSession } from '../helpers/xui-raw';

const GiB = 1024 ** 3;
const DAY = 86_400_000;
const FAST: Partial<PanelHttpOptions> = { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 2 };

/** PANELS.md Part E: what a second add of the same client (same email and subId) to one inbound does. */
const VERSIONS = [
  { version: '3.0.2', secondAdd: 'appends' },
  { version: '3.1.0', secondAdd: 'refuses' },
  { version: '3.2.7', secondAdd: 'refuses' },
  { version: '3.2.8', secondAdd: 'appends' },
  { version: '3.4.1', secondAdd: 'appends' },
  { version: '3.5.0', secondAdd: 'skips' },
] as const;

describe.each(VERSIONS)('3x-ui $version: one client per name in one inbound', ({ version, secondAdd }) => {
  let sim: XuiSimulator;
  let inbound: number;
  let headers: Record<string, string>;
  const adapters: XuiAdapter[] = [];

  const spec = (name: string): ClientSpec => ({
    name,
    uuid: randomUUID(),
    password: randomBytes(12).toString('hex'),
    enabled: true,
    trafficLimitBytes: 10 * GiB,
    expiresAt: new Date(sim.clock.now() + 30 * DAY),
    deviceLimit: 0,
    inboundIds: [String(inbound)],
  });
  const copiesOf = (email: string) => sim.state().clients.filter((c) => c.email === email);
  const newAdapter = (): XuiAdapter => {
    const a = new XuiAdapter({ serverId: `xui-${version}`, kind: 'XUI', baseUrl: sim.url, username: sim.username, password: sim.password }, FAST);
    adapters.push(a);
    return a;
  };

  beforeAll(async () => {
    const profile = version.startsWith('3.0') ? 'G5' : 'G6';
    sim = await startXuiSimulator({ profile, version, basePath: '/copies/' });
    inbound = sim.addInbound({ protocol: 'vless', port: 443, remark: 'main' });
    sim.seedClients(inbound, [{ email: 'filler' }]);
    headers = await rawSession(sim);
  });
  afterEach(() => sim.server.clearFaults());
  afterAll(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await sim.close();
  });

  it(`${secondAdd} a second add of the same client to one inbound (simulator fidelity)`, async () => {
    const s = spec('twice-raw');
    expect((await rawAdd(sim, headers, inbound, s)).success).toBe(true);
    const second = await rawAdd(sim, headers, inbound, s);
    expect(second.success).toBe(secondAdd !== 'refuses');
    if (secondAdd === 'refuses') expect(second.msg).toContain('UNIQUE constraint failed: client_inbounds');
    expect(copiesOf('twice-raw')).toHaveLength(secondAdd === 'appends' ? 2 : 1);
  });

  it('leaves one client when two ensureClient calls for it run at the same time', async () => {
    // A slow add lets both calls look the client up before either add lands (as two racing jobs would).
    sim.server.injectFault({ fault: { kind: 'slow', ms: 150 }, times: Infinity, match: { method: 'POST', pathIncludes: sim.features.clientRoutes ? 'clients/add' : 'addClient' } });
    const adapter = newAdapter();
    const s = spec('twice-ensure');
    const results = await Promise.all([adapter.ensureClient(s), adapter.ensureClient({ ...s })]);
    expect(results.map((r) => r.action).sort()).toEqual(['created', 'unchanged']);
    expect(copiesOf('twice-ensure')).toHaveLength(1);
  });

  if (secondAdd === 'appends') {
    it('updates only the first copy, and ensureClient collapses the copies to one with the counters kept', async () => {
      const s = spec('two-copies');
      await rawAdd(sim, headers, inbound, s);
      await rawAdd(sim, headers, inbound, s);
      sim.setTraffic('two-copies', 1000, 2000);
      const adapter = newAdapter();
      // The panel's update reaches the first copy only: the copies disagree from now on.
      const raw = await fetch(
        sim.features.clientRoutes ? `${sim.url}panel/api/clients/update/two-copies` : `${sim.url}panel/api/inbounds/updateClient/${s.uuid}`,
        {
          method: 'POST',
          headers,
          body: sim.features.clientRoutes
            ? JSON.stringify({ id: s.uuid, email: s.name, subId: s.name, enable: true, totalGB: 5 * GiB, expiryTime: 0, limitIp: 0 })
            : JSON.stringify({ id: inbound, settings: JSON.stringify({ clients: [{ id: s.uuid, email: s.name, subId: s.name, enable: true, totalGB: 5 * GiB, expiryTime: 0, limitIp: 0, flow: '' }] }) }),
        },
      );
      expect(((await raw.json()) as { success: boolean }).success).toBe(true);
      expect(copiesOf('two-copies').map((c) => c.totalGB)).toEqual([5 * GiB, 10 * GiB]);

      const listed = (await adapter.listClients()).filter((c) => c.name === 'two-copies');
      expect(listed).toHaveLength(2);

      const res = await adapter.ensureClient(s);
      expect(res.action).toBe('updated');
      const left = copiesOf('two-copies');
      expect(left).toHaveLength(1);
      expect(left[0].totalGB).toBe(s.trafficLimitBytes);
      expect(left[0].id).toBe(s.uuid);
      const client = await adapter.getClient('two-copies');
      expect(client && client.upBytes + client.downBytes).toBe(3000);
      expect((await adapter.listClients()).filter((c) => c.name === 'two-copies')).toHaveLength(1);
    });
  }
});
