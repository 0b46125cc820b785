/**
 * Runs the 3x-ui simulator by hand: `npm run sim:xui -- --port 2053 --profile G6`.
 *
 * Options: `--port` (2053), `--profile` G2|G3|G4|G5|G6 (G6), `--version` (the profile's default),
 * `--sub-port` (2097), `--base-path` (random), `--username`/`--password` (admin/admin),
 * `--token` (a generated one on 3.0+), `--session-max-age-ms` (6 h), `--tick-ms` (10000; the
 * simulated clock follows real time and a traffic tick runs at this interval; 0 = never),
 * `--no-seed` (no sample inbounds), `--help`.
 *
 * The `/__sim/` control plane (faults, request counts, clock, ticks, state) listens on the panel
 * port at the root path. Test credentials only: never point real clients at it.
 */
import { randomBytes } from 'node:crypto';
import { XUI_PROFILES, type XuiProfile } from './xui.profile';
import { startXuiSimulator } from './xui.simulator';

/** Defaults differ from the S-UI simulator's (2095/2096) so both `sim:` commands run side by side. */
const DEFAULT_PORT = 2053;
const DEFAULT_SUB_PORT = 2097;

const HELP = `Usage: npm run sim:xui -- [options]

Runs a 3x-ui panel simulator (test credentials only; never point real clients at it).

  --port <n>                 panel port (default ${DEFAULT_PORT})
  --sub-port <n>             subscription port (default ${DEFAULT_SUB_PORT})
  --profile <p>              ${XUI_PROFILES.join(' | ')} (default G6)
  --version <v>              reported panel version (default: the profile's)
  --base-path <path>         panel base path (default: random)
  --username <name>          login user (default admin)
  --password <password>      login password (default admin)
  --token <token>            bearer API token on 3.0+ (default: a generated one)
  --session-max-age-ms <n>   session lifetime (default 6 h)
  --tick-ms <n>              traffic tick interval, 0 = never (default 10000)
  --no-seed                  start without the sample inbounds
  --help                     print this help and exit
`;

function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out.set(a.slice(2), argv[++i]);
    else out.set(a.slice(2), 'true');
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const args = parseArgs(argv);
  const profile = (args.get('profile') ?? 'G6').toUpperCase() as XuiProfile;
  if (!XUI_PROFILES.includes(profile)) throw new Error(`--profile must be one of ${XUI_PROFILES.join(', ')}`);
  const token = args.get('token') ?? `sim_${randomBytes(18).toString('base64url')}`;
  const sim = await startXuiSimulator({
    profile,
    version: args.get('version'),
    port: Number(args.get('port') ?? DEFAULT_PORT),
    subPort: Number(args.get('sub-port') ?? DEFAULT_SUB_PORT),
    basePath: args.get('base-path'),
    username: args.get('username'),
    password: args.get('password'),
    sessionMaxAgeMs: args.has('session-max-age-ms') ? Number(args.get('session-max-age-ms')) : undefined,
    apiTokens: [token],
  });
  if (args.get('no-seed') !== 'true') {
    const vless = sim.addInbound({ protocol: 'vless', port: 443, remark: 'vless-tcp' });
    sim.addInbound({ protocol: 'trojan', port: 8443, remark: 'trojan-tcp' });
    sim.seedClients(vless, [{ email: 'demo', subId: 'demo' }]);
  }
  const tickMs = Number(args.get('tick-ms') ?? 10_000);
  let last = Date.now();
  const timer =
    tickMs > 0
      ? setInterval(() => {
          const now = Date.now();
          sim.clock.advance(now - last);
          last = now;
          sim.tick();
        }, tickMs)
      : undefined;

  const lines = [
    `3x-ui simulator ${sim.version} (profile ${sim.profile})`,
    `panel:        ${sim.url}`,
    `login:        ${sim.username} / ${sim.password}`,
    sim.apiTokens.length > 0 ? `bearer token: ${sim.apiTokens[0]}` : 'bearer token: (not supported before 3.0)',
    `subscription: ${sim.subUrl}<subId>`,
    `control:      ${sim.server.url}/__sim/ (fault, clear-faults, requests, advance, tick, state, ...)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = (): void => {
    if (timer) clearInterval(timer);
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`sim:xui failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
