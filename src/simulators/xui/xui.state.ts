/**
 * The simulated 3x-ui database: inbounds (whose `settings.clients[]` hold the clients, as in the
 * real panel), `client_traffics` rows keyed by email, and the traffic job (PANELS.md B.9).
 *
 * The route handlers (classic and G6) and the test hooks all work on this one model, so what a
 * hook seeds is exactly what the API then serves.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SimClock } from '../shared/sim-http';
import type { XuiFeatures } from './xui.profile';
import { num, randomSubId, str, type ClientLocation, type RawClient, type TrafficRate, type XuiInbound, type XuiTrafficRow } from './xui.rows';

export { clientKeyField, defaultInboundSettings, num, randomSubId, str } from './xui.rows';
export type { ClientLocation, RawClient, TrafficRate, XuiInbound, XuiTrafficRow } from './xui.rows';

const DAY_MS = 86_400_000;

/** The in-memory database of one simulated panel. */
export class XuiState {
  readonly inbounds = new Map<number, XuiInbound>();
  /** Keyed by the exact email (SQLite `=` is case-sensitive; the duplicate check is not). */
  readonly traffic = new Map<string, XuiTrafficRow>();
  /** Online clients and what each tick adds for them. */
  readonly online = new Map<string, TrafficRate>();
  /** Emails that moved traffic in the last tick (`onlines`). */
  lastOnlines: string[] | null = null;
  /** G6 client-record ids and creation times by lower-cased email. */
  readonly recordMeta = new Map<string, { id: number; createdAt: number; updatedAt: number }>();
  private nextInboundId = 1;
  private nextTrafficId = 1;
  private nextRecordId = 1;

  constructor(
    readonly clock: SimClock,
    readonly features: XuiFeatures,
  ) {}

  /** Next inbound id (autoincrement). */
  allocInboundId(): number {
    return this.nextInboundId++;
  }

  /** The clients array of an inbound, created when missing. */
  clientsOf(inbound: XuiInbound): RawClient[] {
    const c = inbound.settings.clients;
    if (Array.isArray(c)) return c as RawClient[];
    const fresh: RawClient[] = [];
    inbound.settings.clients = fresh;
    return fresh;
  }

  /** Inbounds in id order. */
  inboundList(): XuiInbound[] {
    return [...this.inbounds.values()].sort((a, b) => a.id - b.id);
  }

  /** Every entry whose email matches (case-insensitive unless `exact`). */
  findEntries(email: string, exact = false): ClientLocation[] {
    const out: ClientLocation[] = [];
    const want = exact ? email : email.toLowerCase();
    for (const inbound of this.inboundList()) {
      this.clientsOf(inbound).forEach((client, index) => {
        const e = str(client, 'email');
        if ((exact ? e : e.toLowerCase()) === want) out.push({ inbound, client, index });
      });
    }
    return out;
  }

  /** email (lower-cased) → subId, with an email seen under two different subIds locked to ''. */
  emailSubIds(): Map<string, string> {
    const out = new Map<string, string>();
    for (const inbound of this.inbounds.values()) {
      for (const c of this.clientsOf(inbound)) {
        const email = str(c, 'email').toLowerCase();
        if (email === '') continue;
        const sub = str(c, 'subId');
        const prev = out.get(email);
        if (prev === undefined) out.set(email, sub);
        else if (prev !== sub) out.set(email, '');
      }
    }
    return out;
  }

  /**
   * The panel-wide duplicate-email check of addClient (case-insensitive from 2.5, exact before),
   * returning the first offending email or ''. From 3.0 an email may repeat when every copy carries the same
   * non-empty subId.
   */
  duplicateEmail(clients: RawClient[], known: Map<string, string> = this.emailSubIds()): string {
    const seen = new Map<string, string>();
    for (const c of clients) {
      const email = str(c, 'email');
      if (email === '') continue;
      const key = email.toLowerCase();
      const sub = str(c, 'subId');
      if (this.features.sharedEmailBySubId) {
        const prev = seen.get(key);
        if (prev !== undefined) {
          if (prev !== sub || sub === '') return email;
          continue;
        }
        seen.set(key, sub);
        const existing = known.get(key);
        if (existing !== undefined && (sub === '' || existing === '' || existing !== sub)) return email;
      } else if (this.features.emailCaseInsensitive) {
        if (seen.has(key) || known.has(key)) return email;
        seen.set(key, sub);
      } else {
        // Before 2.5 the check compares the exact strings.
        if (seen.has(email) || this.findEntries(email, true).length > 0) return email;
        seen.set(email, sub);
      }
    }
    return '';
  }

  /** Creates the traffic row of a client unless its email already has one (ON CONFLICT DO NOTHING). */
  addTrafficRow(inboundId: number, client: RawClient): void {
    const email = str(client, 'email');
    if (email === '' || this.traffic.has(email)) return;
    this.traffic.set(email, {
      id: this.nextTrafficId++,
      inboundId,
      enable: client.enable === true,
      email,
      up: 0,
      down: 0,
      allTime: 0,
      expiryTime: num(client, 'expiryTime'),
      total: num(client, 'totalGB'),
      reset: num(client, 'reset'),
      lastOnline: 0,
    });
  }

  /** Copies the limits of a client into its traffic row (UpdateClientStat); up/down untouched. */
  updateTrafficRow(oldEmail: string, client: RawClient): void {
    const row = this.traffic.get(oldEmail);
    if (!row) return;
    const email = str(client, 'email');
    if (email !== oldEmail) {
      this.traffic.delete(oldEmail);
      row.email = email;
      this.traffic.set(email, row);
    }
    row.enable = client.enable === true;
    row.total = num(client, 'totalGB');
    row.expiryTime = num(client, 'expiryTime');
    row.reset = num(client, 'reset');
  }

  /** Whether another inbound than `exceptInboundId` still holds the email (case-insensitive). */
  emailUsedElsewhere(email: string, exceptInboundId: number): boolean {
    return this.findEntries(email).some((l) => l.inbound.id !== exceptInboundId);
  }

  /** The G6 record id/timestamps of an email, allocated on first use. */
  recordMetaOf(email: string): { id: number; createdAt: number; updatedAt: number } {
    const key = email.toLowerCase();
    let meta = this.recordMeta.get(key);
    if (!meta) {
      const now = this.clock.now();
      meta = { id: this.nextRecordId++, createdAt: now, updatedAt: now };
      this.recordMeta.set(key, meta);
    }
    return meta;
  }

  /** Builds a full client entry with the panel UI's defaults for the fields not given. */
  newClient(protocol: string, fields: RawClient): RawClient {
    const now = this.clock.now();
    const base: RawClient = {};
    if (protocol === 'vless' || protocol === 'vmess') base.id = randomUUID();
    if (protocol === 'vmess') base.security = 'auto';
    if (protocol === 'trojan') base.password = randomBytes(8).toString('hex');
    if (protocol === 'shadowsocks') base.password = randomBytes(32).toString('base64');
    if (protocol === 'vless') base.flow = '';
    Object.assign(base, {
      email: '',
      limitIp: 0,
      totalGB: 0,
      expiryTime: 0,
      enable: true,
      tgId: 0,
      subId: randomSubId(),
      comment: '',
      reset: 0,
      created_at: now,
      updated_at: now,
    });
    return { ...base, ...fields };
  }

  /** Removes one entry and, unless another inbound still uses the email, its traffic row. */
  removeEntry(loc: ClientLocation): void {
    const clients = this.clientsOf(loc.inbound);
    const i = clients.indexOf(loc.client);
    if (i >= 0) clients.splice(i, 1);
    const email = str(loc.client, 'email');
    if (email !== '' && !this.emailUsedElsewhere(email, loc.inbound.id)) {
      this.deleteTrafficCaseInsensitive(email);
      this.online.delete(email);
    }
  }

  /** Deletes the traffic row of an email whatever its case (used when the last copy goes). */
  deleteTrafficCaseInsensitive(email: string): void {
    const lower = email.toLowerCase();
    for (const key of [...this.traffic.keys()]) if (key.toLowerCase() === lower) this.traffic.delete(key);
    this.recordMeta.delete(lower);
  }

  /** Writes `enable` into every settings entry of an email. */
  setEntriesEnable(email: string, enable: boolean): void {
    for (const loc of this.findEntries(email)) loc.client.enable = enable;
  }

  /**
   * One run of the 10 s traffic job: online clients' counters grow, then delayed start,
   * auto-renew and depletion are applied (PANELS.md B.9, `>=` quota, ms expiry).
   */
  tick(): { disabled: string[] } {
    const now = this.clock.now();
    const moved: string[] = [];
    for (const [email, rate] of this.online) {
      const row = this.traffic.get(email);
      if (!row || !row.enable) continue;
      const inbound = this.inbounds.get(row.inboundId);
      if (inbound && !inbound.enable) continue;
      const bytes = rate.up + rate.down;
      if (bytes <= 0) continue;
      row.up += rate.up;
      row.down += rate.down;
      row.allTime += bytes;
      row.lastOnline = now;
      if (inbound) {
        inbound.up += rate.up;
        inbound.down += rate.down;
        inbound.allTime += bytes;
      }
      moved.push(email);
      if (row.expiryTime < 0) {
        row.expiryTime = now - row.expiryTime;
        for (const loc of this.findEntries(email)) loc.client.expiryTime = row.expiryTime;
      }
    }
    this.lastOnlines = moved;

    for (const row of this.traffic.values()) {
      if (row.reset > 0 && row.expiryTime > 0 && row.expiryTime <= now) {
        while (row.expiryTime <= now) row.expiryTime += row.reset * DAY_MS;
        row.up = 0;
        row.down = 0;
        row.enable = true;
        for (const loc of this.findEntries(row.email)) {
          loc.client.expiryTime = row.expiryTime;
          loc.client.enable = true;
        }
      }
    }

    const disabled: string[] = [];
    for (const row of this.traffic.values()) {
      if (!row.enable) continue;
      const overQuota = row.total > 0 && row.up + row.down >= row.total;
      const expired = row.expiryTime > 0 && row.expiryTime <= now;
      if (!overQuota && !expired) continue;
      row.enable = false;
      disabled.push(row.email);
      if (this.features.v294) this.setEntriesEnable(row.email, false);
    }

    for (const inbound of this.inbounds.values()) {
      if (!inbound.enable) continue;
      const over = inbound.total > 0 && inbound.up + inbound.down >= inbound.total;
      const expired = inbound.expiryTime > 0 && inbound.expiryTime <= now;
      if (over || expired) inbound.enable = false;
    }
    return { disabled };
  }
}
