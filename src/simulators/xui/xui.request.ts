/**
 * Request reading the way gin does it in 3x-ui: header and cookie access, `ShouldBind` body
 * selection (JSON when the content type says so, else form fields from the body and the query),
 * and `ShouldBindJSON` for the JSON-only G6 routes.
 */
import type { SimRequest } from '../shared/sim-http';
import { GoError, goParse } from './xui.go-json';

/** One request header as a string ('' when absent). */
export function header(req: SimRequest, name: string): string {
  const v = req.headers[name.toLowerCase()];
  if (Array.isArray(v)) return v.join(', ');
  return v ?? '';
}

/** The value of one request cookie. */
export function cookie(req: SimRequest, name: string): string | undefined {
  for (const part of header(req, 'cookie').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    if (part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** The `X-Requested-With: XMLHttpRequest` check of `isAjax`. */
export function isXhr(req: SimRequest): boolean {
  return header(req, 'x-requested-with') === 'XMLHttpRequest';
}

/** A body as gin's `ShouldBind` sees it. */
export type BoundBody = { kind: 'json'; value: unknown } | { kind: 'form'; form: URLSearchParams };

/** Body fields of a form request merged with the query (body values first, like `req.Form`). */
export function formOf(req: SimRequest): URLSearchParams {
  const form = new URLSearchParams(req.rawBody.toString('utf8'));
  for (const [k, v] of req.query) form.append(k, v);
  return form;
}

/** `ShouldBind`: JSON for `application/json`, otherwise form; throws GoError on undecodable JSON. */
export function readBody(req: SimRequest): BoundBody {
  const type = header(req, 'content-type').toLowerCase();
  if (req.method !== 'GET' && type.includes('application/json')) {
    const text = req.rawBody.toString('utf8');
    if (text.trim() === '') throw new GoError('EOF');
    return { kind: 'json', value: goParse(text) };
  }
  return { kind: 'form', form: req.method === 'GET' ? new URLSearchParams(req.query) : formOf(req) };
}

/** `ShouldBindJSON`: the body decoded as JSON whatever the content type. */
export function readJsonBody(req: SimRequest): unknown {
  const text = req.rawBody.toString('utf8');
  if (text.trim() === '') throw new GoError('EOF');
  return goParse(text);
}

/** Decoded path segments. */
export function segments(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}
