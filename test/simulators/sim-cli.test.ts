import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

async function help(entry: string): Promise<string> {
  // execFile resolves only when the process exits: a simulator that started instead would hang here.
  const { stdout } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', entry, '--help'], {
    cwd: root,
    timeout: 25_000,
  });
  return stdout;
}

function defaultOf(text: string, option: string): number {
  const m = new RegExp(`${option} <n>\\s+.*\\(default (\\d+)\\)`).exec(text);
  if (!m) throw new Error(`no default for ${option} in:\n${text}`);
  return Number(m[1]);
}

describe('simulator command lines', () => {
  let sui: string;
  let xui: string;
  beforeAll(async () => {
    [sui, xui] = await Promise.all([help('src/simulators/sui/main.ts'), help('src/simulators/xui/main.ts')]);
  }, 30_000);

  it('sim:sui --help and sim:xui --help print usage and exit without starting a panel', () => {
    for (const text of [sui, xui]) {
      expect(text).toMatch(/^Usage: npm run sim:(sui|xui) -- \[options\]/);
      expect(text).toContain('--help');
      expect(text).not.toMatch(/^\s*panel:/m);
    }
  });

  it('the two simulators default to four different ports, so both sim: commands run side by side', () => {
    const ports = [defaultOf(sui, '--port'), defaultOf(sui, '--sub-port'), defaultOf(xui, '--port'), defaultOf(xui, '--sub-port')];
    expect(new Set(ports).size).toBe(4);
  });
});
