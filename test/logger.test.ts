import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ApiKey } from '../src/entities/api-key.entity';
import { Role } from '../src/entities/common';
import { createLogger, scrubText } from '../src/logger';
import { openTestOrm } from './helpers/db';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: 'info' }, stream), lines };
}

describe('logger', () => {
  const botToken = ['123456789', 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0'].join(':');
  const apiKey = 'vpk_AbCdEfGhIj_' + 'Z'.repeat(43);

  it('redacts Authorization headers, passwords, tokens and credentials in structured fields', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        req: { headers: { authorization: `Bearer ${apiKey}`, cookie: 's-ui=abc' } },
        panel: { password: 'hunter2', apiToken: 'tok-123', username: 'admin' },
        credentials: { password: 'x' },
        token: botToken,
      },
      'calling',
    );
    const out = lines.join('');
    for (const secret of [apiKey, 'hunter2', 'tok-123', 's-ui=abc', botToken]) expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
    expect(out).toContain('admin');
  });

  it('masks bot tokens and API keys inside messages and error texts', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error(`request to https://api.telegram.org/bot${botToken}/sendMessage failed`) }, `key ${apiKey} refused`);
    const out = lines.join('');
    expect(out).not.toContain(botToken);
    expect(out).not.toContain(apiKey);
    expect(scrubText(`x ${botToken} y`)).toBe('x [REDACTED] y');
  });
});

describe('logger and failed SQL statements', () => {
  it("redacts the values of a failed statement (a key's secret_hash) from the message, stack and detail, keeping what failed", async () => {
    const orm = await openTestOrm(2);
    try {
      const prefix = `p${Date.now().toString(36)}`.slice(0, 10);
      const secretHash = 'f00dfeed'.repeat(8);
      const em = orm.em.fork();
      em.create(ApiKey, { name: 'first', role: Role.SUPPORT, prefix, secretHash: 'a'.repeat(64), createdBy: 'test' });
      await em.flush();
      const em2 = orm.em.fork();
      em2.create(ApiKey, { name: 'second', role: Role.SUPPORT, prefix, secretHash, createdBy: 'test' });
      const err = await em2.flush().then(
        () => null,
        (e: unknown) => e,
      );
      expect(String((err as Error).message)).toContain(secretHash);
      const { logger, lines } = capture();
      logger.error({ err }, 'insert failed');
      logger.error(`worker: ${(err as Error).message}`);
      const out = lines.join('');
      expect(out).not.toContain(secretHash);
      expect(out).not.toContain(prefix);
      expect(out).toContain('api_key');
      expect(out).toContain('duplicate key');
      expect(out).toMatch(/at .*\.[jt]s:\d+:\d+/);
    } finally {
      await orm.close(true);
    }
  });
});

describe('logger output format', () => {
  const run = (tty: boolean) =>
    spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', `process.stdout.isTTY = ${tty}; require('./src/logger').createLogger({ level: 'info' }).info({ password: 'hunter2' }, 'hello there')`],
      { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' },
    ).stdout;

  it('prints readable lines on a terminal and JSON lines otherwise, redacted either way', () => {
    const pretty = run(true);
    expect(pretty).toContain('hello there');
    expect(pretty.trim().startsWith('{')).toBe(false);
    expect(pretty).not.toContain('hunter2');
    const json = JSON.parse(run(false).trim()) as { msg: string; password: string };
    expect(json).toMatchObject({ msg: 'hello there', password: '[REDACTED]' });
  });
});
