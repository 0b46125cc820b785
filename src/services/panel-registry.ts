import type { PanelHttpOptions } from '../clients/panel-http';
import type { PanelAdapter, PanelConnection } from '../clients/panel.types';
import type { SecretBox } from '../crypto';
import type { Server } from '../entities/server.entity';

/** Decrypted panel credentials as stored (encrypted) in `server.credentials_enc`. */
export interface PanelCredentials {
  username?: string | null;
  password?: string | null;
  apiToken?: string | null;
}

/** Builds an adapter for a connection (the real factory, or one a test injects). */
export type PanelAdapterFactory = (conn: PanelConnection, httpOptions?: Partial<PanelHttpOptions>) => PanelAdapter;

/**
 * One adapter per server, kept while the server row is unchanged, so sessions and the circuit
 * breaker live across calls. Changing a server's URL or credentials makes a new adapter.
 */
export class PanelRegistry {
  private readonly cache = new Map<string, { version: string; adapter: PanelAdapter }>();

  constructor(
    private readonly factory: PanelAdapterFactory,
    private readonly secrets: SecretBox,
    private readonly httpOptions: Partial<PanelHttpOptions> = {},
  ) {}

  /** The connection of a server, with its credentials decrypted (memory only). */
  connectionOf(server: Server): PanelConnection {
    const creds = this.secrets.decryptJson<PanelCredentials>(server.credentialsEnc);
    return {
      serverId: server.id,
      kind: server.kind,
      baseUrl: server.baseUrl,
      username: creds.username ?? undefined,
      password: creds.password ?? undefined,
      apiToken: creds.apiToken ?? undefined,
    };
  }

  adapterFor(server: Server): PanelAdapter {
    const version = `${server.kind}|${server.baseUrl}|${server.credentialsEnc}|${server.tlsVerify}`;
    const hit = this.cache.get(server.id);
    if (hit && hit.version === version) return hit.adapter;
    if (hit) void hit.adapter.close().catch(() => undefined);
    const adapter = this.factory(this.connectionOf(server), { ...this.httpOptions, serverId: server.id, rejectUnauthorized: server.tlsVerify });
    this.cache.set(server.id, { version, adapter });
    return adapter;
  }

  /** An adapter for a connection that is not saved yet (connection tests). The caller closes it. */
  adapterForConnection(conn: PanelConnection, opts: { tlsVerify?: boolean } = {}): PanelAdapter {
    return this.factory(conn, { ...this.httpOptions, rejectUnauthorized: opts.tlsVerify ?? true });
  }

  /** Closes and drops the adapter of a server (deleted); a later call would build a new one. */
  async forget(serverId: string): Promise<void> {
    const hit = this.cache.get(serverId);
    this.cache.delete(serverId);
    await hit?.adapter.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.cache.values()].map((c) => c.adapter.close().catch(() => undefined)));
    this.cache.clear();
  }
}
