/**
 * What the simulated 3x-ui puts on the wire: the `{success,msg,obj}` envelope with the
 * version's message style (PANELS.md B.4), and the Inbound / ClientTraffic JSON shapes with the
 * fields each version has (B.6).
 */
import type { SimResponse } from '../shared/sim-http';
import { goMarshal, goMarshalIndentMap } from './xui.go-json';
import { XUI_TEXT, type XuiFeatures, type XuiTextKey } from './xui.profile';
import { str, type RawClient, type XuiInbound, type XuiState, type XuiTrafficRow } from './xui.state';

const JSON_TYPE = 'application/json; charset=utf-8';

/** A JSON response in Go struct key order. */
export function jsonResponse(status: number, value: unknown, headers: Record<string, string | string[]> = {}): SimResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: goMarshal(value) };
}

/** An empty-bodied response (gin `AbortWithStatus`, NoRoute, Recovery). */
export function emptyResponse(status: number, headers: Record<string, string> = {}): SimResponse {
  return { status, headers };
}

/** Builds envelopes in the style of one version. */
export class Envelopes {
  constructor(private readonly features: XuiFeatures) {}

  /** The i18n text of a key in this version's wording. */
  text(key: XuiTextKey): string {
    return this.features.legacyMessages ? XUI_TEXT[key].legacy : XUI_TEXT[key].modern;
  }

  /** `jsonObj`: success with data and an empty message. */
  obj(obj: unknown): SimResponse {
    return jsonResponse(200, { success: true, msg: '', obj: obj ?? null });
  }

  /** `jsonMsg(c, text, nil)` / `jsonMsgObj`: success with the version's success text. */
  ok(key: XuiTextKey, obj: unknown = null): SimResponse {
    const t = this.text(key);
    const msg = this.features.legacyMessages && t !== '' ? `${t} Successful` : t;
    return jsonResponse(200, { success: true, msg, obj });
  }

  /** `jsonMsg(c, text, err)`: failure, `<text> (<err>)` or legacy `<text> Failed: <err>`. */
  fail(key: XuiTextKey, err: string): SimResponse {
    return this.failText(this.text(key), err);
  }

  /** Failure with a literal prefix (routes that hard-code their text). */
  failText(prefix: string, err: string): SimResponse {
    const msg = this.features.legacyMessages ? `${prefix} Failed: ${err}` : `${prefix} (${err})`;
    return jsonResponse(200, { success: false, msg, obj: null });
  }

  /** `pureJsonMsg`: the text as is. */
  pure(status: number, success: boolean, key: XuiTextKey): SimResponse {
    return jsonResponse(status, { success, msg: this.text(key), obj: null });
  }
}

/** ClientTraffic JSON with the fields of this version; `client` fills `uuid`/`subId` (2.8.4+). */
export function trafficJson(row: XuiTrafficRow, features: XuiFeatures, client?: RawClient): Record<string, unknown> {
  const out: Record<string, unknown> = { id: row.id, inboundId: row.inboundId, enable: row.enable, email: row.email };
  if (features.v284) {
    out.uuid = client ? str(client, 'id') : '';
    out.subId = client ? str(client, 'subId') : '';
  }
  out.up = row.up;
  out.down = row.down;
  if (features.delClientByEmail && !features.clientRoutes) out.allTime = row.allTime;
  out.expiryTime = row.expiryTime;
  out.total = row.total;
  out.reset = row.reset;
  if (features.delClientByEmail) out.lastOnline = row.lastOnline;
  if (features.clientRoutes) {
    out.resetDay = 0;
    out.resetMax = 0;
    out.resetCount = 0;
    out.lastSubFetch = 0;
  }
  return out;
}

/** The `clientStats` of an inbound as `list` returns them (shared rows included from 3.0). */
export function clientStatsOf(state: XuiState, inbound: XuiInbound): Record<string, unknown>[] {
  const features = state.features;
  const clients = state.clientsOf(inbound);
  const byEmail = new Map<string, RawClient>();
  for (const c of clients) byEmail.set(str(c, 'email').toLowerCase(), c);
  const rows: XuiTrafficRow[] = [];
  const seen = new Set<string>();
  for (const row of state.traffic.values()) {
    if (row.inboundId === inbound.id) {
      rows.push(row);
      seen.add(row.email.toLowerCase());
    }
  }
  if (features.sharedEmailBySubId) {
    for (const c of clients) {
      const key = str(c, 'email').toLowerCase();
      if (key === '' || seen.has(key)) continue;
      const row = [...state.traffic.values()].find((r) => r.email.toLowerCase() === key);
      if (row) {
        rows.push(row);
        seen.add(key);
      }
    }
  }
  rows.sort((a, b) => a.id - b.id);
  return rows.map((r) => trafficJson(r, features, byEmail.get(r.email.toLowerCase())));
}

function jsonColumn(value: Record<string, unknown> | null, features: XuiFeatures): unknown {
  if (features.clientRoutes) return value;
  return value === null ? '' : goMarshalIndentMap(value);
}

/**
 * Inbound JSON with the fields of this version. `stats` = the `clientStats` array (`list`) or
 * null (`get/:id` always answers `clientStats: null`).
 */
export function inboundJson(inbound: XuiInbound, features: XuiFeatures, stats: unknown[] | null): Record<string, unknown> {
  const out: Record<string, unknown> = { id: inbound.id, up: inbound.up, down: inbound.down, total: inbound.total };
  if (features.v27) out.allTime = inbound.allTime;
  out.remark = inbound.remark;
  out.enable = inbound.enable;
  out.expiryTime = inbound.expiryTime;
  if (features.v284) {
    out.trafficReset = inbound.trafficReset;
    out.lastTrafficResetTime = inbound.lastTrafficResetTime;
  }
  if (features.csrf) out.nodeId = null;
  out.clientStats = stats;
  out.listen = inbound.listen;
  out.port = inbound.port;
  out.protocol = inbound.protocol;
  out.settings = jsonColumn(inbound.settings, features);
  out.streamSettings = jsonColumn(inbound.streamSettings, features);
  out.tag = inbound.tag;
  out.sniffing = jsonColumn(inbound.sniffing, features);
  return out;
}
