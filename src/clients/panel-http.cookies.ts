/** The panel transport's cookie jar (the panels' session cookies). */

interface StoredCookie {
  value: string;
  /** ms since epoch; null = session cookie. */
  expiresAt: number | null;
}

/**
 * A per-transport cookie jar: one panel, one host, so domain and path are ignored. Honours
 * `Max-Age` (which wins over `Expires`) and `Expires`, including deletion by `Max-Age=0` or a
 * past date.
 */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  /** @param now the clock used for expiry (default `Date.now`). */
  constructor(private readonly now: () => number = Date.now) {}

  /** Stores the cookies of one response's `Set-Cookie` header(s). */
  storeFromHeader(setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) this.storeOne(line);
  }

  private storeOne(line: string): void {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (name === '') return;
    let maxAge: number | undefined;
    let expires: number | undefined;
    for (const attr of attrs) {
      const i = attr.indexOf('=');
      const key = (i >= 0 ? attr.slice(0, i) : attr).trim().toLowerCase();
      const val = i >= 0 ? attr.slice(i + 1).trim() : '';
      if (key === 'max-age' && /^-?\d+$/.test(val)) maxAge = Number(val);
      else if (key === 'expires') {
        const t = Date.parse(val);
        if (!Number.isNaN(t)) expires = t;
      }
    }
    const now = this.now();
    const expiresAt = maxAge !== undefined ? now + maxAge * 1000 : (expires ?? null);
    if (expiresAt !== null && expiresAt <= now) {
      this.cookies.delete(name);
      return;
    }
    this.cookies.set(name, { value, expiresAt });
  }

  /** The unexpired value of a cookie. */
  get(name: string): string | undefined {
    this.purge();
    return this.cookies.get(name)?.value;
  }

  /** Sets a session cookie by hand. */
  set(name: string, value: string): void {
    this.cookies.set(name, { value, expiresAt: null });
  }

  /** Removes one cookie. */
  delete(name: string): void {
    this.cookies.delete(name);
  }

  /** The `Cookie` header value for the next request, or undefined when the jar is empty. */
  header(): string | undefined {
    this.purge();
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, c]) => `${k}=${c.value}`).join('; ');
  }

  /** Number of unexpired cookies. */
  get size(): number {
    this.purge();
    return this.cookies.size;
  }

  /** Forgets every cookie (logout, re-login). */
  clear(): void {
    this.cookies.clear();
  }

  private purge(): void {
    const now = this.now();
    for (const [k, c] of this.cookies) if (c.expiresAt !== null && c.expiresAt <= now) this.cookies.delete(k);
  }
}
