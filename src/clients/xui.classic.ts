/**
 * The classic client API of 3x-ui 2.x–3.0 (`{base}panel/api/inbounds/*`, PANELS.md B.5/B.7).
 *
 * Reads: one `GET inbounds/list` gives every inbound with its `settings.clients[]` (JSON text)
 * and `clientStats` (counters), so a client look-up, the usage pull and the full listing each
 * cost one request.
 *
 * Multi-inbound strategy: the panel rejects a duplicate email panel-wide (case-insensitive).
 * - 2.x: an email can live on one inbound only. A spec naming several inbounds is refused
 *   (PANEL_REJECTED); moving a client removes it from the old inbound before adding it to the
 *   new one (its counters restart).
 * - 3.0.x: the same email may sit on several inbounds when every copy carries the same non-empty
 *   subId (one shared traffic row). Copies are updated first (so they share the spec's subId),
 *   then added to missing inbounds, then removed from extra ones.
 *
 * Writes: `addClient` / `updateClient/<current key>` with `settings` as JSON *text* holding one
 * full client (objects fail binding); delete via `delClientByEmail` (2.8.0+) or
 * `delClient/<key>` (every 2.x/3.0 release; the adapter uses it when the version is unknown).
 * The panel refuses to delete the last client of an inbound, so that case rewrites the inbound
 * with `update/:id` (every column sent back as read, minus the client).
 *
 * Checked against the source of 2.0–3.0.2: `:clientId` is the UUID for vless/vmess, the password
 * for trojan, the email for shadowsocks, `auth` for hysteria; the duplicate-email check is
 * panel-wide, case-insensitive from 2.5 (exact before), and from 3.0 tolerates the same email
 * with the same non-empty subId.
 */
import type { ClientSpec } from './panel.types';
import type { XuiApi } from './xui.api';
import { buildEntry, depletedByPanel, entryDiffers, keyField, ss2022KeyBytes, str, type RawClient, type XuiClientView, type XuiEntry } from './xui.model';
import type { ShareLinkBuilder, XuiRoutes } from './xui.routes';
import { clientsOf, defaultFlow, inboundUpdateBody, viewsFromInbounds } from './xui.classic.inbounds';
import { inboundListSchema, inboundSchema, linkListSchema, type XuiInboundDto } from './xui.schemas';
import type { XuiVersionTraits } from './xui.detection';

const API = 'panel/api/inbounds';
// How long the inbounds as last read serve a create of a new client (protocol, flow, keys, links).
const INBOUNDS_TTL_MS = 5 * 60_000;

/** Classic route set. */
export class XuiClassicRoutes implements XuiRoutes {
  /** The inbounds of the last read; writes use it for protocols and inbound bodies. */
  private inbounds: XuiInboundDto[] = [];
  private inboundsAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly api: XuiApi,
    private readonly traits: XuiVersionTraits,
    private readonly now: () => number,
  ) {}

  async listInbounds(): Promise<XuiInboundDto[]> {
    this.inbounds = await this.api.call({ operation: 'xui.inbounds.list', method: 'GET', path: `${API}/list`, idempotent: true }, inboundListSchema);
    this.inboundsAt = Date.now();
    return this.inbounds;
  }

  /**
   * The inbounds as last read, read again when older than {@link INBOUNDS_TTL_MS} or missing one
   * of `ids`: a create of a new client needs no fresh list (every read of an inbound carries all
   * its clients), so it does not download the client list each time.
   */
  private async knownInbounds(ids: number[]): Promise<void> {
    const stale = Date.now() - this.inboundsAt > INBOUNDS_TTL_MS;
    if (stale || ids.some((id) => !this.inbounds.some((ib) => ib.id === id))) await this.listInbounds();
  }

  async getClient(email: string): Promise<XuiClientView | null> {
    return viewsFromInbounds(await this.listInbounds()).get(email.toLowerCase()) ?? null;
  }

  async listClients(): Promise<XuiClientView[]> {
    return [...viewsFromInbounds(await this.listInbounds()).values()];
  }

  private inbound(id: number): XuiInboundDto {
    const ib = this.inbounds.find((i) => i.id === id);
    if (!ib) throw this.api.session.error('PANEL_REJECTED', 'xui.inbounds.get', false, `inbound ${id} does not exist on the panel`);
    return ib;
  }

  private async addTo(inboundId: number, entry: RawClient): Promise<void> {
    await this.api.ok({
      operation: 'xui.inbounds.addClient',
      method: 'POST',
      path: `${API}/addClient`,
      json: { id: inboundId, settings: JSON.stringify({ clients: [entry] }) },
      idempotent: false,
    });
  }

  private async updateEntry(entry: XuiEntry, next: RawClient): Promise<void> {
    const field = keyField(entry.protocol);
    const key = str(entry.client, field);
    await this.api.ok({
      operation: 'xui.inbounds.updateClient',
      method: 'POST',
      path: `${API}/updateClient/${encodeURIComponent(key)}`,
      json: { id: entry.inboundId, settings: JSON.stringify({ clients: [next] }) },
      // A key change makes a repeat address a client that no longer has the old key.
      idempotent: str(next, field) === key,
    });
  }

  private async removeEntry(entry: XuiEntry): Promise<void> {
    const inbound = this.inbound(entry.inboundId);
    const email = str(entry.client, 'email');
    if (clientsOf(inbound).length <= 1) {
      await this.rewriteInboundWithout(entry.inboundId, email);
      return;
    }
    const path = this.traits.delClientByEmail
      ? `${API}/${entry.inboundId}/delClientByEmail/${encodeURIComponent(email)}`
      : `${API}/${entry.inboundId}/delClient/${encodeURIComponent(str(entry.client, keyField(entry.protocol)))}`;
    try {
      await this.api.ok({ operation: 'xui.inbounds.delClient', method: 'POST', path, idempotent: true });
    } catch (err) {
      // A repeated delete (retry after a lost answer) is refused as "not found": check, don't guess.
      const again = await this.getClient(email);
      if (again && again.entries.some((e) => e.inboundId === entry.inboundId)) throw err;
    }
  }

  /** Deletes the last client of an inbound: `update/:id` with every column as read, minus it. */
  private async rewriteInboundWithout(inboundId: number, email: string): Promise<void> {
    await this.rewriteInbound(inboundId, (clients) => clients.filter((c) => str(c, 'email').toLowerCase() !== email.toLowerCase()));
  }

  /**
   * Keeps the first copy of the client in each inbound holding it twice or more: the inbound is
   * rewritten (`update/:id`) with the extra copies left out. The email stays on the inbound, so the
   * panel keeps its traffic row and counters.
   */
  async collapseCopies(view: XuiClientView): Promise<void> {
    const want = view.email.toLowerCase();
    const counts = new Map<number, number>();
    for (const e of view.entries) counts.set(e.inboundId, (counts.get(e.inboundId) ?? 0) + 1);
    for (const [inboundId, n] of counts) {
      if (n < 2) continue;
      await this.rewriteInbound(inboundId, (clients) => {
        let kept = false;
        return clients.filter((c) => {
          if (str(c, 'email').toLowerCase() !== want) return true;
          if (kept) return false;
          kept = true;
          return true;
        });
      });
    }
  }

  /** `update/:id` with every column as read and the clients list passed through `edit`. */
  private async rewriteInbound(inboundId: number, edit: (clients: RawClient[]) => RawClient[]): Promise<void> {
    const current = await this.api.call(
      { operation: 'xui.inbounds.get', method: 'GET', path: `${API}/get/${inboundId}`, idempotent: true },
      inboundSchema,
    );
    const settings = { ...(current.settings ?? {}) };
    settings.clients = edit(clientsOf(current));
    const body = inboundUpdateBody(current, settings);
    await this.api.ok({ operation: 'xui.inbounds.update', method: 'POST', path: `${API}/update/${inboundId}`, json: body, idempotent: true });
  }

  async create(spec: ClientSpec): Promise<RawClient> {
    await this.knownInbounds([Number(spec.inboundIds[0])]);
    const inbound = this.inbound(Number(spec.inboundIds[0]));
    const entry = buildEntry(undefined, spec, inbound.protocol, defaultFlow(inbound), ss2022KeyBytes(inbound.protocol, inbound.settings));
    await this.addTo(inbound.id, entry);
    return entry;
  }

  /** The add goes to the first target inbound only; more inbounds need the reconcile step. */
  createsAsSpec(spec: ClientSpec): boolean {
    return spec.inboundIds.length === 1;
  }

  /** 3.0.1+: `getClientLinks/:id/:email` of the (enabled) inbound; older panels: built from the inbound as last read. */
  async newClientLinks(spec: ClientSpec, sent: RawClient, build: ShareLinkBuilder): Promise<string[]> {
    const links: string[] = [];
    for (const id of spec.inboundIds.map(Number)) {
      const inbound = this.inbound(id);
      if (!inbound.enable) continue;
      if (this.traits.linkRoutes) links.push(...(await this.clientLinks(id, str(sent, 'email'))));
      else {
        const link = build(inbound, sent);
        if (link) links.push(link);
      }
    }
    return links;
  }

  private async clientLinks(inboundId: number, email: string): Promise<string[]> {
    return this.api.call(
      { operation: 'xui.inbounds.getClientLinks', method: 'GET', path: `${API}/getClientLinks/${inboundId}/${encodeURIComponent(email)}`, idempotent: true },
      linkListSchema,
    );
  }

  async reconcile(view: XuiClientView, spec: ClientSpec): Promise<boolean> {
    const targets = spec.inboundIds.map(Number);
    const keep = view.entries.filter((e) => targets.includes(e.inboundId));
    const extra = view.entries.filter((e) => !targets.includes(e.inboundId));
    const missing = targets.filter((id) => !view.entries.some((e) => e.inboundId === id));
    for (const id of missing) this.inbound(id);
    const now = this.now();
    let changed = false;
    const update = async (): Promise<void> => {
      for (const e of keep) {
        if (!entryDiffers(e, spec, view.traffic, now)) continue;
        await this.updateEntry(e, buildEntry(e.client, spec, e.protocol, '', e.keyBytes));
        changed = true;
      }
    };
    const template = (keep[0] ?? view.entries[0])?.client;
    const add = async (): Promise<void> => {
      for (const id of missing) {
        const ib = this.inbound(id);
        const base = template ? { ...template } : undefined;
        if (base) {
          delete base.created_at;
          delete base.updated_at;
          // Flow belongs to vless; a copy made from another protocol takes the inbound's usual flow.
          base.flow = ib.protocol === 'vless' ? str(base, 'flow') || defaultFlow(ib) : '';
        }
        await this.addTo(id, buildEntry(base, spec, ib.protocol, defaultFlow(ib), ss2022KeyBytes(ib.protocol, ib.settings)));
        changed = true;
      }
    };
    const remove = async (): Promise<void> => {
      for (const e of extra) {
        await this.removeEntry(e);
        changed = true;
      }
    };
    if (this.traits.sharedEmail) {
      await update();
      await add();
      await remove();
    } else {
      await remove();
      await add();
      await update();
    }
    return changed;
  }

  async setEnabled(view: XuiClientView, enabled: boolean): Promise<void> {
    for (const e of view.entries) {
      if ((e.client.enable === true) === enabled) continue;
      await this.updateEntry(e, { ...e.client, enable: enabled });
    }
  }

  /**
   * Zeroes the counters and re-enables the traffic row. The panel leaves `settings.clients[].enable`
   * as it was: from 2.9.4 a client the panel disabled for its quota/expiry stays disabled there
   * (so it is enabled again here), and a client disabled on purpose must stay disabled (before 2.5
   * the reset even re-adds it to Xray; re-sending the disable removes it and fixes the row flag).
   */
  async resetTraffic(view: XuiClientView): Promise<void> {
    const inboundId = view.traffic?.inboundId ?? view.entries[0].inboundId;
    const intended = depletedByPanel(view.traffic, this.now());
    await this.api.ok({
      operation: 'xui.inbounds.resetClientTraffic',
      method: 'POST',
      path: `${API}/${inboundId}/resetClientTraffic/${encodeURIComponent(view.email)}`,
      idempotent: true,
    });
    for (const e of view.entries) {
      if (e.client.enable === true) continue;
      await this.updateEntry(e, { ...e.client, enable: intended });
    }
  }

  async delete(view: XuiClientView): Promise<void> {
    for (const e of view.entries) await this.removeEntry(e);
  }

  /** 3.0.1+: `getClientLinks/:id/:email` of every enabled inbound holding the client. */
  async panelLinks(email: string): Promise<string[] | null> {
    const view = await this.getClient(email);
    if (!view) return null;
    const links: string[] = [];
    for (const e of view.entries) {
      if (!this.inbound(e.inboundId).enable) continue;
      links.push(...(await this.clientLinks(e.inboundId, str(e.client, 'email'))));
    }
    return links;
  }
}
