/**
 * Small HTTP helpers of the S-UI simulator: Go/gin-style form reading, JSON envelopes with Go's
 * encoding quirks, redirects and the request host/IP the panel derives.
 */
import type { SimRequest, SimResponse } from '../shared/sim-http';

/** One request header as a single string ('' when absent). */
export function header(req: SimRequest, name: string): string {
  const v = req.headers[name.toLowerCase()];
  if (Array.isArray(v)) return v[0] ?? '';
  return v ?? '';
}

function parseMultipart(body: Buffer, boundary: string): { fields: URLSearchParams; files: Set<string> } {
  const fields = new URLSearchParams();
  const files = new Set<string>();
  const text = body.toString('latin1');
  for (const part of text.split(`--${boundary}`)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    const value = part.slice(sep + 4).replace(/\r\n$/, '');
    if (/filename="/i.test(head)) files.add(name);
    else fields.append(name, Buffer.from(value, 'latin1').toString('utf8'));
  }
  return { fields, files };
}

/**
 * Go's `Request.FormValue` view of a request: POST/PUT/PATCH bodies that are urlencoded or
 * multipart come first, then the query string. A JSON body contributes nothing, which is why the
 * real panel answers `unknown object` to JSON clients.
 */
export class FormReader {
  private readonly body: URLSearchParams;
  private readonly files: Set<string>;

  constructor(private readonly req: SimRequest) {
    const ct = header(req, 'content-type').toLowerCase();
    const hasBody = ['POST', 'PUT', 'PATCH'].includes(req.method);
    if (hasBody && ct.startsWith('application/x-www-form-urlencoded')) {
      this.body = new URLSearchParams(req.rawBody.toString('utf8'));
      this.files = new Set();
    } else if (hasBody && ct.startsWith('multipart/form-data')) {
      const boundary = /boundary="?([^";]+)"?/i.exec(header(req, 'content-type'))?.[1] ?? '';
      const parsed = parseMultipart(req.rawBody, boundary);
      this.body = parsed.fields;
      this.files = parsed.files;
    } else {
      this.body = new URLSearchParams();
      this.files = new Set();
    }
  }

  /** The first value of a field ('' when absent). */
  value(name: string): string {
    return this.body.get(name) ?? this.req.query.get(name) ?? '';
  }

  /** Whether a multipart file field was sent. */
  hasFile(name: string): boolean {
    return this.files.has(name);
  }
}

/** Characters Go's `encoding/json` escapes that JSON.stringify does not. */
const GO_ESCAPED = /[<>&\u2028\u2029]/;

/** Go's `encoding/json` escapes HTML-significant characters and line separators. */
export function goJsonStringify(value: unknown): string {
  const text = JSON.stringify(value);
  // Most answers hold none of them: one scan instead of five replacements over a large list.
  if (!GO_ESCAPED.test(text)) return text;
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A Go map marshals with sorted keys. */
export function sortedMap(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

/** A `200 {success,msg,obj}` envelope. */
export function envelope(success: boolean, msg: string, obj: unknown): SimResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: goJsonStringify({ success, msg, obj: obj === undefined ? null : obj }),
  };
}

/** The panel's `jsonMsg(label, err)`. */
export function jsonMsg(label: string, err?: Error | null): SimResponse {
  return err ? envelope(false, `${label}: ${err.message}`, null) : envelope(true, label, null);
}

/** The panel's `jsonObj(obj, err)`: on failure obj is still sent. */
export function jsonObj(obj: unknown, err?: Error | null): SimResponse {
  return err ? envelope(false, `: ${err.message}`, obj) : envelope(true, '', obj);
}

/** gin `c.Redirect(code, location)` (Go writes a short HTML body for GET/HEAD only). */
export function redirect(req: SimRequest, status: number, location: string): SimResponse {
  const withBody = req.method === 'GET' || req.method === 'HEAD';
  const statusText = status === 301 ? 'Moved Permanently' : status === 307 ? 'Temporary Redirect' : 'Found';
  return {
    status,
    headers: withBody ? { location, 'content-type': 'text/html; charset=utf-8' } : { location },
    body: withBody ? `<a href="${location}">${statusText}</a>.\n\n` : '',
  };
}

/** gin `c.String(status, text)`. */
export function text(status: number, body: string): SimResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

/** The client IP as the panel logs it: first `X-Forwarded-For` entry, else the socket address. */
export function remoteIp(req: SimRequest): string {
  const xff = header(req, 'x-forwarded-for');
  if (xff !== '') return xff.split(',')[0];
  return req.remoteAddress.replace(/^::ffff:/, '');
}

/** The request host without its port (IPv6 kept in brackets), used in links and `subURI`. */
export function hostname(req: SimRequest): string {
  const host = header(req, 'host');
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(0, end + 1) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

/** Decodes a path segment like Go's URL parser; undecodable input stays as is. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
