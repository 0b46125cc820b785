import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { deliverFirstAdminKey } from '../../src/main/first-key';

describe('first-start ADMIN key', () => {
  const key = 'vpk_AbCdEfGhIj_' + 'k'.repeat(43);

  it('is shown on the terminal (stderr) when there is one, and written nowhere else', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vp-key-'));
    let shown = '';
    const terminal = Object.assign(
      new Writable({
        write(chunk, _enc, cb) {
          shown += String(chunk);
          cb();
        },
      }),
      { isTTY: true },
    ) as unknown as NodeJS.WriteStream;
    const logged: string[] = [];
    const logger = createLogger({ level: 'info' }, new Writable({ write: (c, _e, cb) => (logged.push(String(c)), cb()) }));
    expect(deliverFirstAdminKey(key, { dataDir, graphiql: 'http://localhost/graphiql', logger, terminal })).toEqual({ shownOn: 'terminal' });
    expect(shown).toContain(key);
    expect(fs.readdirSync(dataDir)).toEqual([]);
    expect(logged.join('')).not.toContain(key);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
