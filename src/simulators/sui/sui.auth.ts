/**
 * The S-UI simulator's authentication: login sessions (the `s-ui` cookie, its expiry by the
 * `sessionMaxAge` setting and the cookie signature's own 30-day limit), login, logout, the
 * last-login stamp, password change and API tokens (A.2).
 */
import { randomBytes } from 'node:crypto';
import type { SimClock, SimRequest, SimResponse } from '../shared/sim-http';
import { GoError, sprintln } from './sui.go-json';
import { header, jsonMsg, jsonObj, remoteIp, type FormReader } from './sui.http-util';
import { SuiStore } from './sui.store';

/** A logged-in session (the real panel keeps only the username in a signed cookie). */
interface Session {
  username: string;
  /** Simulated ms; null = browser-session cookie. */
  expiresAt: number | null;
  /** Simulated ms of the login: the signed cookie is refused 30 days after it was issued. */
  issuedAt: number;
}

/** gorilla/securecookie's default `MaxAge` of the cookie store: the server's own limit, whatever the setting. */
const COOKIE_SIGNATURE_MAX_AGE_MS = 30 * 86_400_000;

const COOKIE = 's-ui';

function sessionCookie(req: SimRequest): string {
  for (const part of header(req, 'cookie').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim();
  }
  return '';
}

/** `2006-01-02 15:04:05 <ip>` in UTC, as the users table keeps it. */
export function formatLastLogin(ms: number, ip: string): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${ip}`;
}

/** The sessions, passwords and API tokens of one panel. */
export class SuiAuth {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly store: SuiStore,
    private readonly clock: SimClock,
    /** Session lifetime; undefined = the `sessionMaxAge` setting (minutes; 0 = browser session). */
    private readonly sessionMaxAgeMs?: number,
  ) {}

  /** Drops every session: the next `/api` call is unauthenticated. */
  clear(): void {
    this.sessions.clear();
  }

  /** Number of live sessions (for state dumps). */
  count(): number {
    this.purgeSessions();
    return this.sessions.size;
  }

  private expired(s: Session, now: number): boolean {
    return (s.expiresAt !== null && s.expiresAt <= now) || now - s.issuedAt > COOKIE_SIGNATURE_MAX_AGE_MS;
  }

  private purgeSessions(): void {
    const now = this.clock.now();
    for (const [k, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(k);
  }

  /** The user of the request's session cookie, or '' (an expired session is dropped when seen). */
  userOf(req: SimRequest): string {
    const value = sessionCookie(req);
    if (value === '') return '';
    const s = this.sessions.get(value);
    if (!s) return '';
    if (this.expired(s, this.clock.now())) {
      this.sessions.delete(value);
      return '';
    }
    return s.username;
  }

  private effectiveMaxAgeMs(): number {
    if (this.sessionMaxAgeMs !== undefined) return this.sessionMaxAgeMs;
    const minutes = Number(this.store.settings.sessionMaxAge);
    return Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : 0;
  }

  /** `POST login`: a new session cookie for a known user and password. */
  login(req: SimRequest, form: FormReader): SimResponse {
    const ip = remoteIp(req);
    const user = this.store.users.find((u) => u.username === form.value('user') && u.password === form.value('pass'));
    if (!user) return jsonMsg('', new GoError(sprintln('wrong user or password! IP: ', ip)));
    user.lastLogin = formatLastLogin(this.clock.now(), ip);
    const value = `MT${randomBytes(48).toString('base64url')}`;
    const maxAgeMs = this.effectiveMaxAgeMs();
    this.sessions.set(value, {
      username: user.username,
      expiresAt: maxAgeMs > 0 ? this.clock.now() + maxAgeMs : null,
      issuedAt: this.clock.now(),
    });
    let cookie = `${COOKIE}=${value}; Path=/`;
    if (maxAgeMs > 0) {
      // The client's jar runs on real time, so Expires is real time; the server enforces the simulated expiry.
      const seconds = Math.max(1, Math.ceil(maxAgeMs / 1000));
      cookie += `; Expires=${new Date(Date.now() + seconds * 1000).toUTCString()}; Max-Age=${seconds}`;
    }
    const res = jsonMsg('');
    res.headers = { ...res.headers, 'set-cookie': cookie };
    return res;
  }

  /** `GET logout`: drops the session and clears the cookie. */
  logout(req: SimRequest): SimResponse {
    const value = sessionCookie(req);
    if (value !== '') this.sessions.delete(value);
    const res = jsonMsg('');
    res.headers = { ...res.headers, 'set-cookie': `${COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0` };
    return res;
  }

  /** `POST changePass`. */
  changePass(form: FormReader): SimResponse {
    const user = this.store.users.find((u) => String(u.id) === form.value('id') && u.password === form.value('oldPass'));
    if (!user) return jsonMsg('', new GoError('record not found'));
    user.username = form.value('newUsername');
    user.password = form.value('newPass');
    return jsonMsg('save');
  }

  /** `POST addToken`: a random token expiring after `expiry` days (0 = never). */
  addToken(form: FormReader, user: string): SimResponse {
    const raw = form.value('expiry');
    if (!/^[+-]?\d+$/.test(raw)) return jsonMsg('', new GoError(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`));
    const days = Number(raw);
    const userRow = this.store.users.find((u) => u.username === user);
    const token = SuiStore.randomToken();
    const row = this.store.addTokenRow(token, days > 0 ? this.store.nowSec() + days * 86400 : 0, form.value('desc'));
    row.userId = userRow?.id ?? 1;
    return jsonObj(token);
  }
}
