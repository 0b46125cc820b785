/**
 * The S-UI store's timed jobs (PANELS.md A.6): the stats tick, the deplete job with delayed start
 * and periodic reset, and the `resetTraffic` action.
 */
import { SuiObjectSaves } from './sui.object-saves';
import { storedIds, unionInto } from './sui.store.rows';

/** Traffic accounting and the jobs that disable, reset and re-enable clients. */
export class SuiJobs extends SuiObjectSaves {
  /**
   * One stats tick (every 10 s on the real panel): applies the traffic counted since the last tick
   * plus the steady rates of online clients to every enabled client of that name, sets `onlineAt`
   * (1.5+) and recomputes `onlines`.
   */
  tick(): void {
    const now = this.nowSec();
    const traffic = new Map<string, { up: number; down: number }>();
    const add = (name: string, t: { up: number; down: number }): void => {
      const cur = traffic.get(name) ?? { up: 0, down: 0 };
      traffic.set(name, { up: cur.up + t.up, down: cur.down + t.down });
    };
    for (const [name, t] of this.pendingTraffic) add(name, t);
    for (const [name, t] of this.onlineRates) add(name, t);
    this.pendingTraffic.clear();
    const users = new Set<string>();
    const inboundTags = new Set<string>();
    // The core counts by user name and only serves enabled clients; the panel then adds the
    // counts to every row of that name (duplicates included, enabled or not).
    const served = new Set<string>();
    for (const c of this.clients.values()) if (c.enable) served.add(c.name);
    for (const c of this.clients.values()) {
      const t = traffic.get(c.name);
      if (!t || !served.has(c.name) || t.up + t.down <= 0) continue;
      c.up += t.up;
      c.down += t.down;
      if (this.features.v15) c.onlineAt = now;
      users.add(c.name);
      for (const id of Array.isArray(c.inbounds) ? c.inbounds : []) {
        const tag = this.inbounds.get(Number(id))?.tag;
        if (tag) inboundTags.add(tag);
      }
    }
    this.onlines = { inbound: [...inboundTags], user: [...users], outbound: users.size > 0 ? ['direct'] : [] };
  }

  /**
   * The 1-minute deplete job: delayed start and periodic reset (1.4+), then disables every enabled
   * client over its volume (strictly greater) or past its expiry. Returns the disabled names.
   */
  runDeplete(): string[] {
    const dt = this.nowSec();
    const restart = this.features.resetFields ? this.resetClients(dt) : [];
    const disabled: string[] = [];
    for (const c of this.clients.values()) {
      if (!c.enable) continue;
      if ((c.volume > 0 && c.up + c.down > c.volume) || (c.expiry > 0 && c.expiry < dt)) {
        c.enable = false;
        disabled.push(c.name);
        unionInto(restart, storedIds(c.inbounds));
        this.changes.push({ id: this.nextIds.change++, dateTime: dt, actor: 'DepleteJob', key: 'clients', action: 'disable', obj: c.name });
      }
    }
    if (disabled.length > 0) this.lastUpdate = dt;
    this.restartInbounds(restart);
    return disabled;
  }

  /** Delayed start and periodic reset; returns the inbounds of clients it re-enabled. */
  protected resetClients(dt: number): number[] {
    let changed = false;
    const reenabled: number[] = [];
    for (const c of this.clients.values()) {
      const used = c.up + c.down > 0;
      if (c.enable && c.delayStart && used) {
        if (c.autoReset) c.nextReset = dt + c.resetDays * 86400;
        else c.expiry = dt + c.resetDays * 86400;
        c.delayStart = false;
        this.changes.push({ id: this.nextIds.change++, dateTime: dt, actor: 'ResetJob', key: 'clients', action: 'reset', obj: c.name });
        changed = true;
      } else if (!c.delayStart && c.autoReset && c.nextReset < dt) {
        c.nextReset = dt + c.resetDays * 86400;
        c.totalUp += c.up;
        c.totalDown += c.down;
        c.up = 0;
        c.down = 0;
        if (!c.enable) {
          c.enable = true;
          unionInto(reenabled, storedIds(c.inbounds));
        }
      }
    }
    if (changed) this.lastUpdate = dt;
    return reenabled;
  }

  /** `POST resetTraffic` (1.5+): moves up/down into the totals, zeroes them and enables everyone. */
  resetAllTraffic(): void {
    let affected = 0;
    for (const c of this.clients.values()) {
      if (c.up + c.down > 0 || !c.enable) {
        c.totalUp += c.up;
        c.totalDown += c.down;
        c.up = 0;
        c.down = 0;
        c.enable = true;
        affected++;
      }
    }
    if (affected > 0) {
      const dt = this.nowSec();
      this.changes.push({ id: this.nextIds.change++, dateTime: dt, actor: 'ResetTrafficJob', key: 'clients', action: 'reset', obj: 'all' });
      this.lastUpdate = dt;
    }
    // The action restarts the whole core afterwards.
    this.restartInbounds([...this.inbounds.keys()]);
  }
}
