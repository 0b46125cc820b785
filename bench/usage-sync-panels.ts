/** The panels `npm run bench:usage-sync` syncs from: one in-process simulator per target profile. */
import { randomUUID } from 'node:crypto';
import type { SimServerHandle } from '../src/simulators/shared/sim-http';
import { startSuiSimulator } from '../src/simulators/sui/sui.simulator';
import type { SuiProfile } from '../src/simulators/sui/sui.profile';
import { startXuiSimulator } from '../src/simulators/xui/xui.simulator';
import type { XuiProfile } from '../src/simulators/xui/xui.profile';

// Not a real secret: a fixed simulator token so runs are reproducible.
const BENCH_TOKEN = 'bench-token-0123456789abcdefghij';

export type Target = { kind: 'SUI'; profile: SuiProfile; auth: 'token' | 'password' } | { kind: 'XUI'; profile: XuiProfile; auth: 'token' | 'password' };

export const TARGETS: readonly Target[] = [
  { kind: 'SUI', profile: '1.5', auth: 'token' },
  { kind: 'XUI', profile: 'G6', auth: 'token' },
  { kind: 'SUI', profile: '1.3', auth: 'password' },
  { kind: 'XUI', profile: 'G3', auth: 'password' },
  { kind: 'XUI', profile: 'G5', auth: 'password' },
];

export interface Panel {
  label: string;
  server: SimServerHandle;
  kind: 'SUI' | 'XUI';
  url: string;
  creds: { username?: string; password?: string; apiToken?: string };
  /** Seeds clients `{name, up, down}` on the panel. */
  seed(clients: Array<{ name: string; up: number; down: number }>): void;
  close(): Promise<void>;
}

export async function startPanel(t: Target): Promise<Panel> {
  if (t.kind === 'SUI') {
    const sim = await startSuiSimulator({ profile: t.profile, tokens: [BENCH_TOKEN] });
    const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
    return {
      label: `S-UI ${sim.version} (${t.auth})`,
      server: sim.server,
      kind: 'SUI',
      url: sim.url,
      creds: t.auth === 'token' ? { apiToken: sim.token } : { username: sim.username, password: sim.password },
      seed: (clients) => void sim.seedClients(clients, { inboundIds: [inbound.id] }),
      close: () => sim.close(),
    };
  }
  const sim = await startXuiSimulator({ profile: t.profile, apiTokens: [BENCH_TOKEN] });
  const inboundId = sim.addInbound({ protocol: 'vless', port: 443, remark: 'bench' });
  const token = t.auth === 'token' && sim.apiTokens.length > 0;
  return {
    label: `3x-ui ${sim.version} (${token ? 'token' : 'password'})`,
    server: sim.server,
    kind: 'XUI',
    url: sim.url,
    creds: token ? { apiToken: sim.apiTokens[0] } : { username: sim.username, password: sim.password },
    seed: (clients) => void sim.seedClients(inboundId, clients.map((c) => ({ email: c.name, id: randomUUID(), up: c.up, down: c.down }))),
    close: () => sim.close(),
  };
}
