import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import type { Logger } from '../logger';

/**
 * The NOTIFY channel the cache triggers write to (migrations Migration20261203140000_cache_notify
 * and Migration20261203190000_cache_notify_keys).
 */
export const CACHE_CHANNEL = 'vp_cache';

/** Tables whose changes are announced on {@link CACHE_CHANNEL}. */
export type CachedTable = 'api_key' | 'admin' | 'plan' | 'setting' | 'customer';

/** How long {@link ChangeFeed.sync} waits for the listening connection before dropping it. */
const SYNC_TIMEOUT_MS = 5_000;

/** `<table>` or `<table>:<key>` (the key of the changed row as the caches use it). */
export function parseCachePayload(payload: string): { table: CachedTable; key?: string } {
  const at = payload.indexOf(':');
  return at < 0 ? { table: payload as CachedTable } : { table: payload.slice(0, at) as CachedTable, key: payload.slice(at + 1) };
}

/**
 * Listens for `NOTIFY vp_cache, '<table>[:<key>]'` (sent by triggers on every insert, update and
 * delete, whichever process or tool wrote) and tells in-process caches what to drop: emits
 * `change` with the table and, when the notification names one, the changed row's key.
 *
 * While the listening connection is down, {@link live} is false and caches must not answer from
 * memory (a change could be missed); every (re)connect emits `reset` so they start empty.
 */
export class ChangeFeed extends EventEmitter {
  private client: Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  /** The round trip of {@link sync} in flight, and the one queued behind it (not sent yet). */
  private syncInFlight: Promise<void> | null = null;
  private syncQueued: Promise<void> | null = null;
  /** True while LISTEN is active: only then may a cache serve from memory. */
  live = false;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {
    super();
    this.setMaxListeners(50);
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.connectionString });
    client.on('notification', (msg) => {
      if (msg.channel !== CACHE_CHANNEL || !msg.payload) return;
      const { table, key } = parseCachePayload(msg.payload);
      this.emit('change', table, key);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CACHE_CHANNEL}`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.emit('reset');
    this.live = true;
    if (this.attempt > 0) this.logger.info({ attempts: this.attempt }, 'cache change feed reconnected');
    this.attempt = 0;
  }

  /**
   * Resolves once every notification of a transaction that committed before this call has been
   * handled (caches dropped what it changed): read-your-writes for the process that wrote. One
   * round trip on the listening connection that starts after the call: PostgreSQL (14 and later)
   * delivers the notifications a listening session has been signalled before the ReadyForQuery
   * that ends the statement, and a commit signals its listeners before it returns. Concurrent
   * callers share one round trip. Resolves at once while not live (caches are bypassed then).
   */
  sync(): Promise<void> {
    const client = this.client;
    if (!this.live || !client) return Promise.resolve();
    if (this.syncQueued) return this.syncQueued;
    const roundTrip = (): Promise<void> => {
      this.syncQueued = null;
      // A connection that fails or stops answering is dropped: not live, caches emptied and
      // bypassed until it is back, which keeps read-your-writes without the feed.
      const trip = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.lost(client, new Error(`no answer to a sync in ${SYNC_TIMEOUT_MS} ms`));
          resolve();
        }, SYNC_TIMEOUT_MS);
        client.query('select 1').then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          (err: unknown) => {
            clearTimeout(timer);
            this.lost(client, err);
            resolve();
          },
        );
      });
      this.syncInFlight = trip;
      void trip.then(() => {
        if (this.syncInFlight === trip) this.syncInFlight = null;
      });
      return trip;
    };
    if (!this.syncInFlight) return roundTrip();
    // The round trip in flight may have been sent before the caller's commit: queue the next one.
    this.syncQueued = this.syncInFlight.then(roundTrip);
    return this.syncQueued;
  }

  private lost(client: Client, err: unknown): void {
    if (this.client !== null && this.client !== client) return;
    this.live = false;
    this.client = null;
    this.emit('reset');
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    if (this.stopped || this.retryTimer) return;
    this.attempt += 1;
    if (this.attempt === 1) this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cache change feed lost its connection; caches bypassed until it is back');
    const delay = Math.min(5000, 100 * 2 ** Math.min(this.attempt, 6));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.live = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => undefined);
  }
}
