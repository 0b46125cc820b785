/**
 * The 3x-ui adapter (PANELS.md Part B): one panel, detected once, driven through the classic
 * `inbounds/*` client API (2.x–3.0, `xui.classic.ts`) or the `clients/*` API (3.1+,
 * `xui.client-routes.ts`).
 *
 * Identity is the client email (= `ClientSpec.name`); units are bytes (`totalGB`) and unix ms
 * (`expiryTime`), `limitIp` a count; the panel disables a client at `up+down >= total` or
 * `0 < expiryTime <= now`. The route set follows what detection found (`XuiSession.detect`),
 * probed when the panel does not show its version.
 *
 * Writes of one client are serialised per email in the adapter (3x-ui itself does not refuse a
 * second copy of a client in one inbound on 3.0.x and 3.2.8–3.4.x), and copies already there are
 * collapsed to one by `ensureClient`.
 *
 * `ensureClient` never creates a second client: it looks the email up first, creates only when
 * missing, and when a create fails in a way that may hide success (a retryable PanelError from
 * the non-idempotent request, an empty 200 body, or a refusal such as a concurrent duplicate)
 * it looks the email up again before reporting failure — so a retry of the whole job finds the
 * client instead of creating it twice. Updates are full-replace bodies built from the client as
 * read, so fields we do not manage (tgId, comment, reset, flow, ...) survive.
 */
import { NameQueue } from './name-queue';
import { isPanelError } from './panel-error';
import { PanelHttp, type PanelHttpOptions } from './panel-http';
import type {
  ClientSpec,
  ClientUsage,
  EnsureResult,
  PanelAdapter,
  PanelClient,
  PanelConnection,
  PanelHealth,
  PanelInbound,
  PanelInfo,
} from './panel.types';
import { XuiApi } from './xui.api';
import { XuiClassicRoutes } from './xui.classic';
import { XuiClientRoutes } from './xui.client-routes';
import { buildShareLink, linksFromInbounds, linkStyleOf } from './xui.links';
import { extraCopies, toPanelClient, toUsage, type RawClient, type XuiClientView } from './xui.model';
import type { XuiRoutes } from './xui.routes';
import { compareVersions, parseVersion, traitsOf, type XuiVersionTraits } from './xui.detection';
import { XuiSession } from './xui.session';

/** Adapter of one 3x-ui panel. */
export class XuiAdapter implements PanelAdapter {
  readonly kind = 'XUI' as const;
  readonly serverId: string;
  private readonly http: PanelHttp;
  private readonly session: XuiSession;
  private readonly api: XuiApi;
  private readonly panelHost: string;
  private info: PanelInfo | undefined;
  private detecting: Promise<PanelInfo> | undefined;
  private routeSet: XuiRoutes | undefined;
  private traits: XuiVersionTraits | undefined;
  /**
   * Writes of one client (email, compared case-insensitively as the panel does) never interleave
   * here. Two concurrent creates of one client would both see it missing and both add it: 3.0.x
   * and 3.2.8–3.4.x then hold two copies that never converge, 3.1.0–3.2.7 refuse the second
   * (PANELS.md Part E).
   */
  private readonly queue = new NameQueue((name) => name.toLowerCase());

  /**
   * @param conn the panel (base URL with its web base path; credentials and/or API token).
   * @param httpOptions transport overrides (timeouts, retries, a test dispatcher).
   */
  constructor(
    private readonly conn: PanelConnection,
    httpOptions?: Partial<PanelHttpOptions>,
  ) {
    this.serverId = conn.serverId;
    this.http = new PanelHttp({ ...httpOptions, serverId: conn.serverId, baseUrl: conn.baseUrl });
    this.session = new XuiSession(this.http, conn);
    this.api = new XuiApi(this.http, this.session);
    this.panelHost = new URL(conn.baseUrl).hostname;
  }

  /** Detects version and capabilities once; refuses versions below 2.0.0. */
  async detect(): Promise<PanelInfo> {
    if (this.info) return this.info;
    if (!this.detecting) {
      this.detecting = this.session
        .detect()
        .then((info) => {
          this.info = info;
          this.traits = this.session.traits ?? traitsOf(info.version);
          const now = (): number => Date.now();
          this.routeSet = this.traits.clientRoutes
            ? new XuiClientRoutes(this.api, now)
            : new XuiClassicRoutes(this.api, this.traits, now);
          return info;
        })
        .finally(() => {
          this.detecting = undefined;
        });
    }
    return this.detecting;
  }

  private async routes(): Promise<XuiRoutes> {
    await this.detect();
    return this.routeSet as XuiRoutes;
  }

  /** Reachable, logged in, version; never throws. */
  async health(): Promise<PanelHealth> {
    const started = Date.now();
    try {
      const info = await this.detect();
      const serverApi = this.traits?.serverApi ?? true;
      await this.api.ok({
        operation: 'xui.health',
        method: serverApi ? 'GET' : 'POST',
        path: serverApi ? 'panel/api/server/status' : 'server/status',
        idempotent: true,
      });
      return { ok: true, latencyMs: Date.now() - started, version: info.version };
    } catch (err) {
      const error = isPanelError(err) ? `${err.code}${err.panelMessage ? `: ${err.panelMessage}` : ''}` : 'unexpected error';
      return { ok: false, latencyMs: Date.now() - started, version: this.info?.version, error };
    }
  }

  async listInbounds(): Promise<PanelInbound[]> {
    const inbounds = await (await this.routes()).listInbounds();
    return inbounds.map((ib) => ({
      remoteId: String(ib.id),
      tag: ib.tag,
      protocol: ib.protocol,
      port: ib.port,
      remark: ib.remark,
      enabled: ib.enable,
    }));
  }

  private validate(spec: ClientSpec): void {
    const reject = (msg: string): never => {
      throw this.session.error('PANEL_REJECTED', 'xui.ensureClient', false, msg);
    };
    if (spec.name.trim() === '') reject('client name is empty');
    if (spec.inboundIds.length === 0) reject('the spec names no inbound');
    if (spec.inboundIds.some((id) => !/^\d+$/.test(id))) reject('3x-ui inbound ids are numbers');
    if (spec.inboundIds.length > 1 && !this.traits?.sharedEmail) {
      reject('3x-ui before 3.0 allows one inbound per client email');
    }
  }

  private async mustGet(routes: XuiRoutes, name: string, operation: string): Promise<XuiClientView> {
    const view = await routes.getClient(name);
    if (!view) throw this.session.error('PANEL_REJECTED', operation, false, `client ${name} not found on the panel`);
    return view;
  }

  /** Creates; on any PanelError looks the email up before giving up (the create may have happened). */
  private async createOnce(routes: XuiRoutes, spec: ClientSpec): Promise<XuiClientView> {
    try {
      await routes.create(spec);
    } catch (err) {
      if (!isPanelError(err)) throw err;
      const found = await routes.getClient(spec.name);
      if (found) return found;
      throw err;
    }
    return this.mustGet(routes, spec.name, 'xui.ensureClient');
  }

  async ensureClient(spec: ClientSpec): Promise<EnsureResult> {
    return this.queue.run(spec.name, () => this.doEnsure(spec));
  }

  /**
   * A client no attempt has asked for before: one create, then its links (3.1+: `clients/add`,
   * `clients/links/:email`; 3.0.1–3.0.x: `addClient`, `getClientLinks`; older: `addClient`, links
   * built here), with no look-up and no client list. The inbounds' protocols come from a read at
   * most a few minutes old. A create that fails in a way that may hide success is followed by a
   * look-up by email, then by the usual {@link ensureClient} steps on what was found.
   */
  async createNewClient(spec: ClientSpec): Promise<string[]> {
    return this.queue.run(spec.name, async () => {
      const routes = await this.routes();
      this.validate(spec);
      let sent: RawClient;
      try {
        sent = await routes.create(spec);
      } catch (err) {
        if (!isPanelError(err)) throw err;
        const found = await routes.getClient(spec.name);
        if (!found) throw err;
        await this.doEnsure(spec, found);
        return this.linksOf(routes, spec.name);
      }
      if (!routes.createsAsSpec(spec)) {
        await this.doEnsure(spec, await this.mustGet(routes, spec.name, 'xui.ensureClient'));
        return this.linksOf(routes, spec.name);
      }
      return routes.newClientLinks(spec, sent, (ib, client) => buildShareLink(ib, client, this.panelHost, this.linkStyle()));
    });
  }

  /** `seen`: the client as just read (saves the look-up). */
  private async doEnsure(spec: ClientSpec, seen?: XuiClientView): Promise<EnsureResult> {
    const routes = await this.routes();
    this.validate(spec);
    let view = seen ?? (await routes.getClient(spec.name));
    let action: EnsureResult['action'] = 'unchanged';
    if (view && extraCopies(view) > 0) {
      // Copies left by an earlier race (or another tool): converge to one before updating, since
      // the panel's update would only reach the first copy.
      await routes.collapseCopies(view, spec);
      view = await routes.getClient(spec.name);
      action = 'updated';
    }
    if (!view) {
      view = await this.createOnce(routes, spec);
      action = 'created';
    }
    if (await routes.reconcile(view, spec)) {
      if (action === 'unchanged') action = 'updated';
      view = await this.mustGet(routes, spec.name, 'xui.ensureClient');
    }
    return { action, client: toPanelClient(view) };
  }

  async getClient(name: string): Promise<PanelClient | null> {
    const view = await (await this.routes()).getClient(name);
    return view ? toPanelClient(view) : null;
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    await this.queue.run(name, async () => {
      const routes = await this.routes();
      await routes.setEnabled(await this.mustGet(routes, name, 'xui.setEnabled'), enabled);
    });
  }

  async resetTraffic(name: string): Promise<void> {
    await this.queue.run(name, async () => {
      const routes = await this.routes();
      await routes.resetTraffic(await this.mustGet(routes, name, 'xui.resetTraffic'));
    });
  }

  async deleteClient(name: string): Promise<void> {
    await this.queue.run(name, async () => {
      const routes = await this.routes();
      const view = await routes.getClient(name);
      if (view) await routes.delete(view);
    });
  }

  /** One `list` request (classic `inbounds/list`, 3.1+ `clients/list`). */
  async listUsage(): Promise<ClientUsage[]> {
    return (await (await this.routes()).listClients()).map(toUsage);
  }

  /** Every client; a client with extra copies inside one inbound is listed once per copy (drift: DUPLICATE). */
  async listClients(): Promise<PanelClient[]> {
    return (await (await this.routes()).listClients()).flatMap((view) => {
      const client = toPanelClient(view);
      return [client, ...Array.from({ length: extraCopies(view) }, () => client)];
    });
  }

  /**
   * The client's share links; [] when the client does not exist. From 3.0.1 the panel builds them
   * itself (the same code as its subscription service, which from 3.x also resolves node
   * addresses, share-address overrides and remark templates an API client cannot see), so they
   * are asked for; older panels get links built here the way their subscription service does,
   * for every enabled inbound holding the client.
   */
  async getLinks(name: string): Promise<string[]> {
    return this.linksOf(await this.routes(), name);
  }

  private linkStyle(): ReturnType<typeof linkStyleOf> {
    return linkStyleOf(this.traits ? parseVersion(this.traits.version) : undefined, compareVersions);
  }

  private async linksOf(routes: XuiRoutes, name: string): Promise<string[]> {
    if (this.traits?.linkRoutes) return (await routes.panelLinks(name)) ?? [];
    return linksFromInbounds(await routes.listInbounds(), name, this.panelHost, this.linkStyle());
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
