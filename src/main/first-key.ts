import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';

/** Where the first ADMIN key is written when no terminal can show it. */
export function firstKeyFile(dataDir: string): string {
  return path.resolve(dataDir, 'first-admin-key.txt');
}

/**
 * Hands the first-start ADMIN key to the person at the terminal and nowhere else (stdout is
 * where logs are captured): on stderr when it is a terminal, else into `<DATA_DIR>/first-admin-key.txt`
 * with permissions 0600 (the log only says where). Only the key's hash is stored in the database.
 */
export function deliverFirstAdminKey(
  key: string,
  opts: { dataDir: string; graphiql: string; logger: Logger; terminal?: NodeJS.WriteStream },
): { shownOn: 'terminal' } | { file: string } {
  const howTo = `Open ${opts.graphiql} and put it in the Headers tab as\n    {"Authorization": "Bearer ${key}"}\n`;
  const terminal = opts.terminal ?? process.stderr;
  if (terminal.isTTY) {
    terminal.write(`\n  First start: an ADMIN API key was created. It is shown only this once:\n\n    ${key}\n\n  ${howTo}\n`);
    return { shownOn: 'terminal' };
  }
  const file = firstKeyFile(opts.dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, `${key}\n\n${howTo}Delete this file once the key is stored safely.\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  opts.logger.warn({ file }, 'first start: an ADMIN API key was created and written to this file (readable by you only); delete it once stored safely');
  return { file };
}
