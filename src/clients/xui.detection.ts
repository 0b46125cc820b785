/**
 * What detection reads from a 3x-ui panel's answers: version strings, the behaviour switches
 * (traits) and profile of a version, the version a page shows, a `csrf-token` answer.
 *
 * Version detection (checked against the panel source of 2.0–3.6):
 * - family: `GET {base}csrf-token` is a public route from 3.0.0 (404 before);
 * - 2.x: every server-rendered page links its assets as `…/custom.min.css?<version>`
 *   (`custom.css?` in 2.0–2.2), the login page included;
 * - 3.0.0: every page, the login page included, injects `window.__X_UI_CUR_VER__="<version>"`;
 *   3.0.1+: only the pages behind the login inject `window.X_UI_CUR_VER="<version>"`;
 * - 3.1+: `GET panel/api/server/status` has `obj.panelVersion` (from 3.5 a dev build reports
 *   `dev+<commit>`; the object is `null` until the panel's first 2 s status sample).
 * When no version can be read the adapter does not refuse the panel: it probes the routes it
 * needs (`clients/*`, the link routes, `server/status`) and picks the matching route set.
 */
import type { PanelResponse } from './panel-http';
import { csrfTokenSchema } from './xui.schemas';

/** What a 3.0.x panel that hides its patch level is reported as (compares as 3.0.0). */
export const UNKNOWN_V30 = '3.0.x';
/** A 3.1+ panel whose version string could not be read or is not numeric. */
export const UNKNOWN_V31 = '3.1+';
/** A 2.x panel whose version string could not be read. */
export const UNKNOWN_V2 = '2.x';

/** Behaviour switches of the detected panel that the adapter's route sets need. */
export interface XuiVersionTraits {
  version: string;
  /** 2.8.0+: `:id/delClientByEmail/:email`. */
  delClientByEmail: boolean;
  /** 3.0+: one email on several inbounds when every copy has the same subId. */
  sharedEmail: boolean;
  /** 3.1+: `/panel/api/clients/*`. */
  clientRoutes: boolean;
  /** 2.7+: `GET panel/api/server/status` (before: `POST {base}server/status`). */
  serverApi: boolean;
  /** 3.0.1+: the panel builds share links itself (`inbounds/getClientLinks`, 3.1+ `clients/links`). */
  linkRoutes: boolean;
}

/** The numeric `x.y.z` of a version string (`v` prefix allowed), or undefined for labels like `dev+1a2b3c4d`. */
export function parseVersion(raw: string): string | undefined {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?(?:\.\d+)*\s*$/.exec(raw);
  return m ? `${m[1]}.${m[2]}.${m[3] ?? '0'}` : undefined;
}

/** Numeric compare of dotted versions. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The profile (PANELS.md B.1) of a supported version. */
export function profileOf(version: string): string {
  if (compareVersions(version, '2.7.0') < 0) return 'G2';
  if (compareVersions(version, '2.8.4') < 0) return 'G3';
  if (compareVersions(version, '3.0.0') < 0) return 'G4';
  if (compareVersions(version, '3.1.0') < 0) return 'G5';
  return 'G6';
}

/** The traits of a numeric version. */
export function traitsOf(version: string): XuiVersionTraits {
  const atLeast = (v: string): boolean => compareVersions(version, v) >= 0;
  return {
    version,
    delClientByEmail: atLeast('2.8.0'),
    sharedEmail: atLeast('3.0.0'),
    clientRoutes: atLeast('3.1.0'),
    serverApi: atLeast('2.7.0'),
    linkRoutes: atLeast('3.0.1'),
  };
}

/** The profile of probed traits (no numeric version). */
export function profileOfTraits(t: XuiVersionTraits): string {
  if (t.clientRoutes) return 'G6';
  if (t.sharedEmail) return 'G5';
  return t.serverApi ? 'G3' : 'G2';
}

// The 2.x asset links carry `?<version>`; `custom.min.css` first, any versioned asset as a fallback.
const V2_ASSET_VERSION = [/assets\/css\/custom(?:\.min)?\.css\?v?(\d+\.\d+(?:\.\d+)*)/, /\.(?:css|js)\?v?(\d+\.\d+(?:\.\d+){0,2})["'&]/];
// 3.0.0 spells it `__X_UI_CUR_VER__`, 3.0.1+ `X_UI_CUR_VER`.
const V3_PAGE_VERSION = /(?:__)?X_UI_CUR_VER(?:__)?\s*=\s*"([^"]+)"/;
// Looked up only to learn whether a route exists; no client has this name.
export const PROBE_NAME = 'xui-adapter-route-probe';

/** The version a page shows, if any. */
export function versionInPage(text: string): string | undefined {
  const v3 = V3_PAGE_VERSION.exec(text);
  if (v3) return v3[1];
  for (const re of V2_ASSET_VERSION) {
    const m = re.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

/** The token of a `csrf-token` answer, or undefined when the answer is not one (a 2.x panel). */
export function csrfTokenOf(res: PanelResponse): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(res.text) as unknown;
  } catch {
    return undefined;
  }
  const parsed = csrfTokenSchema.safeParse(body);
  return parsed.success ? parsed.data.obj : undefined;
}

/** Traits of a read version string; numeric versions decide alone, labels (undefined here) are probed. */
export function traitsOfShown(version: string): XuiVersionTraits | undefined {
  const numeric = parseVersion(version);
  return numeric === undefined ? undefined : { ...traitsOf(numeric), version };
}
