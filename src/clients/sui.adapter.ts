/**
 * The S-UI panel adapter (PANELS.md Part A): drives `alireza0/s-ui` 1.2–1.5 through its HTTP API.
 *
 * Auth: the token API (`{base}apiv2/*`, header `Token`) when `conn.apiToken` is set, else the
 * session API (`{base}api/*`, form login, cookie `s-ui`). Session calls always send
 * `X-Requested-With: XMLHttpRequest`, so an expired session answers `Invalid login` JSON (not a
 * 307 to `/login`); either answer triggers one re-login and one retry.
 *
 * Writes go through `POST save` with the form fields `object`, `action`, `data` (JSON text): the
 * panel ignores JSON bodies. A client's identity is its `name`. `edit` replaces the whole row, so
 * every update is read-modify-write of the full row (`GET clients?id=`), keeping what we do not
 * manage (desc, group, remark, external/sub links, reset fields, unknown future fields).
 * Caveats of that API: traffic the panel counts between our read and our write is lost; on 1.2.x
 * an `edit` of a row deleted meanwhile re-inserts it (gorm upsert, no existence check).
 *
 * Every client save is checked against the client list the panel answers with: 1.3.0–1.3.4 lose
 * the client service's error and answer success with nothing written.
 *
 * The panel writes the share links (`links`, type `local`) when a client is saved, with the host
 * name of that API request unless the inbound has `addrs`: give the panel by its public host name
 * (or set `addrs`), or `getLinks` and the subscription carry the address we reached it by.
 *
 * Units: S-UI expiry is unix seconds (0 = never), volume and counters are bytes.
 * S-UI has no per-client device limit: `deviceLimit` is ignored and reported as 0.
 */

import { NameQueue } from './name-queue';
import { PanelError } from './panel-error';
import type { PanelHttpOptions } from './panel-http';
import type { ClientSpec, ClientUsage, EnsureResult, PanelAdapter, PanelClient, PanelConnection, PanelHealth, PanelInbound, PanelInfo } from './panel.types';
import { SuiApi } from './sui.api';
import { applySpec, fromExpiry, newSuiClient, safeErrorText, sameIds, sameManaged, SUI_MIN_VERSION, suiInboundIds, suiProfileFor, toPanelClient } from './sui.model';
import { suiInboundsObjSchema, type SuiClientFull } from './sui.schemas';

/** The S-UI implementation of {@link PanelAdapter}. */
export class SuiAdapter implements PanelAdapter {
  readonly kind = 'SUI' as const;
  readonly serverId: string;

  private readonly api: SuiApi;
  /** Writes of one client name never interleave here. */
  private readonly queue = new NameQueue();

  /**
   * @param conn the panel; `kind` must be `SUI`.
   * @param httpOptions transport overrides (timeouts, retries, test dispatcher); `serverId` and
   *   `baseUrl` always come from `conn`.
   */
  constructor(conn: PanelConnection, httpOptions?: Partial<PanelHttpOptions>) {
    if (conn.kind !== 'SUI') throw new TypeError('SuiAdapter needs a SUI connection');
    this.serverId = conn.serverId;
    this.api = new SuiApi(conn, httpOptions);
  }

  // ------------------------------------------------------------------ PanelAdapter

  /** Reads the version from `status?r=sys` (`obj.sys.appVersion`; `settings` omits it) and caches it. */
  async detect(): Promise<PanelInfo> {
    return this.api.detect();
  }

  /** Probes `status?r=sys`; never throws. Not ok for unreachable panels, bad credentials and versions below 1.2. */
  async health(): Promise<PanelHealth> {
    const started = performance.now();
    const latency = (): number => Math.round((performance.now() - started) * 100) / 100;
    try {
      const version = await this.api.readVersion(this.api.mode);
      if (suiProfileFor(version) === null) {
        return { ok: false, latencyMs: latency(), version, error: `S-UI ${version} is not supported (needs ${SUI_MIN_VERSION} or later)` };
      }
      return { ok: true, latencyMs: latency(), version };
    } catch (err) {
      return { ok: false, latencyMs: latency(), error: safeErrorText(err) };
    }
  }

  /** `GET inbounds` (summaries). S-UI inbounds have no remark or enable flag: remark = tag, enabled = true. */
  async listInbounds(): Promise<PanelInbound[]> {
    const obj = await this.api.call('sui.inbounds', 'GET', 'inbounds', suiInboundsObjSchema, { idempotent: true });
    return (obj.inbounds ?? []).map((i) => ({
      remoteId: String(i.id),
      tag: i.tag,
      protocol: i.type,
      port: typeof i.listen_port === 'number' ? i.listen_port : 0,
      remark: i.tag,
      enabled: true,
    }));
  }

  /**
   * Creates the client named `spec.name` or updates its full row. A create whose answer was lost
   * is followed by a look-up by name, never by a second blind create.
   */
  async ensureClient(spec: ClientSpec): Promise<EnsureResult> {
    const inboundIds = suiInboundIds(spec);
    return this.queue.run(spec.name, () => this.doEnsure(spec, inboundIds));
  }

  private async doEnsure(spec: ClientSpec, inboundIds: number[]): Promise<EnsureResult> {
    const op = 'sui.ensureClient';
    await this.api.detect();
    const rows = await this.api.findRows(spec.name, op);
    if (rows.length === 0) return this.create(spec, inboundIds);
    const current = rows[0];
    const desired = applySpec(current, spec, inboundIds);
    if (sameManaged(current, desired)) return { action: 'unchanged', client: toPanelClient(current) };
    await this.evictFromDroppedInbounds(current, desired);
    await this.edit(desired, 'sui.save.clients.edit');
    return { action: 'updated', client: toPanelClient(desired) };
  }

  /**
   * S-UI 1.2.x restarts only the inbounds an edited client lists afterwards, so an inbound it is
   * taken off keeps serving it until something else restarts that inbound. There, first save it
   * disabled on the old and new inbounds together (each restarts without it), then the wanted row.
   */
  private async evictFromDroppedInbounds(current: SuiClientFull, desired: SuiClientFull): Promise<void> {
    if (this.api.info?.profile !== '1.2') return;
    const next = desired.inbounds ?? [];
    const dropped = (current.inbounds ?? []).filter((id) => !next.includes(id));
    if (dropped.length === 0) return;
    await this.edit({ ...desired, enable: false, inbounds: [...next, ...dropped] }, 'sui.save.clients.edit');
  }

  /**
   * A client no attempt has asked for before: `save clients new` (its answer gives the row id),
   * then the links from that one row, `GET clients?id=`. S-UI has no read by name, and `save`
   * answers with every client's summary whatever we do. A lost or refused answer is followed by
   * a look-up by name, never by a second create ({@link create}).
   */
  async createNewClient(spec: ClientSpec): Promise<string[]> {
    const inboundIds = suiInboundIds(spec);
    return this.queue.run(spec.name, async () => {
      await this.api.detect();
      await this.create(spec, inboundIds);
      return this.getLinks(spec.name);
    });
  }

  /** The client's full row as a {@link PanelClient}; null when the panel has no client of that name. */
  async getClient(name: string): Promise<PanelClient | null> {
    const rows = await this.api.findRows(name, 'sui.getClient');
    return rows.length > 0 ? toPanelClient(rows[0]) : null;
  }

  /** Flips `enable` on every row of that name (read-modify-write `edit`). */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const op = 'sui.setEnabled';
    await this.api.detect();
    await this.queue.run(name, async () => {
      const rows = await this.api.requireRows(name, op);
      for (const row of rows) {
        if (row.enable === enabled) continue;
        await this.edit({ ...row, enable: enabled }, op);
      }
    });
  }

  /**
   * Zeroes `up`/`down` of that client (S-UI's own `resetTraffic` action resets and re-enables
   * every client, so it is not used). On 1.4+ the counters move into `totalUp`/`totalDown`, as
   * the panel's own resets do. `enable` is left as it is.
   */
  async resetTraffic(name: string): Promise<void> {
    const op = 'sui.resetTraffic';
    await this.api.detect();
    await this.queue.run(name, async () => {
      const rows = await this.api.requireRows(name, op);
      for (const row of rows) {
        if (row.up === 0 && row.down === 0) continue;
        const next: SuiClientFull = { ...row, up: 0, down: 0 };
        if (typeof row.totalUp === 'number' && typeof row.totalDown === 'number') {
          next.totalUp = row.totalUp + row.up;
          next.totalDown = row.totalDown + row.down;
        }
        await this.edit(next, op);
      }
    });
  }

  /** Deletes every row of that name; a missing client (or one deleted meanwhile) is success. */
  async deleteClient(name: string): Promise<void> {
    const op = 'sui.save.clients.del';
    await this.api.detect();
    await this.queue.run(name, async () => {
      const rows = await this.api.findRows(name, op);
      for (const row of rows) {
        try {
          await this.api.save('clients', 'del', String(row.id), op, true, () => false);
        } catch (err) {
          if (!(err instanceof PanelError && /record not found/i.test(err.panelMessage ?? ''))) throw err;
        }
      }
      this.api.forgetId(name);
    });
  }

  /** One `GET clients`: the summaries carry up/down/volume/expiry/enable. */
  async listUsage(): Promise<ClientUsage[]> {
    const rows = await this.api.listSummaries('sui.listUsage');
    return rows.map((r) => ({
      name: r.name,
      upBytes: r.up,
      downBytes: r.down,
      enabled: r.enable,
      trafficLimitBytes: r.volume,
      expiresAt: fromExpiry(r.expiry),
    }));
  }

  /** `GET clients` plus full rows by id in chunks (one request per about 1,400 clients). */
  async listClients(): Promise<PanelClient[]> {
    const op = 'sui.listClients';
    const summaries = await this.api.listSummaries(op);
    const full = await this.api.fetchFull(summaries.map((s) => s.id), op);
    return full.map((r) => toPanelClient(r));
  }

  /** The `local` and `external` share links of the client's full row (remote `sub` links are not expanded). */
  async getLinks(name: string): Promise<string[]> {
    const rows = await this.api.requireRows(name, 'sui.getLinks');
    return (rows[0].links ?? []).filter((l) => l.type === 'local' || l.type === 'external').map((l) => l.uri);
  }

  /** Closes the transport. */
  async close(): Promise<void> {
    await this.api.close();
  }

  // ------------------------------------------------------------------ clients

  private async create(spec: ClientSpec, inboundIds: number[]): Promise<EnsureResult> {
    const op = 'sui.save.clients.new';
    const { id: _id, ...data } = newSuiClient(spec, inboundIds);
    try {
      const obj = await this.api.save('clients', 'new', JSON.stringify(data), op, false, (c) => c.name === spec.name);
      const created = (obj.clients ?? []).filter((c) => c.name === spec.name).sort((a, b) => b.id - a.id)[0];
      if (!created) {
        // 1.3.0–1.3.4 answer success when the insert failed; the look-up below decides.
        throw this.api.error({ code: 'PANEL_REJECTED', operation: op, retryable: true, panelMessage: 'the panel answered success but does not list the new client' });
      }
      this.api.rememberId(spec.name, created.id);
      return { action: 'created', client: toPanelClient({ ...data, id: created.id }) };
    } catch (err) {
      if (this.api.isDefinite(err)) throw err;
      if (err instanceof PanelError && (err.code === 'PANEL_AUTH_FAILED' || err.code === 'PANEL_VERSION_UNSUPPORTED')) throw err;
      // The create may have been applied: look before anything else (never create blindly twice).
      this.api.forgetId(spec.name);
      const rows = await this.api.findRows(spec.name, op);
      if (rows.length === 0) throw err;
      const desired = applySpec(rows[0], spec, inboundIds);
      if (!sameManaged(rows[0], desired)) await this.edit(desired, 'sui.save.clients.edit');
      return { action: 'created', client: toPanelClient(desired) };
    }
  }

  private async edit(row: SuiClientFull, op: string): Promise<void> {
    const inbounds = row.inbounds ?? [];
    // Absolute full-row replace: repeating it cannot create anything, so it may be retried.
    const obj = await this.api.save('clients', 'edit', JSON.stringify({ ...row, inbounds, links: row.links ?? [] }), op, true, (c) => c.id === row.id);
    this.api.rememberId(row.name, row.id);
    // The answer lists every client: a row that does not show what we wrote was not written
    // (1.3.0–1.3.4 report a failed edit, e.g. of a row deleted meanwhile, as a success).
    if (obj.clients === undefined || obj.clients === null) return;
    const got = obj.clients.find((c) => c.id === row.id);
    const applied =
      got !== undefined &&
      got.name === row.name &&
      got.enable === row.enable &&
      got.volume === row.volume &&
      got.expiry === row.expiry &&
      sameIds(got.inbounds ?? [], inbounds);
    if (!applied) {
      throw this.api.error({ code: 'PANEL_REJECTED', operation: op, retryable: true, panelMessage: 'the panel answered success but did not apply the update' });
    }
  }
}
