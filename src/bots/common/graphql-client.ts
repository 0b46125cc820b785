/**
 * The bots' one door to the platform: GraphQL over HTTP with the bot's own API key
 * (`Authorization: Bearer`) and, for the shop bot, the Telegram user it acts for
 * (`X-Telegram-User-Id`). Bots never import services, entities or the ORM (lint enforces it).
 *
 * Every failure becomes a {@link BotApiError} with a stable code: the API's `extensions.code`
 * when it answered with an error, `API_UNAVAILABLE` when it could not be reached, timed out or
 * answered something that is not GraphQL. Server messages are kept for logs only; what the user
 * reads comes from the code (see error-text.ts).
 */

import http from 'node:http';
import https from 'node:https';

/** A typed operation: the document text plus its result and variables types (codegen's TypedDocumentString works). */
export interface TypedOperation<TResult, TVariables> {
  toString(): string;
  /** Phantom fields: never read at run time. */
  readonly __apiType?: (variables: TVariables) => TResult;
}

/** Code for "the API could not be reached or did not answer GraphQL". */
export const API_UNAVAILABLE = 'API_UNAVAILABLE';

export class BotApiError extends Error {
  /** The API's `extensions.code`, or {@link API_UNAVAILABLE}. */
  readonly code: string;
  /** The `extensions` of the first error (details such as a field), when the API sent any. */
  readonly extensions: Record<string, unknown>;
  constructor(code: string, message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = 'BotApiError';
    this.code = code;
    this.extensions = extensions;
  }
}

export interface GraphqlClientOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:4000` (the client posts to `/graphql`). */
  apiUrl: string;
  /** The bot's API key (role USER_BOT or ADMIN_BOT). Never logged. */
  apiKey: string;
  /** Milliseconds before a request counts as failed; default 10 s. */
  timeoutMs?: number;
  /** Called once per HTTP request (metrics, the bot benchmark's requests-per-screen count). */
  onRequest?: (operationName: string | undefined) => void;
}

export interface RequestOptions {
  /** The Telegram user the call acts for (shop bot); sent as `X-Telegram-User-Id`. */
  telegramUserId?: number;
  /** Extra headers, e.g. `Idempotency-Key`. */
  headers?: Record<string, string>;
}

interface GraphqlError {
  message?: string;
  extensions?: Record<string, unknown>;
}

function operationNameOf(document: string): string | undefined {
  return /\b(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(document)?.[1];
}

/** An HTTP answer as text. */
interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * POSTs `body` over node:http(s) on a keep-alive agent. Every bot screen makes a request, and
 * this costs a fraction of the CPU of the global fetch (undici with web streams) per request.
 */
function post(url: URL, agent: http.Agent, headers: Record<string, string>, body: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? https.request : http.request;
    const req = send(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('The API did not answer in time'), { name: 'TimeoutError' })), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

export class GraphqlClient {
  private readonly endpoint: URL;
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;

  constructor(private readonly options: GraphqlClientOptions) {
    this.endpoint = new URL(`${options.apiUrl.replace(/\/+$/, '')}/graphql`);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.agent = this.endpoint.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  }

  /** Runs one operation; resolves with `data` or throws a {@link BotApiError}. */
  async request<TResult, TVariables>(
    operation: TypedOperation<TResult, TVariables> | string,
    variables?: TVariables,
    opts: RequestOptions = {},
  ): Promise<TResult> {
    const query = operation.toString();
    const operationName = operationNameOf(query);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${this.options.apiKey}`,
      ...(opts.headers ?? {}),
    };
    if (opts.telegramUserId !== undefined) headers['x-telegram-user-id'] = String(opts.telegramUserId);
    this.options.onRequest?.(operationName);

    let status: number;
    let body: { data?: TResult | null; errors?: GraphqlError[] } | undefined;
    try {
      const res = await post(this.endpoint, this.agent, headers, JSON.stringify({ query, variables: variables ?? {}, operationName }), this.timeoutMs);
      status = res.status;
      body = res.text ? (JSON.parse(res.text) as typeof body) : undefined;
    } catch (err) {
      throw new BotApiError(API_UNAVAILABLE, `API request failed: ${(err as Error).name}`);
    }
    const first = body?.errors?.[0];
    if (first) {
      const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
      throw new BotApiError(code, first.message ?? code, first.extensions ?? {});
    }
    if (!body || body.data === undefined || body.data === null) {
      throw new BotApiError(API_UNAVAILABLE, `API answered ${status} without data`);
    }
    return body.data;
  }

  /** A view of this client bound to one Telegram user (what a shop-bot handler uses). */
  forUser(telegramUserId: number): UserGraphqlClient {
    return {
      request: (operation, variables, opts = {}) => this.request(operation, variables, { ...opts, telegramUserId }),
    };
  }
}

/** A client bound to one Telegram user. */
export interface UserGraphqlClient {
  request<TResult, TVariables>(
    operation: TypedOperation<TResult, TVariables> | string,
    variables?: TVariables,
    opts?: Omit<RequestOptions, 'telegramUserId'>,
  ): Promise<TResult>;
}
