import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

/** The part of a fetch Response that grammY's API client reads. */
export interface BotApiResponse {
  ok: boolean;
  status: number;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** The request options grammY's API client passes (its base fetch config plus the payload). */
export interface BotApiRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Readable | AsyncIterable<Uint8Array>;
  agent?: http.Agent;
  signal?: AbortSignal | null;
}

function abortError(): Error {
  return Object.assign(new Error('The Bot API request was aborted'), { name: 'AbortError' });
}

/**
 * The Bot API calls of the bots over node:http(s), as grammY's `client.fetch`: grammY's default
 * (node-fetch) costs several times the CPU per call of a plain request, and a bot makes a call or
 * two per update. JSON payloads go out with their length, uploads (multipart streams) chunked, on
 * the keep-alive agent grammY hands over; the abort signal (timeouts, stopping the poller) cancels.
 */
export function botApiFetch(url: string | URL, init: BotApiRequestInit = {}): Promise<BotApiResponse> {
  return new Promise((resolve, reject) => {
    const target = typeof url === 'string' ? new URL(url) : url;
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    const body = init.body;
    if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
    const send = target.protocol === 'https:' ? https.request : http.request;
    const req = send(target, { method: init.method ?? 'GET', headers, agent: init.agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 300, status, text: async () => text, json: async () => JSON.parse(text) as unknown });
      });
      res.on('error', reject);
    });
    const onAbort = () => req.destroy(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    if (body === undefined) req.end();
    else if (typeof body === 'string') req.end(body);
    else {
      const stream = body instanceof Readable ? body : Readable.from(body, { objectMode: false });
      stream.on('error', (err) => req.destroy(err));
      stream.pipe(req);
    }
  });
}
