/**
 * The client API of 3x-ui 3.1+ (`{base}panel/api/clients/*`, PANELS.md B.8): clients keyed by
 * email, attached to any number of inbounds, JSON bodies only.
 *
 * - Look-up: `get/:email` (record + inboundIds) and `traffic/:email` (counters): two requests.
 * - Listing and usage: one `GET clients/list` (records with `inboundIds` and `traffic`).
 * - Create: `add` with every target inbound at once; the panel forces `enable:true`, so a spec
 *   that wants the client disabled is applied by the reconcile step right after.
 * - Update: `update/:email` replaces the whole client (omitted fields reset; only the secrets
 *   and subId are kept when empty), so the body is the record as read with our fields applied;
 *   inbound membership changes through `:email/attach` and `:email/detach`.
 * - `resetTraffic/:email` also re-enables the client; when it had been disabled on purpose
 *   (not by depletion) the adapter disables it again.
 */
import type { ClientSpec } from './panel.types';
import { XuiRefusal, type XuiApi } from './xui.api';
import {
  depletedByPanel,
  expiryMs,
  recordDiffers,
  subIdOf,
  type RawClient,
  type XuiClientView,
  type XuiRoutes,
  type XuiTraffic,
} from './xui.model';
import {
  clientGetSchema,
  clientListSchema,
  clientTrafficOrNullSchema,
  inboundListSchema,
  type XuiInboundDto,
} from './xui.schemas';

const API = 'panel/api/clients';

// Record keys that are not `model.Client` fields (or are derived) and must not be sent back.
const NOT_CLIENT_FIELDS = ['id', 'uuid', 'createdAt', 'updatedAt', 'inboundIds', 'traffic', 'externalLinks', 'usedTraffic'];

function trafficOf(t: { up: number; down: number; enable: boolean; total: number; expiryTime: number; inboundId?: number } | null | undefined): XuiTraffic | undefined {
  return t ? { up: t.up, down: t.down, enable: t.enable, total: t.total, expiryTime: t.expiryTime, inboundId: t.inboundId } : undefined;
}

function viewOf(record: RawClient, inboundIds: number[], traffic: XuiTraffic | undefined): XuiClientView {
  const email = typeof record.email === 'string' ? record.email : '';
  return { email, record, traffic, entries: inboundIds.map((inboundId) => ({ inboundId, protocol: '', client: record })) };
}

/** The full-replace body: the record as read, secrets and managed fields from `spec`. */
function updateBody(record: RawClient, spec: ClientSpec | undefined, enable?: boolean): RawClient {
  const body: RawClient = { ...record };
  for (const k of NOT_CLIENT_FIELDS) delete body[k];
  // The record's `uuid` is the client's protocol UUID, which `model.Client` calls `id`.
  body.id = typeof record.uuid === 'string' ? record.uuid : '';
  if (body.reverse === null) delete body.reverse;
  if (spec) {
    body.id = spec.uuid;
    body.password = spec.password;
    body.email = spec.name;
    body.enable = spec.enabled;
    body.totalGB = spec.trafficLimitBytes;
    body.expiryTime = expiryMs(spec);
    body.limitIp = spec.deviceLimit;
    body.subId = subIdOf(spec);
  }
  if (enable !== undefined) body.enable = enable;
  return body;
}

/** 3.1+ route set. */
export class XuiClientRoutes implements XuiRoutes {
  constructor(
    private readonly api: XuiApi,
    private readonly now: () => number,
  ) {}

  async listInbounds(): Promise<XuiInboundDto[]> {
    return this.api.call({ operation: 'xui.inbounds.list', method: 'GET', path: 'panel/api/inbounds/list', idempotent: true }, inboundListSchema);
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
    return viewOf(parsed.data.client, parsed.data.inboundIds, trafficOf(traffic));
  }

  async listClients(): Promise<XuiClientView[]> {
    const rows = await this.api.call({ operation: 'xui.clients.list', method: 'GET', path: `${API}/list`, idempotent: true }, clientListSchema);
    return rows.map((r) => viewOf(r, r.inboundIds, trafficOf(r.traffic)));
  }

  async create(spec: ClientSpec): Promise<void> {
    const client: RawClient = {
      id: spec.uuid,
      password: spec.password,
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
      json: { client, inboundIds: spec.inboundIds.map(Number) },
      idempotent: false,
    });
  }

  private async update(email: string, body: RawClient): Promise<void> {
    await this.api.ok({ operation: 'xui.clients.update', method: 'POST', path: `${API}/update/${encodeURIComponent(email)}`, json: body, idempotent: true });
  }

  async reconcile(view: XuiClientView, spec: ClientSpec): Promise<boolean> {
    const record = view.record ?? {};
    let changed = false;
    const current = view.entries.map((e) => e.inboundId);
    const targets = spec.inboundIds.map(Number);
    const attach = targets.filter((id) => !current.includes(id));
    const detach = current.filter((id) => !targets.includes(id));
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
    if (recordDiffers(record, spec, view.traffic, this.now())) {
      await this.update(view.email, updateBody(record, spec));
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
    await this.update(view.email, updateBody(record, undefined, enabled));
  }

  async resetTraffic(view: XuiClientView): Promise<void> {
    await this.api.ok({ operation: 'xui.clients.resetTraffic', method: 'POST', path: `${API}/resetTraffic/${encodeURIComponent(view.email)}`, idempotent: true });
    const record = view.record ?? {};
    // The panel re-enables the client on reset; keep a deliberate disable (not a depletion).
    if (record.enable !== true && !depletedByPanel(view.traffic, this.now())) {
      await this.update(view.email, updateBody(record, undefined, false));
    }
  }

  async delete(view: XuiClientView): Promise<void> {
    try {
      await this.api.ok({ operation: 'xui.clients.del', method: 'POST', path: `${API}/del/${encodeURIComponent(view.email)}`, idempotent: true });
    } catch (err) {
      if (!(err instanceof XuiRefusal)) throw err;
      if ((await this.getClient(view.email)) !== null) throw err;
    }
  }
}
