/**
 * Usage-pull benchmark (`npm run bench:panel-usage`): 5 simulated panels (S-UI and 3x-ui of
 * several versions) holding 10,000 clients between them; one `listUsage()` on all 5 in parallel.
 *
 * Prints, per server, the panel requests the pull needed (from the simulator's request counter)
 * and the clients returned, then the wall time. Exits non-zero when a server needed more than
 * 2 requests for the pull, returned the wrong number of clients, or failed.
 *
 * Sessions are warmed up first (`detect()` + `listInbounds()`, which log in where needed), so
 * the count is the steady-state cost of a pull; the warm-up requests are printed too.
 */
import { performance } from 'node:perf_hooks';
import { createPanelAdapter } from '../src/clients/panel.factory';
import type { PanelAdapter, PanelConnection } from '../src/clients/panel.types';
import type { SimServerHandle } from '../src/simulators/shared/sim-http';
import { startSuiSimulator } from '../src/simulators/sui/sui.simulator';
import type { SuiProfile } from '../src/simulators/sui/sui.profile';
import { startXuiSimulator } from '../src/simulators/xui/xui.simulator';
import type { XuiProfile } from '../src/simulators/xui/xui.profile';

const TOTAL_CLIENTS = 10_000;
const MAX_REQUESTS_PER_PULL = 2;

type Target =
  | { kind: 'SUI'; profile: SuiProfile; auth: 'token' | 'password' }
  | { kind: 'XUI'; profile: XuiProfile; auth: 'token' | 'password' };

const TARGETS: readonly Target[] = [
  { kind: 'SUI', profile: '1.5', auth: 'token' },
  { kind: 'SUI', profile: '1.3', auth: 'password' },
  { kind: 'XUI', profile: 'G3', auth: 'password' },
  { kind: 'XUI', profile: 'G5', auth: 'password' },
  { kind: 'XUI', profile: 'G6', auth: 'token' },
];

interface Running {
  label: string;
  seeded: number;
  server: SimServerHandle;
  conn: PanelConnection;
  close: () => Promise<void>;
}

// Not a real secret: a fixed simulator token so runs are reproducible.
const BENCH_TOKEN = 'bench-token-0123456789abcdefghij';

async function startTarget(t: Target, index: number, count: number): Promise<Running> {
  const serverId = `bench-${index + 1}`;
  const prefix = `u${index + 1}-`;
  if (t.kind === 'SUI') {
    const sim = await startSuiSimulator({ profile: t.profile, tokens: [BENCH_TOKEN] });
    const inbound = sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
    sim.seedClients(count, { inboundIds: [inbound.id], prefix });
    const conn: PanelConnection =
      t.auth === 'token'
        ? { serverId, kind: 'SUI', baseUrl: sim.url, apiToken: sim.token }
        : { serverId, kind: 'SUI', baseUrl: sim.url, username: sim.username, password: sim.password };
    return { label: `S-UI ${sim.version} (${t.auth})`, seeded: count, server: sim.server, conn, close: () => sim.close() };
  }
  const sim = await startXuiSimulator({ profile: t.profile, apiTokens: [BENCH_TOKEN] });
  const inboundId = sim.addInbound({ protocol: 'vless', port: 443, remark: 'bench' });
  sim.seedClients(inboundId, count, prefix);
  const useToken = t.auth === 'token' && sim.apiTokens.length > 0;
  const conn: PanelConnection = useToken
    ? { serverId, kind: 'XUI', baseUrl: sim.url, apiToken: sim.apiTokens[0] }
    : { serverId, kind: 'XUI', baseUrl: sim.url, username: sim.username, password: sim.password };
  return {
    label: `3x-ui ${sim.version} (${useToken ? 'token' : 'password'})`,
    seeded: count,
    server: sim.server,
    conn,
    close: () => sim.close(),
  };
}

interface Row {
  server: string;
  panel: string;
  warmupRequests: number;
  pullRequests: number;
  clients: number;
  expected: number;
  ms: number;
  error?: string;
}

function table(rows: Row[]): string {
  const head = ['server', 'panel', 'warm-up req', 'pull req', 'clients', 'expected', 'pull ms', 'result'];
  const body = rows.map((r) => [
    r.server,
    r.panel,
    String(r.warmupRequests),
    String(r.pullRequests),
    String(r.clients),
    String(r.expected),
    r.ms.toFixed(0),
    r.error ?? (r.pullRequests <= MAX_REQUESTS_PER_PULL && r.clients === r.expected ? 'ok' : 'FAIL'),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  const per = Math.floor(TOTAL_CLIENTS / TARGETS.length);
  const counts = TARGETS.map((_, i) => (i === 0 ? TOTAL_CLIENTS - per * (TARGETS.length - 1) : per));

  const seedStart = performance.now();
  const running: Running[] = [];
  const adapters: PanelAdapter[] = [];
  try {
    for (const [i, t] of TARGETS.entries()) running.push(await startTarget(t, i, counts[i]));
    const seedMs = performance.now() - seedStart;

    for (const r of running) adapters.push(createPanelAdapter(r.conn, { maxRetries: 0 }));

    const warmup = await Promise.all(
      running.map(async (r, i) => {
        try {
          await adapters[i].detect();
          await adapters[i].listInbounds();
          return { requests: r.server.requestCount() };
        } catch (err) {
          return { requests: r.server.requestCount(), error: errorText(err) };
        }
      }),
    );
    for (const r of running) r.server.resetCounters();

    const pullStart = performance.now();
    const rows = await Promise.all(
      running.map(async (r, i): Promise<Row> => {
        const base: Row = {
          server: r.conn.serverId,
          panel: r.label,
          warmupRequests: warmup[i].requests,
          pullRequests: 0,
          clients: 0,
          expected: r.seeded,
          ms: 0,
        };
        if (warmup[i].error) return { ...base, error: `warm-up: ${warmup[i].error}` };
        const t0 = performance.now();
        try {
          const usage = await adapters[i].listUsage();
          return { ...base, pullRequests: r.server.requestCount(), clients: usage.length, ms: performance.now() - t0 };
        } catch (err) {
          return { ...base, pullRequests: r.server.requestCount(), ms: performance.now() - t0, error: errorText(err) };
        }
      }),
    );
    const wallMs = performance.now() - pullStart;

    console.log(table(rows));
    console.log('');
    console.log(`seeded ${TOTAL_CLIENTS} clients on ${TARGETS.length} simulated panels in ${seedMs.toFixed(0)} ms`);
    console.log(`usage pull of all ${TARGETS.length} panels in parallel: ${wallMs.toFixed(0)} ms wall time`);

    const failed = rows.filter((r) => r.error !== undefined || r.pullRequests > MAX_REQUESTS_PER_PULL || r.clients !== r.expected);
    if (failed.length > 0) {
      console.error(`FAIL: ${failed.map((r) => r.server).join(', ')} (more than ${MAX_REQUESTS_PER_PULL} requests, wrong count or error)`);
      return 1;
    }
    console.log(`OK: every server answered the pull in at most ${MAX_REQUESTS_PER_PULL} requests`);
    return 0;
  } finally {
    await Promise.allSettled(adapters.map((a) => a.close()));
    await Promise.allSettled(running.map((r) => r.close()));
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}${'code' in err ? ` ${String((err as { code: unknown }).code)}` : ''}`;
  return 'unknown error';
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error('bench failed:', errorText(err));
    process.exitCode = 1;
  },
);
