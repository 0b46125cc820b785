import { Entity, Enum, Index, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export enum ServerKind {
  SUI = 'SUI',
  XUI = 'XUI',
}

export enum ServerStatus {
  UNKNOWN = 'UNKNOWN',
  HEALTHY = 'HEALTHY',
  DEGRADED = 'DEGRADED',
  DOWN = 'DOWN',
}

/** One S-UI or 3x-ui panel we control through its HTTP API. */
@Entity({ tableName: 'server' })
@Index({ properties: ['serverGroup', 'active', 'status'] })
export class Server {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text', unique: true })
  name!: string;

  @Enum({ items: () => ServerKind })
  kind!: ServerKind;

  /** Panel URL including its web base path. */
  @Property({ type: 'text' })
  baseUrl!: string;

  /** Host, port and base path of the panel, normalised: one row per panel (null only for duplicates older than the key). */
  @Property({ type: 'text', nullable: true, unique: true })
  panelKey?: string | null;

  /** AES-256-GCM ciphertext of `{username, password, apiToken}` (src/crypto.ts). Never returned. */
  @Property({ type: 'text', hidden: true })
  credentialsEnc!: string;

  /** The version profile the adapter detected (S-UI 1.2..1.5, 3x-ui G2..G6). */
  @Property({ type: 'text', nullable: true })
  versionProfile?: string | null;

  @Property({ type: 'text', nullable: true })
  detectedVersion?: string | null;

  @Property({ type: 'text', default: 'default' })
  serverGroup: string & Opt = 'default';

  /** Max active subscriptions placed here. */
  @Property({ type: 'integer', default: 100 })
  capacity: number & Opt = 100;

  @Enum({ items: () => ServerStatus, default: ServerStatus.UNKNOWN })
  status: ServerStatus & Opt = ServerStatus.UNKNOWN;

  /** Consecutive failed health probes (for hysteresis). */
  @Property({ type: 'integer', default: 0 })
  failureStreak: number & Opt = 0;

  /** Consecutive good health probes (for hysteresis). */
  @Property({ type: 'integer', default: 0 })
  successStreak: number & Opt = 0;

  /**
   * Outcomes of the last 10 applied health probes, oldest first: `G` good, `S` slow (over
   * `health_degraded_latency_ms`), `F` failed. Used to call a server flaky (DEGRADED).
   */
  @Property({ type: 'text', default: '' })
  probeHistory: string & Opt = '';

  @Property({ type: 'timestamptz', nullable: true })
  lastCheckedAt?: Date | null;

  /** Safe message of the last failed probe. */
  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'boolean', default: true })
  active: boolean & Opt = true;

  /** Verify the panel's TLS certificate. Off only for panels with a self-signed certificate. */
  @Property({ type: 'boolean', default: true })
  tlsVerify: boolean & Opt = true;

  /** End of the last successful usage sync (sync_server_usage); the schedule runs the next one after `usage_sync_minutes`. */
  @Property({ type: 'timestamptz', nullable: true })
  usageSyncedAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
