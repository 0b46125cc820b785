/**
 * Go `encoding/json` and gin binding behaviour the 3x-ui simulator mimics: parse error texts,
 * `UnmarshalTypeError` texts of a struct decode (these end up verbatim in `msg`, e.g. the
 * misleading "Inbound has been successfully updated. (json: cannot unmarshal object into Go
 * struct field Inbound.settings of type string)"), `MarshalIndent` of maps (sorted keys) and the
 * HTML escaping Go applies to every JSON string.
 */

import { GoError } from '../shared/go-json';

// The Go basics both panels share; re-exported so this panel's code imports from one place.
export { GoError, goParse, sprintln } from '../shared/go-json';

/** The JSON kind name Go uses in `cannot unmarshal <kind>` messages. */
function goKind(value: unknown): string {
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

// Go escapes these inside strings; they can only occur inside strings in valid JSON.
function htmlEscapeJson(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `json.Marshal` of a value whose object keys are already in Go struct order. */
export function goMarshal(value: unknown): string {
  return htmlEscapeJson(JSON.stringify(value));
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeysDeep((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** `json.MarshalIndent(map, "", "  ")`: Go sorts map keys; the panel re-marshals settings this way. */
export function goMarshalIndentMap(value: unknown): string {
  return htmlEscapeJson(JSON.stringify(sortKeysDeep(value), null, 2));
}

/**
 * Go field kinds the binder knows. `jsonText` = G6 columns accepting a JSON string or a nested
 * object; `stringList` = `[]string`; `object` = a pointer to a struct (`*ClientReverse`).
 */
export type GoFieldKind = 'int' | 'int64' | 'string' | 'bool' | 'jsonText' | 'intList' | 'stringList' | 'object';

/** A struct to bind: its Go name (for error texts) and its fields by JSON/form name. */
export interface GoStruct {
  name: string;
  fields: Readonly<Record<string, GoFieldKind>>;
}

/** The Go type name printed in `UnmarshalTypeError`. */
function goTypeName(kind: GoFieldKind): string {
  switch (kind) {
    case 'int':
      return 'int';
    case 'int64':
      return 'int64';
    case 'bool':
      return 'bool';
    case 'intList':
      return '[]int';
    case 'stringList':
      return '[]string';
    case 'object':
      return 'struct';
    default:
      return 'string';
  }
}

/** A bound struct: only the fields present in the input are set (absent = Go zero value, see {@link zeroOf}). */
export type Bound = Record<string, unknown>;

/** The Go zero value of a field kind. */
export function zeroOf(kind: GoFieldKind): unknown {
  switch (kind) {
    case 'int':
    case 'int64':
      return 0;
    case 'bool':
      return false;
    case 'intList':
    case 'stringList':
      return [];
    case 'object':
      return null;
    default:
      return '';
  }
}

function decodeJsonField(struct: GoStruct, field: string, kind: GoFieldKind, value: unknown): unknown {
  const typeErr = (): GoError => {
    const what = typeof value === 'number' ? `number ${String(value)}` : goKind(value);
    return new GoError(`json: cannot unmarshal ${what} into Go struct field ${struct.name}.${field} of type ${goTypeName(kind)}`);
  };
  if (value === null) return zeroOf(kind);
  switch (kind) {
    case 'int':
    case 'int64':
      if (typeof value !== 'number') throw typeErr();
      if (!Number.isInteger(value)) throw typeErr();
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw typeErr();
      return value;
    case 'string':
      if (typeof value !== 'string') throw typeErr();
      return value;
    case 'jsonText':
      if (typeof value === 'string') return value;
      if (typeof value === 'object') return JSON.stringify(value);
      throw typeErr();
    case 'intList':
      if (!Array.isArray(value)) throw typeErr();
      return value.map((v) => {
        if (typeof v !== 'number' || !Number.isInteger(v)) {
          throw new GoError(`json: cannot unmarshal ${goKind(v)} into Go struct field ${struct.name}.${field} of type int`);
        }
        return v;
      });
    case 'stringList':
      if (!Array.isArray(value)) throw typeErr();
      return value.map((v) => {
        if (typeof v !== 'string') {
          throw new GoError(`json: cannot unmarshal ${goKind(v)} into Go struct field ${struct.name}.${field} of type string`);
        }
        return v;
      });
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) throw typeErr();
      return value;
  }
}

/**
 * `json.Unmarshal` of an object into a struct: keys match field names case-insensitively (exact
 * match preferred), unknown keys are ignored, and the first type error aborts like gin's
 * `ShouldBindJSON` reports it.
 */
export function bindJsonStruct(struct: GoStruct, value: unknown): Bound {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new GoError(`json: cannot unmarshal ${goKind(value)} into Go value of type model.${struct.name}`);
  }
  const out: Bound = {};
  const lowerIndex = new Map<string, string>();
  for (const f of Object.keys(struct.fields)) lowerIndex.set(f.toLowerCase(), f);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = key in struct.fields ? key : lowerIndex.get(key.toLowerCase());
    if (field === undefined) continue;
    out[field] = decodeJsonField(struct, field, struct.fields[field], v);
  }
  return out;
}

/** gin's form binding: strings converted with Go's strconv texts on failure; empty = zero value. */
export function bindFormStruct(struct: GoStruct, form: URLSearchParams): Bound {
  const out: Bound = {};
  for (const [field, kind] of Object.entries(struct.fields)) {
    const raw = form.get(field);
    if (raw === null) continue;
    switch (kind) {
      case 'int':
      case 'int64': {
        if (raw === '') {
          out[field] = 0;
          break;
        }
        if (!/^[+-]?\d+$/.test(raw)) throw new GoError(`strconv.ParseInt: parsing "${raw}": invalid syntax`);
        out[field] = Number(raw);
        break;
      }
      case 'bool': {
        if (raw === '') {
          out[field] = false;
          break;
        }
        const t = ['1', 't', 'T', 'TRUE', 'true', 'True'];
        const f = ['0', 'f', 'F', 'FALSE', 'false', 'False'];
        if (t.includes(raw)) out[field] = true;
        else if (f.includes(raw)) out[field] = false;
        else throw new GoError(`strconv.ParseBool: parsing "${raw}": invalid syntax`);
        break;
      }
      case 'intList':
        out[field] = form.getAll(field).map((v) => Number(v));
        break;
      case 'stringList':
        out[field] = form.getAll(field);
        break;
      default:
        out[field] = raw;
    }
  }
  return out;
}
