/**
 * 3x-ui version profiles the simulator can play (PANELS.md B.1) and the behaviour switches that
 * follow from the concrete version string.
 *
 * A profile is a family of releases with the same API shape; each plays one default version,
 * which an option can override (for example `1.8.1` to prove an adapter refuses pre-2.0 panels,
 * or `2.8.11` for the `getClientTraffics` enable quirk). Every switch below is computed from the
 * version, not the profile, so an override moves exactly the behaviours that moved upstream.
 *
 * Where the panel exposes its version (read from the Go source):
 * - v2.x: every server-rendered page, the login page included, links its assets as
 *   `assets/css/custom.min.css?<version>` (`custom.css?` in 2.0–2.2);
 * - v3.0.0: every page, the login page included, injects `window.__X_UI_CUR_VER__="<version>"`;
 *   v3.0.1+: only the pages behind the login inject `window.X_UI_CUR_VER="<version>"`;
 * - v3.1+: `GET {base}panel/api/server/status` has `obj.panelVersion` (`null` obj until the first
 *   2 s status sample); from 3.5 a dev build reports `dev+<commit>` there and in the page.
 */

/** The generations of PANELS.md B.1 the simulator supports. */
export type XuiProfile = 'G2' | 'G3' | 'G4' | 'G5' | 'G6';

/** All profiles, oldest first. */
export const XUI_PROFILES: readonly XuiProfile[] = ['G2', 'G3', 'G4', 'G5', 'G6'];

/** The version each profile plays unless overridden. */
export const XUI_DEFAULT_VERSIONS: Readonly<Record<XuiProfile, string>> = {
  // 2.3.5: cookie still named `session`, " Successful"/" Failed: " message style.
  G2: '2.3.5',
  G3: '2.8.3',
  G4: '2.9.4',
  G5: '3.0.2',
  G6: '3.6.0',
};

/** Numeric compare of dotted versions (`2.10.0` > `2.9.4`); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** How an unauthenticated `/panel/api/*` request is answered (PANELS.md B.3.4). */
export type UnauthStyle =
  /** ≤2.8.3: XHR → 401 JSON `loginAgain`; else 307 to the base path. */
  | 'json401-or-307'
  /** 2.8.4–3.0.1: 404 empty, whatever the headers. */
  | 'always404'
  /** 3.0.2+ (source of v3.0.2 and v3.1+): XHR → 401 empty; else 404 empty. */
  | 'xhr401-or-404';

/** Behaviour switches of one concrete version. */
export interface XuiFeatures {
  version: string;
  /** Session cookie name: `session` before 2.3.8, then `3x-ui`. */
  cookieName: string;
  /** Cookie `Path` is the base path from 2.9.0 (before: `/`). */
  cookiePathIsBase: boolean;
  /** How the HTML pages show the version: v2 asset links, 3.0.0 `__X_UI_CUR_VER__` everywhere, 3.0.1+ `X_UI_CUR_VER` behind the login. */
  pageVersion: 'assets' | 'underscored-all-pages' | 'panel-pages';
  /** 3.5+: a dev build reports `dev+<commit>` as its version (status and page). */
  devBuildLabel: boolean;
  /** 2.9.4+: `GET panel/api/server/getPanelUpdateInfo`. */
  updateInfoRoute: boolean;
  /** 2.5+: the duplicate-email check ignores case (before: exact match). */
  emailCaseInsensitive: boolean;
  /** 3.4+: `clients/resetTraffic` also re-enables the client record (before: only the traffic row). */
  resetEnablesRecord: boolean;
  /** 3.4+: `clients/update` keeps the stored UUID/password/auth when the body omits them (before: new random ones, issue #5111). */
  updateKeepsSecrets: boolean;
  /** 3.2+: `group` in the client record and `model.Client`. */
  clientGroup: boolean;
  /** 3.5+: WireGuard/MTProto client fields (`allowedIPs` is CSV text in the record, a list in `model.Client`). */
  wireguardClientFields: boolean;
  /** < 2.6: messages are `<text> Successful` / `<text> Failed: <err>`. */
  legacyMessages: boolean;
  /** 3.0+: CSRF token for login and every cookie-authenticated non-GET `/panel/api` call. */
  csrf: boolean;
  /** 3.0+: `Authorization: Bearer <token>`. */
  bearer: boolean;
  /** 3.0+: 5 failed logins per (IP, username) in 5 min block the pair for 15 min. */
  loginRateLimit: boolean;
  /** 3.0.2+: logout is `POST` (CSRF) answering `{"success":true}`; before, `GET` → 307. */
  logoutPost: boolean;
  /** 3.0.2+: changing the admin credentials invalidates every session. */
  credentialEpoch: boolean;
  unauth: UnauthStyle;
  /** 2.7+: `/panel/api/server/*` (before: `POST {base}server/status`). */
  serverApi: boolean;
  /** 3.1+: `obj.panelVersion` in `server/status`. */
  panelVersionInStatus: boolean;
  /** 2.7+: `lastOnline`, `updateClientTraffic`; inbound `allTime`. */
  v27: boolean;
  /** 2.8.0+: `delClientByEmail`; ClientTraffic `allTime`, `lastOnline`. */
  delClientByEmail: boolean;
  /** 2.8.4+: ClientTraffic `uuid`/`subId`; inbound `trafficReset`/`lastTrafficResetTime`; unknown email on getClientTraffics fails. */
  v284: boolean;
  /** 2.8.4–2.8.11: getClientTraffics/ById report the settings `enable`, not the traffic row's (issue #4032). */
  trafficEnableQuirk: boolean;
  /** 2.9.4+: `delClient` of an unknown id fails; depletion also writes `enable:false` into settings; `setEnable`, `copyClients`. */
  v294: boolean;
  /** 3.0+: one email may sit on several inbounds when every copy has the same non-empty subId. */
  sharedEmailBySubId: boolean;
  /** 3.0.2+: an empty email is refused on addClient. */
  emailRequired: boolean;
  /** 3.0.1–3.0.2: `getSubLinks`, `getClientLinks`. */
  linkRoutes: boolean;
  /** ≤2.6.x: `GET createbackup`. */
  createBackup: boolean;
  /** ≤2.9.x: the tag is always recomputed from the port on add/update (3.0: only when empty). */
  alwaysRecomputeTag: boolean;
  /** 3.1+: `/panel/api/clients/*`, classic client routes gone, settings emitted as objects. */
  clientRoutes: boolean;
  /** Subscription links: 2.8.6+ use a specific listen address as the host (before: always the request host). */
  subListenAddress: boolean;
  /** Subscription links before 2.8.10 carry `allowInsecure` (URLs `1` when true; vmess the bool). */
  subAllowInsecure: boolean;
  /** Subscription vless `encryption`: absent before 2.6.8, only when non-empty up to 2.8.2, whenever set from 2.8.3. */
  subVlessEncryption: 'never' | 'non-empty' | 'always';
  /** Subscription links before 2.3.6: a `Host` header overrides the ws/httpupgrade `host` field. */
  subHeaderHostWins: boolean;
  /** 3.1+: unknown subscription → 404 empty (before: 400 `Error!`). */
  sub404: boolean;
  /**
   * 3.1+ `clients/add` of a client (same email and subId) to an inbound that already holds it
   * (PANELS.md Part E, issue #5770): 3.1.0–3.2.7 refuse it (`UNIQUE constraint failed:
   * client_inbounds…`), 3.2.8–3.4.x append a second copy, 3.5.0+ skip the re-add. (3.0.x classic
   * `addClient` appends too: its duplicate-email check exempts a matching subId and does not look
   * at the inbound.)
   */
  sameInboundReAdd: 'unique-error' | 'append' | 'skip';
}

/** Computes the behaviour switches of a version. */
export function xuiFeatures(version: string): XuiFeatures {
  const atLeast = (v: string): boolean => compareVersions(version, v) >= 0;
  const below = (v: string): boolean => compareVersions(version, v) < 0;
  let unauth: UnauthStyle = 'json401-or-307';
  if (atLeast('2.8.4')) unauth = 'always404';
  if (atLeast('3.0.2')) unauth = 'xhr401-or-404';
  return {
    version,
    cookieName: below('2.3.8') ? 'session' : '3x-ui',
    cookiePathIsBase: atLeast('2.9.0'),
    pageVersion: below('3.0.0') ? 'assets' : below('3.0.1') ? 'underscored-all-pages' : 'panel-pages',
    devBuildLabel: atLeast('3.5.0'),
    updateInfoRoute: atLeast('2.9.4'),
    emailCaseInsensitive: atLeast('2.5.0'),
    resetEnablesRecord: atLeast('3.4.0'),
    updateKeepsSecrets: atLeast('3.4.0'),
    clientGroup: atLeast('3.2.0'),
    wireguardClientFields: atLeast('3.5.0'),
    legacyMessages: below('2.6.0'),
    csrf: atLeast('3.0.0'),
    bearer: atLeast('3.0.0'),
    loginRateLimit: atLeast('3.0.0'),
    logoutPost: atLeast('3.0.2'),
    credentialEpoch: atLeast('3.0.2'),
    unauth,
    serverApi: atLeast('2.7.0'),
    panelVersionInStatus: atLeast('3.1.0'),
    v27: atLeast('2.7.0'),
    delClientByEmail: atLeast('2.8.0'),
    v284: atLeast('2.8.4'),
    trafficEnableQuirk: atLeast('2.8.4') && below('2.9.0'),
    v294: atLeast('2.9.4'),
    sharedEmailBySubId: atLeast('3.0.0'),
    emailRequired: atLeast('3.0.2'),
    linkRoutes: atLeast('3.0.1') && below('3.1.0'),
    createBackup: below('2.7.0'),
    alwaysRecomputeTag: below('3.0.0'),
    clientRoutes: atLeast('3.1.0'),
    subListenAddress: atLeast('2.8.6'),
    subAllowInsecure: below('2.8.10'),
    subVlessEncryption: below('2.6.8') ? 'never' : below('2.8.3') ? 'non-empty' : 'always',
    subHeaderHostWins: below('2.3.6'),
    sub404: atLeast('3.1.0'),
    sameInboundReAdd: below('3.2.8') ? 'unique-error' : below('3.5.0') ? 'append' : 'skip',
  };
}

/**
 * The i18n texts the simulator answers with (English), keyed like the panel's translation
 * files. `legacy` is what releases before 2.6 said for the same outcome.
 */
export const XUI_TEXT = {
  somethingWentWrong: { modern: 'Something went wrong', legacy: 'Something went wrong!' },
  inboundClientAddSuccess: { modern: 'Inbound client(s) have been added.', legacy: 'Client(s) added' },
  inboundClientUpdateSuccess: { modern: 'Inbound client has been updated.', legacy: 'Client updated' },
  inboundClientDeleteSuccess: { modern: 'Inbound client has been deleted.', legacy: 'Client deleted' },
  inboundCreateSuccess: { modern: 'Inbound has been successfully created.', legacy: 'Create' },
  inboundUpdateSuccess: { modern: 'Inbound has been successfully updated.', legacy: 'Update' },
  inboundDeleteSuccess: { modern: 'Inbound has been successfully deleted.', legacy: 'Delete' },
  resetInboundClientTrafficSuccess: { modern: 'Traffic has been reset.', legacy: 'traffic reseted' },
  trafficGetError: { modern: 'Error getting traffics.', legacy: 'Error getting traffics' },
  obtain: { modern: 'Obtain', legacy: 'Obtain' },
  successLogin: { modern: ' You have successfully logged into your account.', legacy: 'Login' },
  wrongUsernameOrPassword: {
    modern: 'Invalid username or password or two-factor code.',
    legacy: 'Invalid username or password.',
  },
  emptyUsername: { modern: 'Username is required', legacy: 'Username is required' },
  emptyPassword: { modern: 'Password is required', legacy: 'Password is required' },
  invalidFormData: { modern: 'The Input data format is invalid.', legacy: 'The Input data format is invalid.' },
  loginAgain: {
    modern: 'Your session has expired, please log in again',
    legacy: 'Your session has expired, please log in again',
  },
  delClientByEmailSuccess: { modern: 'Client deleted successfully', legacy: 'Client deleted successfully' },
  delClientByEmailFail: { modern: 'Failed to delete client by email', legacy: 'Failed to delete client by email' },
  logCleanSuccess: { modern: 'The log has been cleared.', legacy: 'Log Cleared' },
} as const;

/** A text key of {@link XUI_TEXT}. */
export type XuiTextKey = keyof typeof XUI_TEXT;
