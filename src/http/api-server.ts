import type { MikroORM } from '@mikro-orm/postgresql';
import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config';
import { isDatabaseReady } from '../db/database';
import type { Logger } from '../logger';
import type { AppServices } from '../services/app-services';
import { graphiqlAsset, graphiqlPage } from './graphiql';
import { createGraphqlEndpoint } from './graphql.route';
import { Metrics } from './metrics';
import { receiptRoute } from './receipt.route';
import { bearerOf, clientIpOf, requestIdOf, send } from './request-context';
import { subscriptionRoute } from './subscription.route';

/** Extra HTTP routes other domains add (e.g. `/sub/:token`). Return false when not handled. */
export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  tools: { requestId: string; logger: Logger },
) => Promise<boolean>;

export interface ApiDeps {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  services: AppServices;
  routes?: RouteHandler[];
}

export interface ApiHandle {
  server: http.Server;
  metrics: Metrics;
  /** Listens on config.PORT (0 = random); returns the bound port. */
  start(): Promise<number>;
  /** Stops accepting, lets in-flight requests finish (up to the shutdown timeout), closes. */
  stop(): Promise<void>;
}

/** Constant-time comparison of a presented secret with the configured one. */
function sameSecret(presented: string | null, expected: string): boolean {
  const a = createHash('sha256').update(presented ?? '').digest();
  const b = createHash('sha256').update(expected).digest();
  return presented !== null && timingSafeEqual(a, b);
}

function routeLabel(pathname: string): string {
  if (pathname.startsWith('/graphiql')) return '/graphiql';
  if (pathname.startsWith('/sub/')) return '/sub/:token';
  if (['/graphql', '/healthz', '/readyz', '/metrics'].includes(pathname)) return pathname;
  if (pathname.startsWith('/receipts')) return '/receipts';
  return 'other';
}

/** Builds the API process: GraphQL, GraphiQL, health, readiness, metrics and extra routes. */
export async function createApi(deps: ApiDeps): Promise<ApiHandle> {
  const { config, logger, orm } = deps;
  const metrics = new Metrics();
  const routes: RouteHandler[] = [subscriptionRoute(orm), receiptRoute(orm), ...(deps.routes ?? [])];
  const graphql = await createGraphqlEndpoint(deps, metrics);

  let inFlight = 0;
  let idleResolve: (() => void) | null = null;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    const ip = clientIpOf(req, config.TRUST_PROXY);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routeLabel(url.pathname);
    res.setHeader('x-request-id', requestId);
    try {
      if (url.pathname === '/graphql') {
        await graphql.handle(req, res, url, requestId, ip);
      } else if (url.pathname === '/healthz' && req.method === 'GET') {
        send(res, 200, JSON.stringify({ status: 'ok' }));
      } else if (url.pathname === '/readyz' && req.method === 'GET') {
        const ready = await isDatabaseReady(orm);
        send(res, ready ? 200 : 503, JSON.stringify({ status: ready ? 'ready' : 'not ready' }));
      } else if (url.pathname === '/metrics' && req.method === 'GET') {
        if (!config.METRICS_TOKEN) send(res, 404, JSON.stringify({ error: 'not found (set METRICS_TOKEN to serve metrics)' }));
        else if (!sameSecret(bearerOf(req), config.METRICS_TOKEN)) send(res, 401, JSON.stringify({ error: 'metrics need the METRICS_TOKEN bearer token' }));
        else send(res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
      } else if ((url.pathname === '/graphiql' || url.pathname === '/graphiql/') && req.method === 'GET') {
        send(res, 200, graphiqlPage({ endpoint: '/graphql', assetsBase: '/graphiql/assets' }), 'text/html; charset=utf-8');
      } else if (url.pathname.startsWith('/graphiql/assets/') && req.method === 'GET') {
        const asset = graphiqlAsset(url.pathname.slice('/graphiql/assets/'.length));
        if (asset) {
          res.setHeader('cache-control', 'public, max-age=86400');
          send(res, 200, asset.body, asset.type);
        } else send(res, 404, JSON.stringify({ error: 'not found' }));
      } else {
        let handled = false;
        for (const route of routes) {
          if (await route(req, res, url, { requestId, logger: logger.child({ requestId }) })) {
            handled = true;
            break;
          }
        }
        if (!handled) send(res, 404, JSON.stringify({ error: 'not found' }));
      }
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 413) {
        // The rest of the body is still on the socket: close it, or the next request would be
        // read from the middle of this one and hang.
        res.setHeader('connection', 'close');
        if (!res.headersSent) send(res, 413, JSON.stringify({ error: 'payload too large' }));
      } else {
        logger.error({ err, requestId, route }, 'request failed');
        if (!res.headersSent) send(res, 500, JSON.stringify({ error: 'internal error', requestId }));
        else res.destroy();
      }
    } finally {
      const labels = { method: req.method ?? 'GET', route };
      metrics.httpRequests.inc({ ...labels, status: String(res.statusCode) });
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  const server = http.createServer((req, res) => {
    inFlight += 1;
    res.on('close', () => {
      inFlight -= 1;
      if (inFlight === 0 && idleResolve) idleResolve();
    });
    void handle(req, res);
  });
  server.keepAliveTimeout = 5000;

  return {
    server,
    metrics,
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.PORT, config.HOST, () => resolve());
      });
      return (server.address() as AddressInfo).port;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (idleResolve = resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, config.SHUTDOWN_TIMEOUT_MS).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
      await graphql.stop();
    },
  };
}
