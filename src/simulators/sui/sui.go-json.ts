/**
 * Go `encoding/json` behaviour the S-UI simulator must mimic: its parse error texts and the
 * `UnmarshalTypeError` texts a Go struct decode produces. Real S-UI puts these texts verbatim
 * into `msg` (for example `save: unexpected end of JSON input`), so integration code sees them.
 */

import { GoError } from '../shared/go-json';

// The Go basics both panels share; re-exported so this panel's code imports from one place.
export { GoError, goParse, sprintln } from '../shared/go-json';

/**
 * A Go runtime panic (for example indexing an empty slice). gin's recovery middleware turns it
 * into HTTP 500 with an empty body; nothing of the save is committed.
 */
export class GoPanic extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoPanic';
  }
}

/** The JSON kind name Go uses in `cannot unmarshal <kind>` messages. */
export function goKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/** Go scalar field types the simulator decodes. */
export type GoScalar = 'uint' | 'int' | 'int64' | 'bool' | 'string';

/**
 * Checks one JSON value against a Go scalar type. Returns the decoded value, `undefined` for a JSON
 * null (Go leaves the zero value), or throws the Go type error text built by `where`.
 */
export function goScalar(value: unknown, type: GoScalar, where: string): unknown {
  if (value === null || value === undefined) return undefined;
  const fail = (kind: string): never => {
    throw new GoError(`json: cannot unmarshal ${kind} into ${where} of type ${type}`);
  };
  switch (type) {
    case 'bool':
      return typeof value === 'boolean' ? value : fail(goKind(value));
    case 'string':
      return typeof value === 'string' ? value : fail(goKind(value));
    default: {
      if (typeof value !== 'number') return fail(goKind(value));
      if (!Number.isInteger(value) || (type === 'uint' && value < 0)) return fail(`number ${String(value)}`);
      return value;
    }
  }
}

/** Decodes a JSON value into a Go `[]uint` (client inbound ids, bulk id lists). */
export function goUintArray(value: unknown): number[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new GoError(`json: cannot unmarshal ${goKind(value)} into Go value of type []uint`);
  }
  return value.map((v) => goScalar(v, 'uint', 'Go value') as number | undefined ?? 0);
}

/**
 * Looks a struct field up in a decoded JSON object the way Go does: an exact key match wins,
 * otherwise a case-insensitive one. `undefined` when absent.
 */
export function goField(obj: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  let found: unknown;
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) found = v;
  return found;
}

/** True when the object has the field (exact or case-insensitive key). */
export function goHasField(obj: Record<string, unknown>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(obj).some((k) => k === name || k.toLowerCase() === lower);
}

/** Narrows a decoded JSON value to a plain object. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
