/**
 * The S-UI store's saves of the other objects: inbounds (with `initUsers` and relinking of their
 * members), TLS profiles, the tagged outbounds/endpoints/services tables and settings.
 */
import { GoError, goKind, goParse, goScalar, isJsonObject } from './sui.go-json';
import { generateLinks, type SuiInboundRow, type SuiTlsRow } from './sui.links';
import { SuiClientSaves } from './sui.client-saves';
import { cloneJson, type SuiLink, type TaggedRow } from './sui.store.rows';

/** The `inbounds`, `tls`, tagged and `settings` save actions. */
export class SuiObjectSaves extends SuiClientSaves {
  protected saveInbound(act: string, dataText: string, initUsers: string, hostname: string): void {
    switch (act) {
      case 'new':
      case 'edit': {
        const raw = goParse(dataText);
        if (!isJsonObject(raw)) {
          throw new GoError(`json: cannot unmarshal ${goKind(raw)} into Go value of type map[string]interface {}`);
        }
        const { id, type, tag, tls_id: tlsId, tls: _tls, users: _users, addrs, out_json: outJson, ...options } = raw;
        const row: SuiInboundRow = {
          id: typeof id === 'number' ? id : 0,
          type: typeof type === 'string' ? type : '',
          tag: typeof tag === 'string' ? tag : '',
          tls_id: typeof tlsId === 'number' ? tlsId : 0,
          addrs: addrs === undefined ? null : cloneJson(addrs),
          out_json: null,
          options: cloneJson(options),
        };
        const oldTag = act === 'edit' ? (this.inbounds.get(row.id)?.tag ?? '') : '';
        row.out_json = isJsonObject(outJson) && Object.keys(outJson).length > 0
          ? cloneJson(outJson)
          : { type: row.type, tag: row.tag, server: hostname, server_port: options.listen_port ?? 0 };
        for (const other of this.inbounds.values()) {
          if (other.tag === row.tag && other.id !== row.id) throw new GoError('UNIQUE constraint failed: inbounds.tag');
        }
        if (row.id === 0) row.id = this.nextIds.inbound++;
        else if (row.id >= this.nextIds.inbound) this.nextIds.inbound = row.id + 1;
        this.inbounds.set(row.id, row);
        if (act === 'new') this.attachClients(initUsers, row, hostname);
        else this.relinkInboundMembers(row, hostname, oldTag);
        this.restartInbounds([row.id]);
        return;
      }
      case 'del': {
        const tag = goScalar(goParse(dataText), 'string', 'Go value') as string | undefined ?? '';
        const inbound = [...this.inbounds.values()].find((i) => i.tag === tag);
        if (!inbound) return;
        for (const c of [...this.clients.values()]) {
          const ids = Array.isArray(c.inbounds) ? (c.inbounds as unknown[]) : [];
          if (!ids.includes(inbound.id)) continue;
          const links = Array.isArray(c.links) ? (c.links as SuiLink[]) : [];
          this.clients.set(c.id, {
            ...c,
            inbounds: ids.filter((i) => i !== inbound.id),
            links: links.filter((l) => l.remark !== tag),
          });
        }
        this.inbounds.delete(inbound.id);
        this.core.delete(inbound.id);
        return;
      }
      default:
        throw new GoError(`unknown action: ${act}`);
    }
  }

  /** `initUsers`: adds the new inbound to those clients and generates their links for it. */
  protected attachClients(initUsers: string, inbound: SuiInboundRow, hostname: string): void {
    const ids = new Set(initUsers.split(','));
    const tls = inbound.tls_id > 0 ? this.tls.get(inbound.tls_id) : undefined;
    for (const c of [...this.clients.values()]) {
      if (!ids.has(String(c.id))) continue;
      const inbounds = [...(Array.isArray(c.inbounds) ? c.inbounds : []), inbound.id];
      const fresh: SuiLink[] = generateLinks(c.config, inbound, tls, hostname, this.features.v15 ? c.remark : '')
        .map((uri) => ({ remark: inbound.tag, type: 'local', uri }));
      const kept = (Array.isArray(c.links) ? (c.links as SuiLink[]) : []).filter((l) => l.remark !== inbound.tag);
      this.clients.set(c.id, { ...c, inbounds, links: [...fresh, ...kept] });
    }
  }

  protected relinkInboundMembers(inbound: SuiInboundRow, hostname: string, oldTag: string): void {
    const tls = inbound.tls_id > 0 ? this.tls.get(inbound.tls_id) : undefined;
    for (const c of [...this.clients.values()]) {
      if (!Array.isArray(c.inbounds) || !c.inbounds.includes(inbound.id)) continue;
      const fresh: SuiLink[] = generateLinks(c.config, inbound, tls, hostname, this.features.v15 ? c.remark : '')
        .map((uri) => ({ remark: inbound.tag, type: 'local', uri }));
      const kept = (Array.isArray(c.links) ? (c.links as SuiLink[]) : []).filter(
        (l) => l.type !== 'local' || (l.remark !== inbound.tag && l.remark !== oldTag),
      );
      this.clients.set(c.id, { ...c, links: [...fresh, ...kept] });
    }
  }

  protected saveTls(act: string, dataText: string, hostname: string): void {
    if (act === 'del') {
      const id = (goScalar(goParse(dataText), 'uint', 'Go value') as number | undefined) ?? 0;
      this.tls.delete(id);
      return;
    }
    if (act !== 'new' && act !== 'edit') throw new GoError(`unknown action: ${act}`);
    const raw = goParse(dataText);
    if (!isJsonObject(raw)) throw new GoError(`json: cannot unmarshal ${goKind(raw)} into Go value of type model.Tls`);
    const id = typeof raw.id === 'number' ? raw.id : 0;
    const row: SuiTlsRow = {
      id: id === 0 ? this.nextIds.tls++ : id,
      name: typeof raw.name === 'string' ? raw.name : '',
      server: cloneJson(raw.server ?? {}),
      client: cloneJson(raw.client ?? {}),
    };
    if (row.id >= this.nextIds.tls) this.nextIds.tls = row.id + 1;
    this.tls.set(row.id, row);
    if (act === 'edit') {
      for (const inbound of this.inbounds.values()) {
        if (inbound.tls_id !== row.id) continue;
        this.relinkInboundMembers(inbound, hostname, inbound.tag);
        this.restartInbounds([inbound.id]);
      }
    }
  }

  protected saveTagged(table: Map<number, TaggedRow>, act: string, dataText: string): void {
    if (act === 'del') {
      const tag = goScalar(goParse(dataText), 'string', 'Go value') as string | undefined ?? '';
      for (const [id, row] of table) if (row.tag === tag) table.delete(id);
      return;
    }
    if (act !== 'new' && act !== 'edit') throw new GoError(`unknown action: ${act}`);
    const raw = goParse(dataText);
    if (!isJsonObject(raw)) throw new GoError(`json: cannot unmarshal ${goKind(raw)} into Go value of type map[string]interface {}`);
    const { id, type, tag, ...options } = raw;
    const row: TaggedRow = {
      id: typeof id === 'number' && id > 0 ? id : this.nextIds.tagged++,
      type: typeof type === 'string' ? type : '',
      tag: typeof tag === 'string' ? tag : '',
      options: cloneJson(options),
    };
    for (const other of table.values()) {
      if (other.tag === row.tag && other.id !== row.id) throw new GoError('UNIQUE constraint failed: tag');
    }
    table.set(row.id, row);
  }

  protected saveSettings(dataText: string): void {
    const raw = goParse(dataText);
    if (!isJsonObject(raw)) throw new GoError(`json: cannot unmarshal ${goKind(raw)} into Go value of type map[string]string`);
    const next = { ...this.settings };
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v !== 'string') throw new GoError(`json: cannot unmarshal ${goKind(v)} into Go value of type string`);
      let value = v;
      if (k === 'webPath' || k === 'subPath') {
        if (!value.startsWith('/')) value = `/${value}`;
        if (!value.endsWith('/')) value = `${value}/`;
      }
      next[k] = value;
    }
    this.settings = next;
  }
}
