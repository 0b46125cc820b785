import type { ClientSpec } from '../../src/clients/panel.types';
import type { XuiSimulator } from '../../src/simulators/xui/xui.simulator';

/** Logs in to a 3.0+ simulator with plain fetch (CSRF) and returns headers for cookie-authenticated calls. */
export async function rawSession(sim: XuiSimulator): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const t = await fetch(`${sim.url}csrf-token`);
  headers.cookie = (t.headers.get('set-cookie') ?? '').split(';')[0];
  headers['x-csrf-token'] = ((await t.json()) as { obj: string }).obj;
  const login = await fetch(`${sim.url}login`, { method: 'POST', headers, body: JSON.stringify({ username: sim.username, password: sim.password }) });
  headers.cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  return headers;
}

/**
 * Adds the client straight through the panel's API, without looking it up first: the add of a
 * racing second writer (subId = the client name, as the adapter sends it).
 */
export async function rawAdd(sim: XuiSimulator, headers: Record<string, string>, inboundId: number, s: Pick<ClientSpec, 'name' | 'uuid' | 'trafficLimitBytes' | 'expiresAt'>): Promise<{ success: boolean; msg: string }> {
  const client = { id: s.uuid, email: s.name, subId: s.name, enable: true, totalGB: s.trafficLimitBytes, expiryTime: s.expiresAt?.getTime() ?? 0, limitIp: 0, tgId: 0, comment: '', reset: 0, flow: '' };
  const res = sim.features.clientRoutes
    ? await fetch(`${sim.url}panel/api/clients/add`, { method: 'POST', headers, body: JSON.stringify({ client, inboundIds: [inboundId] }) })
    : await fetch(`${sim.url}panel/api/inbounds/addClient`, { method: 'POST', headers, body: JSON.stringify({ id: inboundId, settings: JSON.stringify({ clients: [client] }) }) });
  return (await res.json()) as { success: boolean; msg: string };
}
