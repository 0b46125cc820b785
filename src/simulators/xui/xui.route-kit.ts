/**
 * Shared pieces of the simulated 3x-ui route handlers: the route context, gin-like binding of
 * `model.Inbound`, the "panic → HTTP 500 empty" behaviour, and the GoError → envelope guard.
 */
import type { SimRequest, SimResponse } from '../shared/sim-http';
import { bindFormStruct, bindJsonStruct, GoError, goParse, sprintln, type GoStruct } from './xui.go-json';
import type { XuiTextKey } from './xui.profile';
import { readBody } from './xui.request';
import { clientKeyField, str, type RawClient, type XuiInbound, type XuiState } from './xui.state';
import { emptyResponse, type Envelopes } from './xui.wire';

/** What the route handlers need. */
export interface XuiRouteContext {
  state: XuiState;
  env: Envelopes;
  /** Share links of one client on one inbound for a request host (`getClientLinks`/`getSubLinks`). */
  linksFor(inbound: XuiInbound, email: string, host: string): string[];
  /** Host of the request (for links). */
  host: string;
}

const INT = 'int' as const;
const I64 = 'int64' as const;
const STR = 'string' as const;

/** The `model.Inbound` binding target; G6 accepts objects for the JSON columns. */
function inboundStruct(jsonColumnsAsText: boolean): GoStruct {
  const col = jsonColumnsAsText ? ('jsonText' as const) : STR;
  return {
    name: 'Inbound',
    fields: {
      id: INT,
      up: I64,
      down: I64,
      total: I64,
      allTime: I64,
      remark: STR,
      enable: 'bool',
      expiryTime: I64,
      trafficReset: STR,
      lastTrafficResetTime: I64,
      listen: STR,
      port: INT,
      protocol: STR,
      settings: col,
      streamSettings: col,
      tag: STR,
      sniffing: col,
    },
  };
}

/** A server panic: gin Recovery answers 500 with an empty body. */
export class Panic extends Error {}

/** Binds the request body (JSON or form) to `model.Inbound`; throws GoError on binding failure. */
export function bindInbound(ctx: XuiRouteContext, req: SimRequest): Record<string, unknown> {
  const struct = inboundStruct(ctx.state.features.clientRoutes);
  const body = readBody(req);
  return body.kind === 'json' ? bindJsonStruct(struct, body.value) : bindFormStruct(struct, body.form);
}

/** `settings` text → its `clients` array, panicking like `settings["clients"].([]any)` does. */
export function clientsFromSettings(settingsText: unknown): { settings: Record<string, unknown>; clients: RawClient[] } {
  const parsed = goParse(typeof settingsText === 'string' ? settingsText : '');
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Panic();
  const settings = parsed as Record<string, unknown>;
  if (!Array.isArray(settings.clients)) throw new Panic();
  const clients = (settings.clients as unknown[]).filter(
    (c): c is RawClient => c !== null && typeof c === 'object' && !Array.isArray(c),
  );
  return { settings, clients };
}

/** `strconv.Atoi` of a path parameter. */
export function parseId(raw: string | undefined): number {
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) throw new GoError(`strconv.Atoi: parsing "${raw ?? ''}": invalid syntax`);
  return Number(raw);
}

/** The inbound with this id, or GoError `record not found`. */
export function findInbound(ctx: XuiRouteContext, id: number): XuiInbound {
  const inbound = ctx.state.inbounds.get(id);
  if (!inbound) throw new GoError('record not found');
  return inbound;
}

/** Runs a handler, turning GoErrors into `<text> (<err>)` envelopes and panics into 500. */
export function guarded(ctx: XuiRouteContext, key: XuiTextKey | string, fn: () => SimResponse): SimResponse {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Panic) return emptyResponse(500);
    if (err instanceof GoError) {
      return key in XUI_KEYS ? ctx.env.fail(key as XuiTextKey, err.message) : ctx.env.failText(key, err.message);
    }
    throw err;
  }
}

const XUI_KEYS: Record<string, true> = {
  somethingWentWrong: true,
  inboundUpdateSuccess: true,
  inboundCreateSuccess: true,
  inboundDeleteSuccess: true,
  obtain: true,
  trafficGetError: true,
};

/** The "empty client ID" check on the protocol key. */
export function keyCheck(protocol: string, client: RawClient): void {
  if (str(client, clientKeyField(protocol)) === '') throw new GoError(sprintln('empty client ID'));
}
