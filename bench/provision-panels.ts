/**
 * The two simulated panels of `bench:provision`, in a child process of their own: real panels are
 * other machines, so their CPU must not compete with the worker's event loop (it still counts in
 * the machine's CPU, and the bench prints it apart). The parent drives them through the
 * simulators' HTTP control plane (`/__sim/...`, src/simulators/README.md).
 *
 * Run as a child (`fork`), this file starts S-UI 1.5 (API token) and 3x-ui 3.0.2 (password login)
 * with one VLESS inbound each and sends their addresses to the parent.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { startSuiSimulator } from '../src/simulators/sui/sui.simulator';
import { startXuiSimulator } from '../src/simulators/xui/xui.simulator';

/** What the child reports once both panels listen. */
interface PanelsInfo {
  sui: { url: string; version: string };
  xui: { url: string; version: string; username: string; password: string };
}

/** One panel as the parent sees it: counters and faults over the control plane. */
export interface RemotePanel {
  url: string;
  version: string;
  requestCount(): Promise<number>;
  resetCounters(): Promise<void>;
  /** Adds `ms` to every request from now on. */
  slowEveryRequest(ms: number): Promise<void>;
}

export interface RemotePanels {
  sui: RemotePanel;
  xui: RemotePanel & { username: string; password: string };
  pid: number;
  close(): Promise<void>;
}

async function control(url: string, method: 'GET' | 'POST', route: string, body?: unknown): Promise<Record<string, unknown>> {
  const origin = new URL(url).origin;
  const res = await fetch(`${origin}/__sim/${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (json.ok !== true) throw new Error(`simulator control ${route}: ${JSON.stringify(json)}`);
  return json;
}

function remote(url: string, version: string): RemotePanel {
  return {
    url,
    version,
    requestCount: async () => Number((await control(url, 'GET', 'requests')).count),
    resetCounters: async () => {
      await control(url, 'POST', 'reset-counters');
    },
    slowEveryRequest: async (ms) => {
      await control(url, 'POST', 'fault', { fault: { kind: 'slow', ms }, times: 'Infinity' });
    },
  };
}

/** Starts the panels in a child process (the same TypeScript loader as this process). */
export async function startRemotePanels(token: string): Promise<RemotePanels> {
  const execArgv = __filename.endsWith('.ts') ? ['-r', 'ts-node/register'] : [];
  const child: ChildProcess = fork(__filename, ['--panels-child', token], {
    execArgv,
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const info = await new Promise<PanelsInfo>((resolve, reject) => {
    child.once('message', (m) => resolve(m as PanelsInfo));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the panels' process exited (${code})`)));
  });
  return {
    sui: remote(info.sui.url, info.sui.version),
    xui: { ...remote(info.xui.url, info.xui.version), username: info.xui.username, password: info.xui.password },
    pid: child.pid!,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function runChild(token: string): Promise<void> {
  const sui = await startSuiSimulator({ profile: '1.5', tokens: [token] });
  sui.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
  const xui = await startXuiSimulator({ profile: 'G5', apiTokens: [token] });
  xui.addInbound({ protocol: 'vless', port: 443, remark: 'bench' });
  const info: PanelsInfo = {
    sui: { url: sui.url, version: sui.version },
    xui: { url: xui.url, version: xui.version, username: xui.username, password: xui.password },
  };
  process.send!(info);
  const stop = (): void => {
    void Promise.allSettled([sui.close(), xui.close()]).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}

if (process.argv[2] === '--panels-child') void runChild(process.argv[3] ?? '');
