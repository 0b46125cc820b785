import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config';
import { isDatabaseReady } from '../db/database';
import type { Logger } from '../logger';
import type { AppServices } from '../services/app-services';
import { ChangeFeed } from '../db/change-feed';
import { authenticate, createAuthCaches } from '../services/api-key.service';
import type { Principal } from '../services/principal';
import { takeRateToken } from '../services/rate-limit.service';
import { Role } from '../entities/common';
import { ERROR_CODES } from '../errors';
import type { Ctx } from '../resolvers/context';
import { formatError, logRequestErrors } from '../resolvers/format-error';
import { createLoaders } from '../resolvers/loaders';
import { createReadCaches } from '../resolvers/read-caches';
import { buildAppSchema } from '../resolvers/schema';
import { graphiqlAsset, graphiqlPage } from './graphiql';
import { introspectionForKeysOnly } from './introspection';
import { aliasLimit, depthLimit, fieldLimit } from './graphql-limits';
import { Metrics } from './metrics';
import { receiptRoute } from './receipt.route';
import { bearerOf, clientIpOf, readBody, requestIdOf } from './request-context';
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

const MAX_GRAPHQL_BODY = 1024 * 1024;

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
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

/**
 * The `operation` label of GraphQL metrics: the first root field the operation selects (a name
 * from our schema, so the series are bounded), or "other" when it did not parse. The client's
 * own operation name is free text and would grow one series per distinct name.
 */
function operationLabel(operation: OperationDefinitionNode | undefined): string {
  const first = operation?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  return first && first.kind === Kind.FIELD ? first.name.value : 'other';
}

/** Builds the API process: GraphQL, GraphiQL, health, readiness, metrics and extra routes. */
export async function createApi(deps: ApiDeps): Promise<ApiHandle> {
  const { config, logger, orm } = deps;
  const metrics = new Metrics();
  const routes: RouteHandler[] = [subscriptionRoute(orm), receiptRoute(orm), ...(deps.routes ?? [])];
  const schema = await buildAppSchema();
  // Caches of per-request lookups (API keys, admins, customers), dropped on NOTIFY from any writer.
  const feed = new ChangeFeed(orm.config.getClientUrl(), logger);
  await feed.start();
  const authCaches = createAuthCaches(feed);
  const caches = createReadCaches(feed);
  const clearCaches = () => {
    for (const c of [authCaches.keys, authCaches.admins, authCaches.customers, caches.plans]) c.clear();
  };

  const observability: ApolloServerPlugin<Ctx> = {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async didEncounterErrors({ errors }) {
          logRequestErrors(contextValue.logger, errors);
        },
        async willSendResponse({ operation, response }) {
          const name = operationLabel(operation);
          const type = operation?.operation ?? 'unknown';
          // Read-your-writes in this process: a mutation's commit is announced by NOTIFY, which
          // arrives a moment later; drop the local caches before its response leaves.
          if (type === 'mutation') clearCaches();
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const firstCode = body?.errors?.[0]?.extensions?.code;
          metrics.graphqlOperations.inc({ operation: name, type, outcome: typeof firstCode === 'string' ? firstCode : 'ok' });
          metrics.graphqlDuration.observe({ operation: name, type }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };

  const apollo = new ApolloServer<Ctx>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    introspection: true,
    validationRules: [depthLimit(config.GRAPHQL_MAX_DEPTH), aliasLimit(config.GRAPHQL_MAX_ALIASES), fieldLimit(config.GRAPHQL_MAX_FIELDS)],
    // No cache hints in this API: the cache-control plugin would only instrument every field of
    // every response to end up with `no-store`, which handleGraphql sets itself.
    plugins: [observability, introspectionForKeysOnly, ApolloServerPluginCacheControlDisabled()],
  });
  await apollo.start();

  /** Who is calling (the key, validated before the operation runs). */
  async function authenticateRequest(req: IncomingMessage, em: EntityManager, ip: string | null): Promise<{ principal: Principal | null; authFailure: string | null }> {
    const bearer = bearerOf(req);
    const tgHeader = req.headers['x-telegram-user-id'];
    if (bearer === null) return { principal: null, authFailure: null };
    const result = await authenticate(em, bearer, typeof tgHeader === 'string' ? tgHeader : undefined, new Date(), authCaches, ip);
    return 'principal' in result ? { principal: result.principal, authFailure: null } : { principal: null, authFailure: result.failure };
  }

  function buildContext(em: EntityManager, auth: { principal: Principal | null; authFailure: string | null }, requestId: string, ip: string | null): Ctx {
    const reqLogger = logger.child({ requestId });
    const scope = { em };
    return { em, ...auth, requestId, ip, logger: reqLogger, config, services: deps.services, scope, loaders: createLoaders(() => scope.em), caches };
  }

  async function handleGraphql(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, ip: string | null) {
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    let body: unknown = undefined;
    if (req.method === 'POST') {
      const raw = await readBody(req, MAX_GRAPHQL_BODY);
      const type = headers.get('content-type') ?? '';
      if (type.includes('application/json')) {
        try {
          body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
        } catch {
          send(res, 400, JSON.stringify({ errors: [{ message: 'Malformed JSON body.', extensions: { code: 'BAD_REQUEST' } }] }));
          return;
        }
      } else {
        body = raw.toString('utf8');
      }
    }
    const em = orm.em.fork();
    let auth: Awaited<ReturnType<typeof authenticateRequest>>;
    try {
      auth = await authenticateRequest(req, em, ip);
    } catch (err) {
      // E.g. the key lookup during a database outage: logged here with the request id, answered
      // as GraphQL's masked internal error.
      logger.error({ err, requestId }, 'GraphQL request failed before execution');
      const error = { message: ERROR_CODES.INTERNAL_SERVER_ERROR.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      send(res, 500, JSON.stringify({ errors: [error] }));
      return;
    }
    if (auth.principal?.keyRole === Role.RESELLER) {
      const decision = await takeRateToken(em, auth.principal.apiKeyId, { perMinute: config.RESELLER_RATE_PER_MINUTE, burst: config.RESELLER_RATE_BURST });
      if (!decision.allowed) {
        const error = { message: ERROR_CODES.RATE_LIMITED.message, extensions: { code: 'RATE_LIMITED', retryAfter: decision.retryAfterSeconds } };
        res.setHeader('retry-after', String(decision.retryAfterSeconds));
        metrics.graphqlOperations.inc({ operation: 'other', type: 'unknown', outcome: 'RATE_LIMITED' });
        send(res, 429, JSON.stringify({ errors: [error] }));
        return;
      }
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => buildContext(em, auth, requestId, ip),
    });
    const outHeaders: Record<string, string> = { 'x-request-id': requestId };
    for (const [k, v] of result.headers) outHeaders[k] = v;
    if (outHeaders['cache-control'] === undefined && /json/.test(outHeaders['content-type'] ?? '')) outHeaders['cache-control'] = 'no-store';
    res.writeHead(result.status ?? 200, outHeaders);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

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
        await handleGraphql(req, res, url, requestId, ip);
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
      await apollo.stop();
      await feed.stop();
    },
  };
}
