import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClientSpec, PanelClient } from '../clients/panel.types';
import { ServerKind, type Server } from '../entities/server.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import type { PanelRegistry } from './panel-registry';
import { getServerOrFail } from './server.service';
import { clientSpecOf, PANEL_NAME_RE } from './subscription.service';

/*
 * Drift: where a panel's clients disagree with our database. This file compares (read-only); the
 * repair is in drift-repair.service.ts, the clean-up of clients left on panels in
 * panel-cleanup.service.ts, the scheduled reconciliation in reconcile.service.ts.
 */

/** Subscriptions whose client the panel must hold (enabled only when ACTIVE). */
export const DESIRED_STATUSES = [SubscriptionStatus.ACTIVE, SubscriptionStatus.DISABLED, SubscriptionStatus.DEPLETED, SubscriptionStatus.EXPIRED];

/** What kind of disagreement. */
export const DRIFT_KINDS = ['MISSING', 'MISMATCH', 'DUPLICATE', 'ORPHAN'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];
/** Which managed field of a client differs from what our database wants. */
export const DRIFT_FIELDS = ['ENABLED', 'TRAFFIC_LIMIT', 'EXPIRY', 'DEVICE_LIMIT', 'UUID', 'PASSWORD', 'INBOUNDS'] as const;
export type DriftField = (typeof DRIFT_FIELDS)[number];
/**
 * Why a client with our naming scheme should not be on this panel: no subscription has that name
 * (UNKNOWN), its subscription lives on another server (ELSEWHERE, e.g. left by an evacuation), or
 * it ended (ENDED: REVOKED or FAILED).
 */
export const ORPHAN_REASONS = ['UNKNOWN', 'ELSEWHERE', 'ENDED'] as const;
export type OrphanReason = (typeof ORPHAN_REASONS)[number];

/** One disagreement between our database and a panel. */
export interface DriftItem {
  kind: DriftKind;
  panelName: string;
  subscriptionId: string | null;
  /** MISMATCH and DUPLICATE: the fields that differ (of the first copy). */
  fields: DriftField[];
  orphanReason: OrphanReason | null;
  /** How many clients of that name the panel holds. */
  copies: number;
  /** Human summary without credentials. */
  detail: string;
}

/** The comparison of one server, as of `checkedAt`. */
export interface DriftReport {
  serverId: string;
  serverName: string;
  checkedAt: Date;
  /** Clients our database wants on the panel. */
  desiredClients: number;
  /** Clients on the panel with our naming scheme. */
  panelClients: number;
  /** Clients on the panel that are not ours (left alone). */
  foreignClients: number;
  items: DriftItem[];
}

/** What we know about a panel name that is not desired on this server. */
interface KnownName {
  subscriptionId: string;
  serverId: string | null;
  status: SubscriptionStatus;
}

function epochSeconds(d: Date | null): number | null {
  return d ? Math.floor(d.getTime() / 1000) : null;
}

function iso(d: Date | null): string {
  return d ? d.toISOString().replace('.000Z', 'Z') : 'never';
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = [...new Set(a)].sort();
  const sb = [...new Set(b)].sort();
  return sa.length === sb.length && sa.every((v, i) => v === sb[i]);
}

/**
 * The managed fields where the panel's client differs from the spec, with a safe description
 * (credentials are never printed). Expiry is compared in whole seconds (S-UI's unit); a
 * credential the panel does not carry (no uuid protocol on 3x-ui) is not compared; device limits
 * only where the panel enforces them.
 */
export function diffClient(spec: ClientSpec, actual: PanelClient, opts: { deviceLimit: boolean }): { fields: DriftField[]; detail: string[] } {
  const fields: DriftField[] = [];
  const detail: string[] = [];
  if (actual.enabled !== spec.enabled) {
    fields.push('ENABLED');
    detail.push(`enabled ${actual.enabled}, want ${spec.enabled}`);
  }
  if (actual.trafficLimitBytes !== spec.trafficLimitBytes) {
    fields.push('TRAFFIC_LIMIT');
    detail.push(`limit ${actual.trafficLimitBytes} B, want ${spec.trafficLimitBytes} B`);
  }
  if (epochSeconds(actual.expiresAt) !== epochSeconds(spec.expiresAt)) {
    fields.push('EXPIRY');
    detail.push(`expiry ${iso(actual.expiresAt)}, want ${iso(spec.expiresAt)}`);
  }
  if (opts.deviceLimit && actual.deviceLimit !== spec.deviceLimit) {
    fields.push('DEVICE_LIMIT');
    detail.push(`devices ${actual.deviceLimit}, want ${spec.deviceLimit}`);
  }
  if (actual.uuid !== null && actual.uuid.toLowerCase() !== spec.uuid.toLowerCase()) {
    fields.push('UUID');
    detail.push('uuid differs');
  }
  if (actual.password !== null && actual.password !== spec.password) {
    fields.push('PASSWORD');
    detail.push('password differs');
  }
  if (!sameSet(actual.inboundIds, spec.inboundIds)) {
    fields.push('INBOUNDS');
    detail.push(`inbounds [${actual.inboundIds.join(',')}], want [${spec.inboundIds.join(',')}]`);
  }
  return { fields, detail };
}

/**
 * Compares what the panel holds with what it should hold (pure). Names that do not follow our
 * naming scheme are someone else's and only counted. Names of subscriptions being provisioned on
 * this server are in flight and ignored.
 */
export function compareClients(input: {
  server: Pick<Server, 'id' | 'name' | 'kind'>;
  desired: Subscription[];
  clients: PanelClient[];
  /** Subscriptions (not desired here) by panel name, for the orphan reason. */
  known: Map<string, KnownName>;
  checkedAt: Date;
}): DriftReport {
  const byName = new Map<string, PanelClient[]>();
  let foreign = 0;
  for (const c of input.clients) {
    if (!PANEL_NAME_RE.test(c.name)) {
      foreign += 1;
      continue;
    }
    const list = byName.get(c.name) ?? [];
    list.push(c);
    byName.set(c.name, list);
  }
  const deviceLimit = input.server.kind === ServerKind.XUI;
  const items: DriftItem[] = [];
  const desiredNames = new Set<string>();
  for (const sub of input.desired) {
    desiredNames.add(sub.panelName);
    const spec = clientSpecOf(sub, { enabled: sub.status === SubscriptionStatus.ACTIVE });
    const copies = byName.get(sub.panelName) ?? [];
    if (copies.length === 0) {
      items.push({ kind: 'MISSING', panelName: sub.panelName, subscriptionId: sub.id, fields: [], orphanReason: null, copies: 0, detail: `no client on the panel (${sub.status})` });
      continue;
    }
    const diff = diffClient(spec, copies[0], { deviceLimit });
    if (copies.length > 1) {
      items.push({
        kind: 'DUPLICATE',
        panelName: sub.panelName,
        subscriptionId: sub.id,
        fields: diff.fields,
        orphanReason: null,
        copies: copies.length,
        detail: [`${copies.length} clients of this name`, ...diff.detail].join('; '),
      });
    } else if (diff.fields.length > 0) {
      items.push({ kind: 'MISMATCH', panelName: sub.panelName, subscriptionId: sub.id, fields: diff.fields, orphanReason: null, copies: 1, detail: diff.detail.join('; ') });
    }
  }
  let ours = 0;
  for (const [name, copies] of byName) {
    ours += copies.length;
    if (desiredNames.has(name)) continue;
    const known = input.known.get(name);
    if (known && known.serverId === input.server.id && known.status === SubscriptionStatus.PROVISIONING) continue;
    let reason: OrphanReason = 'UNKNOWN';
    let detail = 'no subscription has this name';
    if (known && known.serverId !== input.server.id) {
      reason = 'ELSEWHERE';
      detail = known.serverId ? 'its subscription lives on another server' : 'its subscription is not placed on any server';
    } else if (known) {
      reason = 'ENDED';
      detail = `its subscription is ${known.status}`;
    }
    items.push({ kind: 'ORPHAN', panelName: name, subscriptionId: known?.subscriptionId ?? null, fields: [], orphanReason: reason, copies: copies.length, detail });
  }
  return {
    serverId: input.server.id,
    serverName: input.server.name,
    checkedAt: input.checkedAt,
    desiredClients: input.desired.length,
    panelClients: ours,
    foreignClients: foreign,
    items,
  };
}

/** Subscriptions our database wants on a server. */
async function desiredOn(em: EntityManager, serverId: string): Promise<Subscription[]> {
  return em.find(Subscription, { server: serverId, status: { $in: DESIRED_STATUSES } }, { orderBy: { panelName: 'asc' }, refresh: true });
}

async function knownNames(em: EntityManager, names: string[]): Promise<Map<string, KnownName>> {
  const known = new Map<string, KnownName>();
  for (let i = 0; i < names.length; i += 5000) {
    const rows = await em.execute<Array<{ id: string; panel_name: string; server_id: string | null; status: SubscriptionStatus }>>(
      `select id, panel_name, server_id, status from subscription where panel_name in (?)`,
      [names.slice(i, i + 5000)],
    );
    for (const r of rows) known.set(r.panel_name, { subscriptionId: r.id, serverId: r.server_id, status: r.status });
  }
  return known;
}

/** Runs the comparison now (read-only: one bounded listing on the panel, reads in our database). */
export async function buildDriftReport(em: EntityManager, panels: PanelRegistry, server: Server): Promise<DriftReport> {
  const clients = await panels.adapterFor(server).listClients();
  const checkedAt = new Date();
  const desired = await desiredOn(em, server.id);
  const desiredNames = new Set(desired.map((s) => s.panelName));
  const others = [...new Set(clients.map((c) => c.name).filter((n) => PANEL_NAME_RE.test(n) && !desiredNames.has(n)))];
  const known = others.length ? await knownNames(em, others) : new Map<string, KnownName>();
  return compareClients({ server, desired, clients, known, checkedAt });
}

/** `driftReport(serverId)`. */
export async function driftReportFor(em: EntityManager, panels: PanelRegistry, serverId: string): Promise<DriftReport> {
  return buildDriftReport(em, panels, await getServerOrFail(em, serverId));
}

/** How many drift items of each kind a report holds (the alert's facts). */
export function driftCounts(report: DriftReport): { missing: number; wrong: number; duplicated: number; orphans: number } {
  const count = (k: DriftKind) => report.items.filter((i) => i.kind === k).length;
  return { missing: count('MISSING'), wrong: count('MISMATCH'), duplicated: count('DUPLICATE'), orphans: count('ORPHAN') };
}

