import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLResponse } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ChangeFeed } from '../db/change-feed';
import { Role } from '../entities/common';
import { ERROR_CODES } from '../errors';
import type { Ctx } from '../resolvers/context';
import { formatError, logRequestErrors } from '../resolvers/format-error';
import { createReadCaches } from '../resolvers/read-caches';
import { buildAppSchema } from '../resolvers/schema';
import { authenticate, createAuthCaches } from '../services/api-key.service';
import type { Principal } from '../services/principal';
import { takeRateToken } from '../services/rate-limit.service';
import type { ApiDeps } from './api-server';
import { aliasLimit, depthLimit, fieldLimit } from './graphql-limits';
import { introspectionForKeysOnly } from './introspection';
import type { Metrics } from './metrics';
import { bearerOf, readBody, send } from './request-context';
import { GraphqlContext } from './graphql-context';
import { answerKeyOf, onlyCacheableFields, PlanAnswers, type CachedAnswer } from './plans-answers';

const MAX_GRAPHQL_BODY = 1024 * 1024;

/** The `/graphql` endpoint of the API process (api-server.ts routes to it and stops it). */
export interface GraphqlEndpoint {
  handle(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, ip: string | null): Promise<void>;
  stop(): Promise<void>;
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

/** The headers of Apollo's answer as sent: never cached by HTTP caches; a complete body with its length (one write, not chunked). */
function responseHeaders(result: HTTPGraphQLResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of result.headers) out[k] = v;
  if (out['cache-control'] === undefined && /json/.test(out['content-type'] ?? '')) out['cache-control'] = 'no-store';
  if (result.body.kind === 'complete') out['content-length'] = String(Buffer.byteLength(result.body.string));
  return out;
}

/**
 * Apollo over our HTTP server: the key authenticated before the operation runs (reseller keys
 * rate-limited), the per-request context, metrics and error logging per operation, and the
 * per-request caches dropped on NOTIFY from any writer.
 */
export async function createGraphqlEndpoint(deps: ApiDeps, metrics: Metrics): Promise<GraphqlEndpoint> {
  const { config, logger, orm } = deps;
  const schema = await buildAppSchema();
  // Caches of per-request lookups (API keys, admins, customers), dropped on NOTIFY from any writer.
  const feed = new ChangeFeed(orm.config.getClientUrl(), logger);
  await feed.start();
  const authCaches = createAuthCaches(feed);
  const caches = createReadCaches(feed);
  const planAnswers = new PlanAnswers(feed);

  const observability: ApolloServerPlugin<Ctx> = {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async didEncounterErrors({ errors }) {
          logRequestErrors(contextValue.logger, errors);
        },
        async willSendResponse({ operation, document, response }) {
          const name = operationLabel(operation);
          const type = operation?.operation ?? 'unknown';
          // Read-your-writes in this process: a mutation's commit is announced by NOTIFY, which
          // arrives a moment later; its response leaves once the caches dropped what it changed.
          if (type === 'mutation') await feed.sync();
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const firstCode = body?.errors?.[0]?.extensions?.code;
          if (contextValue instanceof GraphqlContext && body && onlyCacheableFields(operation, document, (body.errors?.length ?? 0) > 0)) {
            contextValue.answer.operation = name;
          }
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

  const contextDeps = { orm, logger, config, services: deps.services, caches };

  /** Sends a kept answer as Apollo sent it the first time, counted in the GraphQL metrics like one executed. */
  function sendAnswer(res: ServerResponse, answer: CachedAnswer, requestId: string, started: bigint): void {
    res.writeHead(answer.status, { 'x-request-id': requestId, ...answer.headers });
    res.end(answer.body);
    metrics.graphqlOperations.inc({ operation: answer.operation, type: 'query', outcome: 'ok' });
    metrics.graphqlDuration.observe({ operation: answer.operation, type: 'query' }, Number(process.hrtime.bigint() - started) / 1e9);
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
    const started = process.hrtime.bigint();
    // Authentication reads through the shared connection (cached rows, a rare last-use write):
    // no per-request EntityManager fork; the context forks one only if a resolver needs it.
    const em = orm.em;
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
    // A plans-only query whose answer is kept (dropped with the plans cache on any plan change)
    // is answered without running Apollo; see plans-answers.ts.
    const key = answerKeyOf(req, body, auth.principal, auth.authFailure);
    const kept = key === null ? null : planAnswers.get(key);
    if (kept) return sendAnswer(res, kept, requestId, started);
    const begun = planAnswers.begin();
    const context = new GraphqlContext(contextDeps, auth.principal, auth.authFailure, requestId, ip);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => context,
    });
    const operation = context.answer.operation;
    if (key !== null && operation !== null && result.body.kind === 'complete' && (result.status ?? 200) === 200) {
      // Not stored if a plan change was announced while this executed (begin → store).
      planAnswers.store(key, { status: 200, headers: responseHeaders(result), body: result.body.string, operation }, begun);
    }
    const outHeaders = { 'x-request-id': requestId, ...responseHeaders(result) };
    if (result.body.kind === 'complete') {
      res.writeHead(result.status ?? 200, outHeaders);
      res.end(result.body.string);
    } else {
      res.writeHead(result.status ?? 200, outHeaders);
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  return {
    handle: handleGraphql,
    async stop() {
      await apollo.stop();
      await feed.stop();
    },
  };
}
