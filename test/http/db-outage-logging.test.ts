import type { MikroORM } from '@mikro-orm/postgresql';
import { Writable } from 'node:stream';
import { Role } from '../../src/entities/common';
import { createApi, type ApiHandle } from '../../src/http/api-server';
import { createLogger } from '../../src/logger';
import { openOrm } from '../../src/main/orm';
import { makeKey, testConfig } from '../helpers/api';
import { workerDatabaseUrl } from '../helpers/db';
import { startPgProxy, type PgProxy } from '../helpers/pg-proxy';
import { testServices } from '../helpers/services';

describe('API during a database outage', () => {
  let proxy: PgProxy;
  let orm: MikroORM;
  let api: ApiHandle;
  let url: string;
  let key: string;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _enc, cb) {
        for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        cb();
      },
    });
    const logger = createLogger({ level: 'info' }, stream);
    proxy = await startPgProxy(workerDatabaseUrl());
    orm = await openOrm(proxy.url, 4, logger);
    key = await makeKey(orm, Role.ADMIN);
    api = await createApi({ config: testConfig(), logger, orm, services: testServices(orm) });
    url = `http://127.0.0.1:${await api.start()}`;
  });

  afterAll(async () => {
    proxy.up();
    await api.stop();
    await orm.close(true);
    await proxy.close();
  });

  const post = (requestId: string, query: string, auth: boolean) =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...(auth ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query }),
    });

  it('logs every failed request at error level with its request id, then recovers by itself', async () => {
    const consoleLog = jest.spyOn(console, 'log');
    expect((await post('before-outage', '{ me { role } }', true)).status).toBe(200);
    proxy.down();
    const failed = [
      { id: 'outage-anonymous', query: '{ plans { id } }', auth: false },
      { id: 'outage-authenticated', query: '{ me { role } }', auth: true },
    ];
    for (const f of failed) {
      const res = await post(f.id, f.query, f.auth);
      const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      expect(body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(res.headers.get('x-request-id')).toBe(f.id);
      const logged = lines.filter((l) => l.requestId === f.id && l.level === 'error');
      expect(logged.length).toBeGreaterThanOrEqual(1);
    }
    // No error line without a request id: each failure can be traced to its request.
    expect(lines.filter((l) => l.level === 'error' && typeof l.requestId !== 'string')).toEqual([]);
    // The driver's own connection messages go to the logger, not to bare console lines.
    expect(consoleLog).not.toHaveBeenCalled();
    consoleLog.mockRestore();
    proxy.up();
    const after = await post('after-outage', '{ me { role } }', true);
    expect(((await after.json()) as { data?: { me?: { role?: string } } }).data?.me?.role).toBe('ADMIN');
  });
});
