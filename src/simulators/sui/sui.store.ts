/**
 * The S-UI simulator's database and business logic: clients, inbounds, TLS, settings, tokens,
 * the change log, the `save` dispatcher (PANELS.md A.4) and the traffic/deplete jobs (A.6).
 *
 * It mirrors the Go services' order of operations, because that order decides which error text a
 * bad request gets (for example a `new` without `links` fails with `unexpected end of JSON input`
 * before anything else is checked). Every `save` is all-or-nothing: rows are replaced, never
 * mutated, inside a save, so a shallow copy of the tables is enough to roll back.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GoError, goParse, sprintln } from './sui.go-json';
import type { SuiInboundRow } from './sui.links';
import { SuiJobs } from './sui.store.jobs';
import { cloneJson, emptyClient, storedIds, unionInto, type SuiClientRow } from './sui.store.rows';

export type {
  DuplicateNamePolicy,
  SuiChangeRow,
  SuiClientRow,
  SuiLink,
  SuiStoreOptions,
  SuiTokenRow,
  SuiUserRow,
} from './sui.store.rows';

/** The simulator's data and the panel operations on it (layers: tables → client saves → object saves → jobs). */
export class SuiStore extends SuiJobs {
  // ---------------------------------------------------------------- save dispatcher

  /**
   * `POST save`: runs one object/action/data change atomically. Returns the object lists to
   * answer with. Throws {@link GoError} with the exact text the panel would put after `save: `.
   */
  save(obj: string, act: string, dataText: string, initUsers: string, actor: string, hostname: string): string[] {
    const snapshot = {
      clients: new Map(this.clients),
      inbounds: new Map(this.inbounds),
      tls: new Map(this.tls),
      outbounds: new Map(this.outbounds),
      endpoints: new Map(this.endpoints),
      services: new Map(this.services),
      settings: { ...this.settings },
      config: this.config,
      nextIds: { ...this.nextIds },
      core: new Map(this.core),
    };
    try {
      const objs = [obj];
      switch (obj) {
        case 'clients': {
          let inboundIds: number[] = [];
          try {
            const fault = this.clientSaveFaults.shift();
            if (fault !== undefined) throw new GoError(fault);
            inboundIds = this.saveClients(act, dataText, hostname);
          } catch (err) {
            if (!(err instanceof GoError && this.features.swallowsClientSaveErrors)) throw err;
            // 1.3.0–1.3.4: the error is lost, the (unchanged) tables are committed with a log row.
            this.clients = snapshot.clients;
            this.nextIds = snapshot.nextIds;
            inboundIds = [];
          }
          // 1.2.x lists inbounds after every client save; later versions only when some restarted.
          if (!this.features.editChecksExisting || inboundIds.length > 0) objs.push('inbounds');
          this.restartInbounds(inboundIds);
          break;
        }
        case 'inbounds':
          this.saveInbound(act, dataText, initUsers, hostname);
          objs.push('clients');
          break;
        case 'tls':
          this.saveTls(act, dataText, hostname);
          objs.push('clients', 'inbounds');
          break;
        case 'outbounds':
          this.saveTagged(this.outbounds, act, dataText);
          break;
        case 'endpoints':
          this.saveTagged(this.endpoints, act, dataText);
          break;
        case 'services':
          if (!this.features.editChecksExisting) throw new GoError(sprintln('unknown object: ', obj));
          this.saveTagged(this.services, act, dataText);
          break;
        case 'config':
          this.config = goParse(dataText);
          break;
        case 'settings':
          this.saveSettings(dataText);
          break;
        default:
          throw new GoError(sprintln('unknown object: ', obj));
      }
      let logged: unknown;
      try {
        logged = dataText.trim() === '' ? null : (JSON.parse(dataText) as unknown);
      } catch {
        logged = dataText;
      }
      this.logChange(actor, obj, act, logged);
      return objs;
    } catch (err) {
      this.core.clear();
      for (const [id, names] of snapshot.core) this.core.set(id, names);
      this.clients = snapshot.clients;
      this.inbounds = snapshot.inbounds;
      this.tls = snapshot.tls;
      this.outbounds = snapshot.outbounds;
      this.endpoints = snapshot.endpoints;
      this.services = snapshot.services;
      this.settings = snapshot.settings;
      this.config = snapshot.config;
      this.nextIds = snapshot.nextIds;
      throw err;
    }
  }

  // ---------------------------------------------------------------- direct (test hook) operations

  /** Protocol-keyed client config the official UI would generate for `name`. */
  static defaultConfig(name: string, uuid: string, password: string): Record<string, Record<string, unknown>> {
    const ss32 = Buffer.from(password.padEnd(32, '0').slice(0, 32)).toString('base64');
    const ss16 = Buffer.from(password.padEnd(16, '0').slice(0, 16)).toString('base64');
    return {
      mixed: { username: name, password },
      socks: { username: name, password },
      http: { username: name, password },
      shadowsocks: { name, password: ss32 },
      shadowsocks16: { name, password: ss16 },
      shadowtls: { name, password },
      vmess: { name, uuid, alterId: 0 },
      vless: { name, uuid, flow: '' },
      trojan: { name, password },
      naive: { username: name, password },
      hysteria: { name, auth_str: password },
      tuic: { name, uuid, password },
      hysteria2: { name, password },
      anytls: { name, password },
    };
  }

  /**
   * Inserts clients directly (no HTTP, no change log per row): the fast path for benchmarks and
   * fixtures. Missing fields get the UI's defaults; links are generated for listed inbounds.
   */
  insertClients(inputs: ReadonlyArray<Partial<SuiClientRow> & { name: string }>, hostname: string): SuiClientRow[] {
    const now = this.nowSec();
    const rows: SuiClientRow[] = inputs.map((input) => {
      const password = randomBytes(8).toString('hex');
      return {
        ...emptyClient(),
        enable: true,
        config: SuiStore.defaultConfig(input.name, randomUUID(), password),
        inbounds: [],
        links: [],
        createdAt: this.features.v15 ? now : 0,
        ...cloneJson(input),
        id: 0,
      };
    });
    const withInbounds = rows.filter((r) => Array.isArray(r.inbounds) && r.inbounds.length > 0);
    if (withInbounds.length > 0) this.updateLinks(withInbounds, hostname);
    for (const row of rows) this.put(row);
    // Seeded as if the panel had been restarted with them: the core serves them at once.
    const touched: number[] = [];
    for (const row of withInbounds) unionInto(touched, storedIds(row.inbounds));
    this.restartInbounds(touched);
    if (rows.length > 0) this.lastUpdate = now;
    return rows;
  }

  /** Adds an inbound directly; returns it. */
  insertInbound(input: { type: string; tag: string; listen_port: number; tls_id?: number; options?: Record<string, unknown>; addrs?: unknown }, hostname: string): SuiInboundRow {
    const data = JSON.stringify({
      type: input.type,
      tag: input.tag,
      tls_id: input.tls_id ?? 0,
      listen: '::',
      listen_port: input.listen_port,
      addrs: input.addrs ?? [],
      ...(input.options ?? {}),
    });
    this.saveInbound('new', data, '', hostname);
    const row = [...this.inbounds.values()].find((i) => i.tag === input.tag);
    if (!row) throw new Error('inbound was not stored');
    this.lastUpdate = this.nowSec();
    return row;
  }

  /** Adds a TLS profile directly; returns its id. */
  insertTls(input: { name: string; server: Record<string, unknown>; client?: Record<string, unknown> }): number {
    const id = this.nextIds.tls++;
    this.tls.set(id, { id, name: input.name, server: cloneJson(input.server), client: cloneJson(input.client ?? {}) });
    return id;
  }

  /** Rows whose name is `name`, lowest id first. */
  byName(name: string): SuiClientRow[] {
    return [...this.clients.values()].filter((c) => c.name === name);
  }

  /** The final subscription URI `load` reports (A.7; the port is always printed). */
  subUri(host: string): string {
    if (this.settings.subURI) return this.settings.subURI;
    const protocol = this.settings.subKeyFile && this.settings.subCertFile ? 'https' : 'http';
    const h = this.settings.subDomain || host;
    return `${protocol}://${h}:${this.settings.subPort}${this.settings.subPath}`;
  }
}
