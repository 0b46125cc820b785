import { Writable } from 'node:stream';
import { createLogger, scrubText } from '../src/logger';

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
