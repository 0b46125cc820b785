/**
 * The S-UI store's client saves: decoding `model.Client` like `json.Unmarshal`, link regeneration,
 * the duplicate-name rule and the `clients` actions of `save` (new, edit, addbulk, editbulk,
 * delbulk, del) in the Go service's order of operations.
 */
import { GoError, GoPanic, goField, goHasField, goKind, goParse, goScalar, goUintArray, isJsonObject, sprintln } from './sui.go-json';
import { generateLinks, INBOUND_TYPES_WITH_LINK } from './sui.links';
import { SuiTables } from './sui.store.tables';
import {
  BASE_SCALARS,
  cloneJson,
  emptyClient,
  RESET_SCALARS,
  unionInto,
  V15_SCALARS,
  type SuiClientRow,
  type SuiLink,
} from './sui.store.rows';

/** Client decoding and the `clients` save actions. */
export class SuiClientSaves extends SuiTables {
  /** Decodes one client object like `json.Unmarshal` into `model.Client`. */
  decodeClient(value: unknown, goType = 'model.Client'): SuiClientRow {
    if (!isJsonObject(value)) {
      if (value === null) return emptyClient();
      throw new GoError(`json: cannot unmarshal ${goKind(value)} into Go value of type ${goType}`);
    }
    const row = emptyClient();
    const scalars = [...BASE_SCALARS];
    if (this.features.v15) scalars.push(...V15_SCALARS);
    if (this.features.resetFields) scalars.push(...RESET_SCALARS);
    let firstError: GoError | undefined;
    for (const [key, type] of scalars) {
      try {
        const v = goScalar(goField(value, key), type, `Go struct field Client.${key}`);
        if (v !== undefined) (row as unknown as Record<string, unknown>)[key] = v;
      } catch (err) {
        // Go keeps decoding and reports the first type error at the end.
        if (err instanceof GoError) firstError ??= err;
        else throw err;
      }
    }
    for (const key of ['config', 'inbounds', 'links'] as const) {
      if (goHasField(value, key)) row[key] = cloneJson(goField(value, key));
    }
    if (firstError) throw firstError;
    return row;
  }

  /** 1.5+: `config.<proto>.name` (or `.username`) := client name. */
  protected setConfigIdentity(row: SuiClientRow): void {
    if (!this.features.v15 || row.name === '' || row.config === undefined) return;
    if (row.config === null) return;
    if (!isJsonObject(row.config)) {
      throw new GoError(`json: cannot unmarshal ${goKind(row.config)} into Go value of type map[string]map[string]interface {}`);
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(row.config).sort()) {
      const cfg = row.config[key];
      if (cfg === null) {
        out[key] = null;
        continue;
      }
      if (!isJsonObject(cfg)) {
        throw new GoError(`json: cannot unmarshal ${goKind(cfg)} into Go value of type map[string]interface {}`);
      }
      const copy = { ...cfg };
      if ('name' in copy) copy.name = row.name;
      else if ('username' in copy) copy.username = row.name;
      out[key] = Object.fromEntries(Object.entries(copy).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    row.config = out;
  }

  protected decodeLinks(value: unknown): SuiLink[] {
    if (value === undefined) throw new GoError('unexpected end of JSON input');
    if (value === null) return [];
    if (!Array.isArray(value)) {
      throw new GoError(`json: cannot unmarshal ${goKind(value)} into Go value of type []map[string]string`);
    }
    return value.map((item) => {
      if (item === null) return { remark: '', type: '', uri: '' };
      if (!isJsonObject(item)) throw new GoError(`json: cannot unmarshal ${goKind(item)} into Go value of type map[string]string`);
      for (const v of Object.values(item)) {
        if (v !== null && typeof v !== 'string') throw new GoError(`json: cannot unmarshal ${goKind(v)} into Go value of type string`);
      }
      return item as unknown as SuiLink;
    });
  }

  protected clientInboundIds(row: SuiClientRow): number[] {
    if (row.inbounds === undefined) throw new GoError('unexpected end of JSON input');
    return goUintArray(row.inbounds);
  }

  /** Regenerates the `local` links of each client for its inbounds, keeping the others. */
  protected updateLinks(rows: SuiClientRow[], hostname: string, inboundsFrom?: number[]): void {
    const perClient = rows.map((r) => inboundsFrom ?? this.clientInboundIds(r));
    for (const [i, row] of rows.entries()) {
      const old = this.decodeLinks(row.links);
      const fresh: SuiLink[] = [];
      for (const id of perClient[i]) {
        const inbound = this.inbounds.get(id);
        if (!inbound || !INBOUND_TYPES_WITH_LINK.includes(inbound.type)) continue;
        const tls = inbound.tls_id > 0 ? this.tls.get(inbound.tls_id) : undefined;
        const remark = this.features.v15 ? row.remark : '';
        for (const uri of generateLinks(row.config, inbound, tls, hostname, remark)) {
          fresh.push({ remark: inbound.tag, type: 'local', uri });
        }
      }
      for (const link of old) if (link.type !== 'local') fresh.push(link);
      row.links = fresh;
    }
  }

  protected checkDuplicateName(row: SuiClientRow, pending: readonly SuiClientRow[] = []): void {
    if (this.opts.duplicateNames !== 'reject') return;
    const taken = (other: SuiClientRow): boolean => other !== row && other.id !== row.id && other.name === row.name;
    if ([...this.clients.values()].some(taken) || pending.some(taken)) {
      throw new GoError(sprintln('client name already exists: ', row.name));
    }
  }

  /** Changed inbound ids of an edit (1.3+), or `record not found`. */
  protected inboundChanges(row: SuiClientRow, fillOmitted: boolean): number[] {
    const old = this.clients.get(row.id);
    if (!old) throw new GoError('record not found');
    if (fillOmitted) {
      row.links = cloneJson(old.links);
      row.config = cloneJson(old.config);
    }
    const oldIds = goUintArray(old.inbounds ?? null);
    const newIds = this.clientInboundIds(row);
    if (JSON.stringify(old.config) !== JSON.stringify(row.config) || old.name !== row.name || old.enable !== row.enable) {
      const all = [...oldIds];
      unionInto(all, newIds);
      return all;
    }
    return [...oldIds.filter((id) => !newIds.includes(id)), ...newIds.filter((id) => !oldIds.includes(id))];
  }

  protected preserveTimestamps(row: SuiClientRow): void {
    if (!this.features.v15) return;
    const old = this.clients.get(row.id);
    if (!old) return;
    row.createdAt = old.createdAt;
    row.onlineAt = old.onlineAt;
  }

  /** gorm `Save`: insert when id is 0, else replace (or insert with that id). */
  protected put(row: SuiClientRow): void {
    if (row.id === 0) row.id = this.nextIds.client++;
    else if (row.id >= this.nextIds.client) this.nextIds.client = row.id + 1;
    this.clients.set(row.id, row);
  }

  protected saveClients(act: string, dataText: string, hostname: string): number[] {
    const f = this.features;
    switch (act) {
      case 'new':
      case 'edit': {
        const row = this.decodeClient(goParse(dataText));
        let inboundIds: number[];
        if (!f.editChecksExisting) {
          // 1.2.x: inbound ids parsed first, links regenerated, gorm Save upserts (no existence check).
          inboundIds = this.clientInboundIds(row);
          this.updateLinks([row], hostname);
        } else {
          this.setConfigIdentity(row);
          this.updateLinks([row], hostname);
          if (act === 'edit') {
            inboundIds = this.inboundChanges(row, false);
            this.preserveTimestamps(row);
          } else {
            if (f.v15) row.createdAt = this.nowSec();
            inboundIds = this.clientInboundIds(row);
          }
        }
        this.checkDuplicateName(row);
        this.put(row);
        return inboundIds;
      }
      case 'addbulk': {
        const rows = this.decodeClientArray(goParse(dataText));
        const inboundIds: number[] = [];
        let first: number[] | undefined;
        if (f.v15) {
          const now = this.nowSec();
          for (const row of rows) {
            this.setConfigIdentity(row);
            row.createdAt = now;
            unionInto(inboundIds, this.clientInboundIds(row));
          }
        } else {
          // Before 1.5.0 the first client's inbounds stand for all of them (ids and links), and an
          // empty list indexes past its end.
          if (rows.length === 0) throw new GoPanic('runtime error: index out of range [0] with length 0');
          first = this.clientInboundIds(rows[0]);
          unionInto(inboundIds, first);
        }
        this.updateLinks(rows, hostname, first);
        if (rows.length === 0) throw new GoError('empty slice found');
        for (const [i, row] of rows.entries()) {
          this.checkDuplicateName(row, rows.slice(0, i));
          this.put(row);
        }
        return inboundIds;
      }
      case 'editbulk': {
        if (!f.resetFields) throw new GoError(`unknown action: ${act}`);
        const rows = this.decodeClientArray(goParse(dataText));
        const inboundIds: number[] = [];
        for (const row of rows) {
          const changed = this.inboundChanges(row, true);
          this.setConfigIdentity(row);
          this.preserveTimestamps(row);
          unionInto(inboundIds, changed);
        }
        if (inboundIds.length > 0) {
          // 1.4.x regenerated every client's local links from the first client's inbounds.
          this.updateLinks(rows, hostname, f.v15 ? undefined : this.clientInboundIds(rows[0]));
        }
        if (rows.length === 0) throw new GoError('empty slice found');
        for (const row of rows) {
          this.checkDuplicateName(row);
          this.put(row);
        }
        return inboundIds;
      }
      case 'delbulk': {
        if (!f.resetFields) throw new GoError(`unknown action: ${act}`);
        const ids = goUintArray(goParse(dataText));
        const inboundIds: number[] = [];
        for (const id of ids) {
          const row = this.clients.get(id);
          if (!row) throw new GoError('record not found');
          unionInto(inboundIds, goUintArray(row.inbounds ?? null));
        }
        for (const id of ids) this.clients.delete(id);
        return inboundIds;
      }
      case 'del': {
        const id = (goScalar(goParse(dataText), 'uint', 'Go value') as number | undefined) ?? 0;
        const row = this.clients.get(id);
        if (!row) throw new GoError('record not found');
        const inboundIds = goUintArray(row.inbounds ?? null);
        this.clients.delete(id);
        return inboundIds;
      }
      default:
        throw new GoError(`unknown action: ${act}`);
    }
  }

  protected decodeClientArray(value: unknown): SuiClientRow[] {
    if (value === null) return [];
    if (!Array.isArray(value)) {
      throw new GoError(`json: cannot unmarshal ${goKind(value)} into Go value of type []*model.Client`);
    }
    return value.map((v) => this.decodeClient(v));
  }
}
