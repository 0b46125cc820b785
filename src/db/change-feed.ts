import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import type { Logger } from '../logger';

/** The NOTIFY channel the cache triggers write to (migration Migration20261203140000_cache_notify). */
export const CACHE_CHANNEL = 'vp_cache';

/** Tables whose changes are announced on {@link CACHE_CHANNEL} (the payload is the table name). */
export type CachedTable = 'api_key' | 'admin' | 'plan' | 'setting' | 'customer';

/**
 * Listens for `NOTIFY vp_cache, '<table>'` (sent by triggers on every insert, update and delete,
 * whichever process or tool wrote) and tells in-process caches to drop what they hold.
 *
 * While the listening connection is down, {@link live} is false and caches must not answer from
 * memory (a change could be missed); every (re)connect emits `reset` so they start empty.
 */
export class ChangeFeed extends EventEmitter {
  private client: Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
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
      if (msg.channel === CACHE_CHANNEL && msg.payload) this.emit('change', msg.payload as CachedTable);
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
