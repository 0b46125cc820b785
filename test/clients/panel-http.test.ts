import net from 'node:net';
import { z } from 'zod';
import { CookieJar, PanelHttp, type PanelHttpOptions } from '../../src/clients/panel-http';
import { PanelError, sanitizePanelMessage } from '../../src/clients/panel-error';
import { startSimServer, type SimRequest, type SimResponse, type SimServerHandle } from '../../src/simulators/shared/sim-http';

type Handler = (req: SimRequest) => Promise<SimResponse> | SimResponse;

const ok = (body: unknown = { success: true, msg: '', obj: null }): SimResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function caught(p: Promise<unknown>): Promise<PanelError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PanelError) return err;
    throw err;
  }
  throw new Error('expected a PanelError');
}

describe('PanelHttp', () => {
  const servers: SimServerHandle[] = [];
  const transports: PanelHttp[] = [];
  let handler: Handler;
  let sleeps: number[];

  const start = async (): Promise<SimServerHandle> => {
    const s = await startSimServer({ handle: (req) => handler(req) });
    servers.push(s);
    return s;
  };
  const transport = (baseUrl: string, opts: Partial<PanelHttpOptions> = {}): PanelHttp => {
    const t = new PanelHttp({
      serverId: 'srv-1',
      baseUrl,
      baseDelayMs: 1,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...opts,
    });
    transports.push(t);
    return t;
  };

  beforeEach(() => {
    handler = () => ok();
    sleeps = [];
  });

  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('joins the path to the base path and sends query, form and json bodies', async () => {
    const seen: SimRequest[] = [];
    handler = (req) => {
      seen.push(req);
      return ok();
    };
    const s = await start();
    const http = transport(`${s.url}/app`);
    await http.request({ operation: 'op', method: 'GET', path: 'api/clients', query: { id: 7, skip: undefined }, idempotent: true });
    await http.request({ operation: 'op', method: 'POST', path: '/api/save', form: { object: 'clients', data: '{"a":1}' }, idempotent: false });
    await http.request({ operation: 'op', method: 'POST', path: 'panel/api/x', json: { a: [1] }, idempotent: false });
    expect(seen[0].path).toBe('/app/api/clients');
    expect(seen[0].query.toString()).toBe('id=7');
    expect(seen[1].path).toBe('/app/api/save');
    expect(seen[1].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(seen[1].rawBody.toString()))).toEqual({ object: 'clients', data: '{"a":1}' });
    expect(seen[2].headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[2].rawBody.toString())).toEqual({ a: [1] });
    expect(http.baseUrl).toBe(`${s.url}/app/`);
  });

  it('retries an idempotent request on 5xx with growing backoff, then succeeds', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'status', status: 503 }, times: 2 });
    const http = transport(`${s.url}/`, { baseDelayMs: 100, random: () => 0.999 });
    const res = await http.request({ operation: 'op', method: 'GET', path: 'x', idempotent: true });
    expect(res.status).toBe(200);
    expect(s.requestCount()).toBe(3);
    expect(sleeps).toEqual([99, 199]);
    expect(http.stats()).toMatchObject({ requests: 3, retries: 2, breakerState: 'closed' });
  });

  it('caps the backoff at maxDelayMs', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'status', status: 500 }, times: 3 });
    const http = transport(`${s.url}/`, { baseDelayMs: 1000, maxDelayMs: 1500, random: () => 0.999 });
    await http.request({ operation: 'op', method: 'GET', path: 'x', idempotent: true });
    expect(sleeps).toEqual([999, 1498, 1498]);
  });

  it('fails with a retryable PANEL_UNAVAILABLE when 5xx persists beyond the retries', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'status', status: 502 }, times: Infinity });
    const http = transport(`${s.url}/`, { maxRetries: 2 });
    const err = await caught(http.request({ operation: 'xui.list', method: 'GET', path: 'x', idempotent: true }));
    expect(err.code).toBe('PANEL_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.status).toBe(502);
    expect(err.operation).toBe('xui.list');
    expect(err.serverId).toBe('srv-1');
    expect(s.requestCount()).toBe(3);
  });

  it('retries an idempotent request answered with an empty 200 like a 5xx, then succeeds', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'empty' }, times: 2 });
    const http = transport(`${s.url}/`);
    const res = await http.request({ operation: 'op', method: 'GET', path: 'x', idempotent: true });
    expect(JSON.parse(res.text)).toEqual({ success: true, msg: '', obj: null });
    expect(s.requestCount()).toBe(3);
    expect(http.stats()).toMatchObject({ retries: 2 });
  });

  it('fails with a retryable PANEL_UNAVAILABLE when the empty 200 persists beyond the retries', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'empty' }, times: Infinity });
    const http = transport(`${s.url}/`, { maxRetries: 2 });
    const err = await caught(http.request({ operation: 'xui.list', method: 'GET', path: 'x', idempotent: true }));
    expect(err).toMatchObject({ code: 'PANEL_UNAVAILABLE', retryable: true, status: 200 });
    expect(s.requestCount()).toBe(3);
  });

  it('returns an empty 200 of a non-idempotent request without sending it again', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'empty' }, times: Infinity });
    const http = transport(`${s.url}/`);
    const res = await http.request({ operation: 'add', method: 'POST', path: 'add', form: {}, idempotent: false });
    expect(res).toMatchObject({ status: 200, text: '' });
    expect(s.requestCount()).toBe(1);
  });

  it('does not retry a non-idempotent request after a 5xx', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'status', status: 500 }, times: Infinity });
    const http = transport(`${s.url}/`);
    const err = await caught(http.request({ operation: 'add', method: 'POST', path: 'add', form: {}, idempotent: false }));
    expect(err).toMatchObject({ code: 'PANEL_UNAVAILABLE', retryable: true, status: 500 });
    expect(s.requestCount()).toBe(1);
  });

  it('retries a non-idempotent request on 429, honouring Retry-After up to the cap', async () => {
    const s = await start();
    let n = 0;
    handler = () => (++n === 1 ? { status: 429, headers: { 'retry-after': '2' } } : ok());
    const http = transport(`${s.url}/`, { maxDelayMs: 1500, random: () => 0 });
    const res = await http.request({ operation: 'add', method: 'POST', path: 'add', idempotent: false });
    expect(res.status).toBe(200);
    expect(sleeps).toEqual([1500]);
  });

  it('creates the client once when the create response is lost', async () => {
    const s = await start();
    let created = 0;
    handler = () => {
      created += 1;
      return ok();
    };
    s.injectFault({ fault: { kind: 'lost-reply' } });
    const http = transport(`${s.url}/`);
    const err = await caught(http.request({ operation: 'add', method: 'POST', path: 'add', form: { a: 'b' }, idempotent: false }));
    expect(err).toMatchObject({ code: 'PANEL_UNAVAILABLE', retryable: true });
    expect(err.status).toBeUndefined();
    expect(created).toBe(1);
    expect(s.requestCount()).toBe(1);
    expect(http.stats().retries).toBe(0);
  });

  it('retries an idempotent request after a lost reply or a reset', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'lost-reply' } });
    s.injectFault({ fault: { kind: 'reset' } });
    const http = transport(`${s.url}/`);
    const res = await http.request({ operation: 'update', method: 'POST', path: 'upd', idempotent: true });
    expect(res.status).toBe(200);
    expect(s.requestCount()).toBe(3);
  });

  it('retries a refused connection even for a non-idempotent request', async () => {
    const port = await freePort();
    let late: SimServerHandle | undefined;
    const http = transport(`http://127.0.0.1:${port}/app/`, {
      sleep: async (ms) => {
        sleeps.push(ms);
        // The panel comes up after the second failure.
        if (sleeps.length === 2) {
          late = await startSimServer({ port, handle: () => ok() });
          servers.push(late);
        }
      },
    });
    const res = await http.request({ operation: 'add', method: 'POST', path: 'add', idempotent: false });
    expect(res.status).toBe(200);
    expect(http.stats().retries).toBe(2);
    expect(late?.requestCount()).toBe(1);
  });

  it('fails with a retryable PANEL_UNAVAILABLE when the connection stays refused', async () => {
    const port = await freePort();
    const http = transport(`http://127.0.0.1:${port}/`, { maxRetries: 1 });
    const err = await caught(http.request({ operation: 'health', method: 'GET', path: 'x', idempotent: true }));
    expect(err).toMatchObject({ code: 'PANEL_UNAVAILABLE', retryable: true });
    expect(err.message).toBe('The panel server cannot be reached right now.');
    expect(http.stats().requests).toBe(2);
  });

  // undici checks headers/body timeouts on a ~0.5 s tick, so a 50 ms timeout fires after 0.5-1 s.
  it('turns a headers timeout into PANEL_UNAVAILABLE and does not retry it when not idempotent', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'slow', ms: 5000 } });
    const http = transport(`${s.url}/`, { headersTimeoutMs: 50 });
    const err = await caught(http.request({ operation: 'add', method: 'POST', path: 'add', idempotent: false }));
    expect(err).toMatchObject({ code: 'PANEL_UNAVAILABLE', retryable: true });
    expect((err.cause as { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(s.requestCount()).toBe(1);
  });

  it('retries an idempotent request after a headers timeout', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'slow', ms: 5000 } });
    const http = transport(`${s.url}/`, { headersTimeoutMs: 50 });
    const res = await http.request({ operation: 'get', method: 'GET', path: 'x', idempotent: true });
    expect(res.status).toBe(200);
    expect(s.requestCount()).toBe(2);
  });

  it('turns a body timeout into PANEL_UNAVAILABLE', async () => {
    const s = await start();
    handler = () => ok({ success: true, msg: '', obj: 'x'.repeat(1000) });
    s.injectFault({ fault: { kind: 'slow-body', ms: 5000 }, times: Infinity });
    const http = transport(`${s.url}/`, { bodyTimeoutMs: 50, maxRetries: 0 });
    const err = await caught(http.request({ operation: 'list', method: 'GET', path: 'x', idempotent: true }));
    expect(err).toMatchObject({ code: 'PANEL_UNAVAILABLE', retryable: true });
    expect((err.cause as { code?: string }).code).toBe('UND_ERR_BODY_TIMEOUT');
    expect(s.requestCount()).toBe(1);
  });

  it('returns 4xx and 3xx responses without following redirects', async () => {
    const s = await start();
    handler = (req) =>
      req.path === '/r' ? { status: 307, headers: { location: '/login' } } : { status: 404, body: '' };
    const http = transport(`${s.url}/`);
    const r1 = await http.request({ operation: 'op', method: 'GET', path: 'r', idempotent: true });
    expect(r1.status).toBe(307);
    expect(r1.headers.location).toBe('/login');
    const r2 = await http.request({ operation: 'op', method: 'GET', path: 'missing', idempotent: true });
    expect(r2.status).toBe(404);
    expect(s.requestCount()).toBe(2);
    expect(http.stats().retries).toBe(0);
  });

  it('opens the breaker after the threshold, fails fast, then half-opens and closes on a good probe', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'status', status: 500 }, times: Infinity });
    let now = 1_000_000;
    const http = transport(`${s.url}/`, { maxRetries: 0, breaker: { failureThreshold: 3, openMs: 10_000 }, now: () => now });
    const get = () => http.request({ operation: 'op', method: 'GET', path: 'x', idempotent: true });
    for (let i = 0; i < 3; i++) await expect(get()).rejects.toMatchObject({ status: 500 });
    expect(http.stats().breakerState).toBe('open');

    const fast = await caught(get());
    expect(fast).toMatchObject({ code: 'PANEL_UNAVAILABLE', retryable: true });
    expect(fast.status).toBeUndefined();
    expect(s.requestCount()).toBe(3);

    now += 10_000;
    expect(http.stats().breakerState).toBe('half-open');
    // A failing probe re-opens the circuit for another openMs.
    await expect(get()).rejects.toMatchObject({ status: 500 });
    expect(http.stats().breakerState).toBe('open');
    expect(s.requestCount()).toBe(4);

    now += 10_000;
    s.clearFaults();
    expect((await get()).status).toBe(200);
    expect(http.stats().breakerState).toBe('closed');
    expect((await get()).status).toBe(200);
  });

  it('lets only one probe through while half-open', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'status', status: 500 }, times: 1 });
    let now = 0;
    const http = transport(`${s.url}/`, { maxRetries: 0, breaker: { failureThreshold: 1, openMs: 100 }, now: () => now });
    const get = () => http.request({ operation: 'op', method: 'GET', path: 'x', idempotent: true });
    await expect(get()).rejects.toBeInstanceOf(PanelError);
    now = 100;
    s.injectFault({ fault: { kind: 'slow', ms: 50 } });
    const results = await Promise.allSettled([get(), get(), get()]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(s.requestCount()).toBe(2);
    expect(http.stats().breakerState).toBe('closed');
  });

  it('stops retrying when the breaker opens mid-request', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'status', status: 503 }, times: Infinity });
    const http = transport(`${s.url}/`, { maxRetries: 10, breaker: { failureThreshold: 4 } });
    const err = await caught(http.request({ operation: 'op', method: 'GET', path: 'x', idempotent: true }));
    expect(err.code).toBe('PANEL_UNAVAILABLE');
    expect(s.requestCount()).toBe(4);
  });

  it('keeps at most `concurrency` requests in flight at the panel', async () => {
    let current = 0;
    let peak = 0;
    handler = async () => {
      current += 1;
      peak = Math.max(peak, current);
      await new Promise((r) => setTimeout(r, 20));
      current -= 1;
      return ok();
    };
    const s = await start();
    const http = transport(`${s.url}/`, { concurrency: 3 });
    const all = Array.from({ length: 12 }, (_, i) =>
      http.request({ operation: 'op', method: 'GET', path: `x${i}`, idempotent: true }),
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(http.stats().queued).toBe(9);
    const res = await Promise.all(all);
    expect(res.every((r) => r.status === 200)).toBe(true);
    expect(peak).toBe(3);
    expect(s.requestCount()).toBe(12);
    expect(http.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('stores session cookies, sends them back, and forgets them on Max-Age=0', async () => {
    const cookiesSeen: (string | undefined)[] = [];
    handler = (req) => {
      cookiesSeen.push(req.headers.cookie);
      if (req.path === '/login') return { status: 200, headers: { 'set-cookie': ['3x-ui=abc; Path=/; Max-Age=3600; HttpOnly', 'lang=en; Path=/'] }, body: '{}' };
      if (req.path === '/logout') return { status: 200, headers: { 'set-cookie': '3x-ui=; Path=/; Max-Age=0' }, body: '{}' };
      return ok();
    };
    const s = await start();
    const http = transport(`${s.url}/`);
    const send = (path: string) => http.request({ operation: 'op', method: 'POST', path, idempotent: true });
    await send('api');
    await send('login');
    expect(http.cookies.get('3x-ui')).toBe('abc');
    await send('api');
    await send('logout');
    await send('api');
    expect(cookiesSeen).toEqual([undefined, undefined, '3x-ui=abc; lang=en', '3x-ui=abc; lang=en', 'lang=en']);
    http.cookies.clear();
    await send('api');
    expect(cookiesSeen[5]).toBeUndefined();
  });

  it('never puts credentials from the base URL into requests or errors', async () => {
    const s = await start();
    s.injectFault({ fault: { kind: 'status', status: 500, body: 'password=hunter22' }, times: Infinity });
    const http = transport(`http://admin:hunter22@127.0.0.1:${s.port}/app/`, { maxRetries: 0 });
    expect(http.baseUrl).toBe(`http://127.0.0.1:${s.port}/app/`);
    const err = await caught(http.request({ operation: 'login', method: 'POST', path: 'login', form: { password: 'hunter22' }, idempotent: false }));
    const dump = JSON.stringify({ message: err.message, details: err.details, stack: err.stack, cause: String(err.cause) });
    expect(dump).not.toContain('hunter22');
    expect(dump).not.toContain('admin');
  });

  it('fails queued requests when closed', async () => {
    handler = async () => {
      await new Promise((r) => setTimeout(r, 30));
      return ok();
    };
    const s = await start();
    const http = transport(`${s.url}/`, { concurrency: 1 });
    const first = http.request({ operation: 'op', method: 'GET', path: 'a', idempotent: true });
    const second = http.request({ operation: 'op', method: 'GET', path: 'b', idempotent: true });
    await new Promise((r) => setTimeout(r, 5));
    const closing = http.close();
    await expect(second).rejects.toMatchObject({ code: 'PANEL_UNAVAILABLE', retryable: false });
    await Promise.allSettled([first]);
    await closing;
    expect(http.stats()).toMatchObject({ inFlight: 0, queued: 0 });
    await expect(http.request({ operation: 'op', method: 'GET', path: 'c', idempotent: true })).rejects.toBeInstanceOf(PanelError);
  });

  describe('parseJson', () => {
    const schema = z.object({ success: z.boolean(), msg: z.string(), obj: z.unknown() });
    const http = new PanelHttp({ serverId: 'srv-2', baseUrl: 'http://127.0.0.1:9/' });
    afterAll(() => http.close());
    const res = (text: string) => ({ status: 200, headers: {}, text });

    it('returns the parsed value', () => {
      expect(http.parseJson(res('{"success":true,"msg":"","obj":[1]}'), schema, 'op')).toEqual({ success: true, msg: '', obj: [1] });
    });

    it('rejects an empty 200 body as retryable (the 3x-ui empty-200 pitfall)', () => {
      let err: unknown;
      try {
        http.parseJson(res('  \n'), schema, 'xui.addClient');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PanelError);
      expect(err).toMatchObject({ code: 'PANEL_REJECTED', retryable: true, operation: 'xui.addClient', serverId: 'srv-2', status: 200 });
    });

    it('rejects a non-JSON body and a schema mismatch as not retryable, with a generic message', () => {
      expect(() => http.parseJson(res('<html>login</html>'), schema, 'op')).toThrow(
        expect.objectContaining({ code: 'PANEL_REJECTED', retryable: false, message: 'The panel refused the request.' }),
      );
      let err: PanelError | undefined;
      try {
        http.parseJson(res('{"success":"no","msg":"Duplicate email: a@b\\n","obj":null}'), schema, 'op');
      } catch (e) {
        err = e as PanelError;
      }
      expect(err).toMatchObject({ code: 'PANEL_REJECTED', retryable: false, panelMessage: 'Duplicate email: a@b' });
      expect(err?.message).toBe('The panel refused the request.');
    });
  });
});

describe('CookieJar', () => {
  it('expires cookies by Max-Age and Expires, Max-Age winning', () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const jar = new CookieJar(() => now);
    jar.storeFromHeader([
      's-ui=a; Max-Age=60; Expires=Wed, 01 Jan 2031 00:00:00 GMT',
      'b=2; Expires=Wed, 01 Jan 2025 00:02:00 GMT',
      'c=3',
    ]);
    expect(jar.header()).toBe('s-ui=a; b=2; c=3');
    now += 61_000;
    expect(jar.header()).toBe('b=2; c=3');
    now += 60_000;
    expect(jar.header()).toBe('c=3');
    jar.storeFromHeader('c=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(jar.header()).toBeUndefined();
    expect(jar.size).toBe(0);
  });

  it('ignores malformed cookies and keeps values containing =', () => {
    const jar = new CookieJar();
    jar.storeFromHeader(['novalue', '=x', 'tok=a=b==; Path=/']);
    expect(jar.header()).toBe('tok=a=b==');
  });
});

describe('sanitizePanelMessage', () => {
  it('redacts credentials and known secrets, collapses whitespace and trims to 300 chars', () => {
    expect(sanitizePanelMessage('login failed password=hunter2 token: abc Bearer xyz.123\n', ['s3cret'])).toBe(
      'login failed password=[redacted] token: [redacted] Bearer [redacted]',
    );
    expect(sanitizePanelMessage('bad s3cret here', ['s3cret'])).toBe('bad [redacted] here');
    expect(sanitizePanelMessage('see http://u:p@host/x')).toBe('see http://[redacted]@host/x');
    expect(sanitizePanelMessage('x'.repeat(400))).toHaveLength(300);
  });
});
