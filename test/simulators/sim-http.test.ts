import { Agent, request } from 'undici';
import {
  handleControlRequest,
  SimClock,
  startSimServer,
  type SimEvent,
  type SimRequest,
  type SimServerHandle,
} from '../../src/simulators/shared/sim-http';

describe('sim-http harness', () => {
  let server: SimServerHandle;
  let agent: Agent;
  let applied: string[];
  let clock: SimClock;

  beforeEach(async () => {
    applied = [];
    clock = new SimClock(1_000_000);
    agent = new Agent({ headersTimeout: 2000, bodyTimeout: 2000 });
    server = await startSimServer({
      handle: async (req: SimRequest, srv) => {
        const control = await handleControlRequest(req, srv, clock, async (r) =>
          r.path === '/__sim/ping' ? { status: 200, body: 'pong' } : null,
        );
        if (control) return control;
        if (req.path === '/boom') throw new Error('secret internals');
        applied.push(`${req.method} ${req.path} ${req.rawBody.toString('utf8')}`);
        return {
          status: 200,
          headers: { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] },
          body: JSON.stringify({ path: req.path, q: req.query.get('x'), body: req.rawBody.toString('utf8') }),
        };
      },
    });
  });

  afterEach(async () => {
    await server.close();
    await agent.close();
  });

  const call = (method: string, path: string, body?: string) =>
    request(`${server.url}${path}`, { method: method as 'GET', body, dispatcher: agent });

  it('passes the parsed request to the handler and sends its answer', async () => {
    const res = await call('POST', '/app/api/save?x=42', 'data=1');
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(await res.body.json()).toEqual({ path: '/app/api/save', q: '42', body: 'data=1' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('counts requests with method and path filters and resets the counters', async () => {
    await (await call('GET', '/app/api/clients')).body.text();
    await (await call('POST', '/app/api/save', 'x')).body.text();
    await (await call('POST', '/app/api/save', 'y')).body.text();
    expect(server.requestCount()).toBe(3);
    expect(server.requestCount({ method: 'post' })).toBe(2);
    expect(server.requestCount({ pathIncludes: 'clients' })).toBe(1);
    expect(server.requestCount({ method: 'GET', pathIncludes: 'save' })).toBe(0);
    server.resetCounters();
    expect(server.requestCount()).toBe(0);
  });

  it('answers an injected status fault without running the handler, the given number of times', async () => {
    server.injectFault({ fault: { kind: 'status', status: 503, body: 'busy' }, times: 2, match: { pathIncludes: 'save' } });
    const r1 = await call('POST', '/app/api/save', 'a');
    expect(r1.statusCode).toBe(503);
    expect(await r1.body.text()).toBe('busy');
    const other = await call('GET', '/app/api/clients');
    expect(other.statusCode).toBe(200);
    await other.body.text();
    expect((await call('POST', '/app/api/save', 'b')).statusCode).toBe(503);
    const r3 = await call('POST', '/app/api/save', 'c');
    expect(r3.statusCode).toBe(200);
    await r3.body.text();
    expect(applied).toEqual(['GET /app/api/clients ', 'POST /app/api/save c']);
    expect(server.requestCount()).toBe(4);
  });

  it('keeps an Infinity fault until the faults are cleared', async () => {
    server.injectFault({ fault: { kind: 'status', status: 500 }, times: Infinity });
    for (let i = 0; i < 3; i++) expect((await call('GET', '/x')).statusCode).toBe(500);
    server.clearFaults();
    const ok = await call('GET', '/x');
    expect(ok.statusCode).toBe(200);
    await ok.body.text();
  });

  it('applies the change but answers an empty 200 for the empty fault', async () => {
    server.injectFault({ fault: { kind: 'empty' } });
    const res = await call('POST', '/add', 'z');
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('');
    expect(applied).toEqual(['POST /add z']);
  });

  it('destroys the socket before handling for the reset fault', async () => {
    server.injectFault({ fault: { kind: 'reset' } });
    await expect(call('POST', '/add', 'z')).rejects.toThrow();
    expect(applied).toEqual([]);
    expect(server.requestCount()).toBe(1);
  });

  it('applies the change then drops the connection for the lost-reply fault, and emits handled', async () => {
    const events: SimEvent[] = [];
    server.events.on('handled', (e: SimEvent) => events.push(e));
    server.injectFault({ fault: { kind: 'lost-reply' } });
    await expect(call('POST', '/add', 'z')).rejects.toThrow();
    expect(applied).toEqual(['POST /add z']);
    expect(events).toEqual([{ method: 'POST', path: '/add', status: 200, fault: 'lost-reply' }]);
  });

  it('delays the answer for the slow fault', async () => {
    server.injectFault({ fault: { kind: 'slow', ms: 80 } });
    const started = Date.now();
    const res = await call('GET', '/x');
    await res.body.text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  });

  it('stalls the body mid-way for the slow-body fault', async () => {
    server.injectFault({ fault: { kind: 'slow-body', ms: 80 } });
    const started = Date.now();
    const res = await call('GET', '/x');
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ path: '/x', q: null, body: '' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  });

  it('turns a handler exception into a generic 500', async () => {
    const res = await call('GET', '/boom');
    expect(res.statusCode).toBe(500);
    expect(await res.body.text()).toBe('simulator error');
  });

  it('closes promptly even while a slow fault is pending', async () => {
    server.injectFault({ fault: { kind: 'slow', ms: 60_000 } });
    const pending = call('GET', '/x').then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 30));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('failed');
  });

  describe('control plane', () => {
    const control = async (method: string, path: string, body?: unknown) => {
      const res = await call(method, path, body === undefined ? undefined : JSON.stringify(body));
      return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
    };

    it('injects and clears faults, is not faulted and not counted itself', async () => {
      expect(await control('POST', '/__sim/fault', { fault: { kind: 'status', status: 502 }, times: 'Infinity' })).toEqual({
        status: 200,
        json: { ok: true },
      });
      expect((await call('GET', '/x')).statusCode).toBe(502);
      expect((await call('GET', '/y')).statusCode).toBe(502);
      expect(await control('GET', '/__sim/requests')).toEqual({ status: 200, json: { ok: true, count: 2 } });
      expect(await control('GET', '/__sim/requests?pathIncludes=y')).toEqual({ status: 200, json: { ok: true, count: 1 } });
      await control('POST', '/__sim/clear-faults');
      const ok = await call('GET', '/x');
      expect(ok.statusCode).toBe(200);
      await ok.body.text();
      await control('POST', '/__sim/reset-counters');
      expect(server.requestCount()).toBe(0);
    });

    it('advances the simulated clock', async () => {
      expect(await control('POST', '/__sim/advance', { ms: 5000 })).toEqual({ status: 200, json: { ok: true, now: 1_005_000 } });
      expect(clock.now()).toBe(1_005_000);
      expect((await control('GET', '/__sim/now')).json.now).toBe(1_005_000);
    });

    it('rejects invalid control bodies and passes unknown control paths to the extra hook', async () => {
      expect((await control('POST', '/__sim/fault', { fault: { kind: 'nope' } })).status).toBe(400);
      expect((await control('POST', '/__sim/advance', { ms: -1 })).status).toBe(400);
      const ping = await call('GET', '/__sim/ping');
      expect(await ping.body.text()).toBe('pong');
      expect((await control('GET', '/__sim/unknown')).status).toBe(404);
      expect(server.requestCount()).toBe(0);
    });

    it('returns null for non-control paths', async () => {
      const req: SimRequest = {
        method: 'GET',
        path: '/app/api/x',
        query: new URLSearchParams(),
        headers: {},
        rawBody: Buffer.alloc(0),
        remoteAddress: '127.0.0.1',
      };
      expect(await handleControlRequest(req, server, clock)).toBeNull();
    });
  });
});

describe('SimClock', () => {
  it('starts at the given time, advances and can be set', () => {
    const c = new SimClock(10);
    c.advance(5);
    expect(c.now()).toBe(15);
    c.set(3);
    expect(c.now()).toBe(3);
    expect(() => c.advance(-1)).toThrow(RangeError);
  });

  it('defaults to the real time at construction', () => {
    const before = Date.now();
    const c = new SimClock();
    expect(c.now()).toBeGreaterThanOrEqual(before);
    expect(c.now()).toBeLessThanOrEqual(Date.now());
  });
});
