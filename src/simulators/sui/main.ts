/**
 * Runs the S-UI simulator by hand:
 *
 *   npm run sim:sui -- --port 2095 --profile 1.5 [--sub-port 2096] [--help] [--base-path /app/]
 *                      [--sub-path /sub/] [--user admin] [--pass admin] [--token <32 chars>]
 *                      [--session-minutes 0] [--duplicate-names accept|reject] [--no-seed] [--host 127.0.0.1]
 *
 * Prints the panel URL, the credentials and an `/apiv2` token, seeds two inbounds (vless-443,
 * trojan-8443) unless `--no-seed`, runs the traffic tick and deplete job on real timers, and
 * exposes the `/__sim/` control plane on the panel port. Stops on SIGINT/SIGTERM.
 */
import { isSuiProfile, SUI_PROFILES } from './sui.profile';
import { startSuiSimulator } from './sui.simulator';

/** Defaults differ from the 3x-ui simulator's (2053/2097) so both `sim:` commands run side by side. */
const DEFAULT_PORT = 2095;
const DEFAULT_SUB_PORT = 2096;

const HELP = `Usage: npm run sim:sui -- [options]

Runs an S-UI panel simulator (test credentials only; never point real clients at it).

  --port <n>               panel port (default ${DEFAULT_PORT})
  --sub-port <n>           subscription port (default ${DEFAULT_SUB_PORT})
  --profile <p>            ${SUI_PROFILES.join(' | ')} (default 1.5)
  --host <addr>            listen address (default 127.0.0.1)
  --base-path <path>       panel base path (default /app/)
  --sub-path <path>        subscription path (default /sub/)
  --user <name>            login user (default admin)
  --pass <password>        login password (default admin)
  --token <32 chars>       /apiv2 token (default: a generated one)
  --session-minutes <n>    session lifetime in minutes (0 = browser session)
  --duplicate-names <m>    accept | reject (default accept)
  --no-seed                start without the vless-443 and trojan-8443 inbounds
  --help                   print this help and exit
`;

interface Args {
  [key: string]: string | boolean | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const out: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      out[a.slice(2)] = argv[++i];
    } else {
      out[a.slice(2)] = true;
    }
  }
  return out;
}

function str(args: Args, key: string): string | undefined {
  const v = args[key];
  return typeof v === 'string' ? v : undefined;
}

function int(args: Args, key: string): number | undefined {
  const v = str(args, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${key} must be a non-negative integer`);
  return n;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const args = parseArgs(argv);
  const profile = str(args, 'profile') ?? '1.5';
  if (!isSuiProfile(profile)) throw new Error(`--profile must be one of ${SUI_PROFILES.join(', ')}`);
  const dup = str(args, 'duplicate-names') ?? 'accept';
  if (dup !== 'accept' && dup !== 'reject') throw new Error('--duplicate-names must be accept or reject');
  const sessionMinutes = int(args, 'session-minutes');
  const token = str(args, 'token');

  const sim = await startSuiSimulator({
    profile,
    port: int(args, 'port') ?? DEFAULT_PORT,
    subPort: int(args, 'sub-port') ?? DEFAULT_SUB_PORT,
    host: str(args, 'host'),
    basePath: str(args, 'base-path'),
    subPath: str(args, 'sub-path'),
    username: str(args, 'user'),
    password: str(args, 'pass'),
    tokens: token ? [token] : undefined,
    sessionMaxAgeMs: sessionMinutes !== undefined ? sessionMinutes * 60_000 : undefined,
    duplicateNames: dup,
    autoJobs: true,
  });
  if (args['no-seed'] !== true && profile !== '1.1') {
    sim.addInbound({ type: 'vless', tag: 'vless-443', listen_port: 443 });
    sim.addInbound({ type: 'trojan', tag: 'trojan-8443', listen_port: 8443 });
  }

  const lines = [
    `S-UI simulator (profile ${profile}, reports version ${sim.version})`,
    `  panel:        ${sim.url}`,
    `  subscription: ${sim.subUrl}<client name>`,
    `  login:        ${sim.username} / ${sim.password}`,
    profile === '1.1' ? '  token API:    none (S-UI 1.1 has no /apiv2)' : `  token:        ${sim.token}   (header "Token" on ${sim.url}apiv2/...)`,
    `  control:      ${sim.server.url}/__sim/ (state, tick, deplete, traffic, online, seed, inbound, fault, advance, ...)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // The job timers are unref'd; keep the process alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
