/**
 * The client API of 3x-ui 3.1+ (`{base}panel/api/clients/*`, PANELS.md B.8; checked against the
 * source of 3.1.0–3.6.0): clients keyed by email, attached to any number of inbounds, JSON bodies
 * only.
 *
 * - Look-up: `get/:email` (record + inboundIds) and `traffic/:email` (counters): two requests.
 * - Listing and usage: one `GET clients/list` (records with `inboundIds` and `traffic`).
 * - Create: `add` with every target inbound at once; the panel forces `enable:true`, so a spec
 *   that wants the client disabled is applied by the reconcile step right after.
 * - Update: `update/:email` binds the body into `model.Client` and replaces the whole client
 *   (3.1–3.3 even give omitted secrets new random values), so the body is the record as read,
 *   re-typed for `model.Client`, with our fields applied; inbound membership changes through
 *   `:email/attach` and `:email/detach`.
 * - `resetTraffic/:email` re-enables the traffic row; 3.4+ also the record, 3.1–3.3 not. The
 *   adapter then sets the record to what it should be: enabled after a panel depletion, disabled
 *   when it was disabled on purpose.
 * - The inbounds' protocols (for Shadowsocks-2022 keys) come from `inbounds/list`, re-read at most
 *   every few minutes or when an unknown inbound id shows up.
 */
import type { ClientSpec } from './panel.types';
import { XuiRefusal, type XuiApi } from './xui.api';
import { keyBytesOf, trafficOf, updateBody, viewOf, type InboundMeta } from './xui.client-record';
import { depletedByPanel, expiryMs, passwordFor, recordDiffers, ss2022KeyBytes, subIdOf, type RawClient, type XuiClientView } from './xui.model';
import type { XuiRoutes } from './xui.routes';
import {
  clientGetSchema,
  clientListSchema,
  clientTrafficOrNullSchema,
  inboundListSchema,
  linkListSchema,
  type XuiInboundDto,
} from './xui.schemas';

const API = 'panel/api/clients';
// How long the protocol/method map of the inbounds is trusted before it is read again.
const INBOUND_META_TTL_MS = 5 * 60_000;

/** 3.1+ route set. */
export class XuiClientRoutes implements XuiRoutes {
  private meta = new Map<number, InboundMeta>();
  private metaAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly api: XuiApi,
    private readonly now: () => number,
  ) {}

  async listInbounds(): Promise<XuiInboundDto[]> {
    const inbounds = await this.api.call({ operation: 'xui.inbounds.list', method: 'GET', path: 'panel/api/inbounds/list', idempotent: true }, inboundListSchema);
    this.meta = new Map(inbounds.map((ib) => [ib.id, { protocol: ib.protocol, keyBytes: ss2022KeyBytes(ib.protocol, ib.settings) }]));
    this.metaAt = Date.now();
    return inbounds;
  }

  /** Protocols of the inbounds (read again when one is unknown or the map is old). */
  private async inboundMeta(ids: number[]): Promise<Map<number, InboundMeta>> {
    const stale = Date.now() - this.metaAt > INBOUND_META_TTL_MS;
    if (ids.length > 0 && (stale || ids.some((id) => !this.meta.has(id)))) await this.listInbounds();
    return this.meta;
  }

  async getClient(email: string): Promise<XuiClientView | null> {
    const op = 'xui.clients.get';
    const env = await this.api.envelope({ operation: op, method: 'GET', path: `${API}/get/${encodeURIComponent(email)}`, idempotent: true });
    if (!env.success) {
      // The only refusal of this read besides a database failure is "record not found".
      if (/not found/i.test(env.msg)) return null;
      throw this.api.refusal(op, env.msg);
    }
    const parsed = clientGetSchema.safeParse(env.obj);
    if (!parsed.success) throw this.api.session.error('PANEL_REJECTED', op, false, 'unexpected response shape');
    const traffic = await this.api.call(
      { operation: 'xui.clients.traffic', method: 'GET', path: `${API}/traffic/${encodeURIComponent(email)}`, idempotent: true },
      clientTrafficOrNullSchema,
    );
    const meta = await this.inboundMeta(parsed.data.inboundIds);
    return viewOf(parsed.data.client, parsed.data.inboundIds, trafficOf(traffic), meta);
  }

  async listClients(): Promise<XuiClientView[]> {
    const rows = await this.api.call({ operation: 'xui.clients.list', method: 'GET', path: `${API}/list`, idempotent: true }, clientListSchema);
    const meta = await this.inboundMeta([...new Set(rows.flatMap((r) => r.inboundIds))]);
    return rows.map((r) => viewOf(r, r.inboundIds, trafficOf(r.traffic), meta));
  }

  async create(spec: ClientSpec): Promise<RawClient> {
    const targets = spec.inboundIds.map(Number);
    const keyBytes = keyBytesOf(targets, await this.inboundMeta(targets));
    const client: RawClient = {
      id: spec.uuid,
      password: passwordFor(spec, keyBytes),
      email: spec.name,
      subId: subIdOf(spec),
      enable: true,
      totalGB: spec.trafficLimitBytes,
      expiryTime: expiryMs(spec),
      limitIp: spec.deviceLimit,
      tgId: 0,
      comment: '',
      reset: 0,
    };
    await this.api.ok({
      operation: 'xui.clients.add',
      method: 'POST',
      path: `${API}/add`,
      json: { client, inboundIds: targets },
      idempotent: false,
    });
    return client;
  }

  /** The add attaches every target inbound but forces `enable: true`. */
  createsAsSpec(spec: ClientSpec): boolean {
    return spec.enabled;
  }

  /** `clients/links/:email`: one request. */
  async newClientLinks(spec: ClientSpec): Promise<string[]> {
    return (await this.panelLinks(spec.name)) ?? [];
  }

  /** `update/:email` with a full body; a binding refusal is retried once with only the known fields. */
  private async update(email: string, record: RawClient, spec: ClientSpec | undefined, opts: { enable?: boolean; keyBytes?: number }): Promise<void> {
    const send = (strict: boolean): Promise<void> =>
      this.api.ok({
        operation: 'xui.clients.update',
        method: 'POST',
        path: `${API}/update/${encodeURIComponent(email)}`,
        json: updateBody(record, spec, { ...opts, strict }),
        idempotent: true,
      });
    try {
      await send(false);
    } catch (err) {
      if (!(err instanceof XuiRefusal) || !/cannot unmarshal/i.test(err.panelMessage ?? '')) throw err;
      await send(true);
    }
  }

  async reconcile(view: XuiClientView, spec: ClientSpec): Promise<boolean> {
    const record = view.record ?? {};
    let changed = false;
    const current = view.entries.map((e) => e.inboundId);
    const targets = spec.inboundIds.map(Number);
    const attach = targets.filter((id) => !current.includes(id));
    const detach = current.filter((id) => !targets.includes(id));
    const keyBytes = keyBytesOf(targets, await this.inboundMeta(targets));
    // Attach first: before 3.6 an update of a client attached to no inbound changes nothing, and
    // the update below rewrites every attached copy anyway.
    if (attach.length > 0) {
      await this.api.ok({
        operation: 'xui.clients.attach',
        method: 'POST',
        path: `${API}/${encodeURIComponent(view.email)}/attach`,
        json: { inboundIds: attach },
        idempotent: true,
      });
      changed = true;
    }
    if (recordDiffers(record, spec, view.traffic, this.now(), keyBytes)) {
      await this.update(view.email, record, spec, { keyBytes });
      changed = true;
    }
    if (detach.length > 0) {
      await this.api.ok({
        operation: 'xui.clients.detach',
        method: 'POST',
        path: `${API}/${encodeURIComponent(spec.name)}/detach`,
        json: { inboundIds: detach },
        idempotent: true,
      });
      changed = true;
    }
    return changed;
  }

  async setEnabled(view: XuiClientView, enabled: boolean): Promise<void> {
    const record = view.record ?? {};
    if ((record.enable === true) === enabled) return;
    await this.update(view.email, record, undefined, { enable: enabled });
  }

  /**
   * `resetTraffic/:email` zeroes the counters and re-enables the traffic row; 3.4+ also enables
   * the record, 3.1–3.3 leave it as it was (a client the panel disabled stays disabled). Either
   * way the record ends where it should: enabled after a depletion, disabled when disabled on purpose.
   */
  async resetTraffic(view: XuiClientView): Promise<void> {
    const record = view.record ?? {};
    const intended = record.enable === true || depletedByPanel(view.traffic, this.now());
    await this.api.ok({ operation: 'xui.clients.resetTraffic', method: 'POST', path: `${API}/resetTraffic/${encodeURIComponent(view.email)}`, idempotent: true });
    if (record.enable !== true) await this.update(view.email, record, undefined, { enable: intended });
  }

  async delete(view: XuiClientView): Promise<void> {
    try {
      await this.api.ok({ operation: 'xui.clients.del', method: 'POST', path: `${API}/del/${encodeURIComponent(view.email)}`, idempotent: true });
    } catch (err) {
      if (!(err instanceof XuiRefusal)) throw err;
      if ((await this.getClient(view.email)) !== null) throw err;
    }
  }

  /**
   * Several copies in one inbound: `del/:email?keepTraffic=1` takes every copy away but keeps the
   * traffic row, then one `add` with our credentials and subId puts a single copy back on every
   * target inbound (the reconcile step that follows applies the rest of the spec).
   */
  async collapseCopies(view: XuiClientView, spec: ClientSpec): Promise<void> {
    await this.api.ok({ operation: 'xui.clients.del', method: 'POST', path: `${API}/del/${encodeURIComponent(view.email)}?keepTraffic=1`, idempotent: true });
    await this.create(spec);
  }

  /** The links the panel itself builds for the client (`clients/links/:email`); null when it has no such client. */
  async panelLinks(email: string): Promise<string[] | null> {
    const op = 'xui.clients.links';
    const env = await this.api.envelope({ operation: op, method: 'GET', path: `${API}/links/${encodeURIComponent(email)}`, idempotent: true });
    if (!env.success) {
      if (/not found/i.test(env.msg)) return null;
      throw this.api.refusal(op, env.msg);
    }
    const parsed = linkListSchema.safeParse(env.obj);
    if (!parsed.success) throw this.api.session.error('PANEL_REJECTED', op, false, 'unexpected response shape');
    return parsed.data;
  }
}
