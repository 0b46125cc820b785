import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClientSpec, PanelAdapter, PanelClient } from '../clients/panel.types';
import { Server, ServerKind } from '../entities/server.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { isAppError } from '../errors';
import type { Logger } from '../logger';
import { enqueue } from '../jobs/enqueue';
import { mapLimit } from './concurrency';
import { raiseAlert } from '../notifications/alerts';
import type { PanelRegistry } from './panel-registry';
import { getServerOrFail } from './server.service';
import { getSetting } from './setting.service';
import { clientSpecOf, PANEL_NAME_RE } from './subscription.service';
import { pgTextArray, safeError } from './panel-failure';
import { withSubscriptionLock } from './subscription-lock';

/** Subscriptions whose client the panel must hold (enabled only when ACTIVE). */
export const DESIRED_STATUSES = [SubscriptionStatus.ACTIVE, SubscriptionStatus.DISABLED, SubscriptionStatus.DEPLETED, SubscriptionStatus.EXPIRED];

/** Panel calls in flight at once during a repair or a leftover clean-up. */
export const REPAIR_CONCURRENCY = 4;

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

/** What a repair does for one item. */
export const REPAIR_ACTION_KINDS = ['CREATE', 'UPDATE', 'RECREATE', 'DELETE'] as const;
export type RepairActionKind = (typeof REPAIR_ACTION_KINDS)[number];

export interface RepairAction {
  kind: RepairActionKind;
  panelName: string;
  subscriptionId: string | null;
  applied: boolean;
  error: string | null;
}

/** A repair's plan (dry run) or outcome. */
export interface RepairResult {
  dryRun: boolean;
  deleteOrphans: boolean;
  /** The drift found before repairing. */
  report: DriftReport;
  actions: RepairAction[];
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

/** The repair of each item: recreate missing/wrong/duplicated clients; delete orphans only when asked. */
export function planRepair(report: DriftReport, deleteOrphans: boolean): RepairAction[] {
  const actions: RepairAction[] = [];
  for (const item of report.items) {
    const kind: RepairActionKind | null =
      item.kind === 'MISSING' ? 'CREATE' : item.kind === 'MISMATCH' ? 'UPDATE' : item.kind === 'DUPLICATE' ? 'RECREATE' : deleteOrphans ? 'DELETE' : null;
    if (kind) actions.push({ kind, panelName: item.panelName, subscriptionId: item.subscriptionId, applied: false, error: null });
  }
  return actions;
}

async function applyAction(adapter: PanelAdapter, action: RepairAction, sub: Subscription | undefined): Promise<string[] | null> {
  if (action.kind === 'DELETE') {
    await adapter.deleteClient(action.panelName);
    return null;
  }
  if (!sub) throw new Error('subscription vanished');
  const spec = clientSpecOf(sub, { enabled: sub.status === SubscriptionStatus.ACTIVE });
  // Duplicates: delete every copy, then create one with our credentials (same link for the customer).
  if (action.kind === 'RECREATE') await adapter.deleteClient(action.panelName);
  await adapter.ensureClient(spec);
  return action.kind === 'UPDATE' ? null : adapter.getLinks(action.panelName);
}

/**
 * `repairDrift`: compares now, then makes the panel hold exactly what our database says with
 * `ensureClient` (same name, UUID and password, so the customer's link keeps working); orphans are
 * deleted only with `deleteOrphans`. A dry run returns the plan and changes nothing anywhere.
 * Repaired subscriptions (and those found in agreement) get `drift_detected_at` cleared.
 */
export async function repairDrift(
  em: EntityManager,
  deps: { panels: PanelRegistry; logger?: Logger },
  serverId: string,
  opts: { dryRun: boolean; deleteOrphans: boolean },
): Promise<RepairResult> {
  const server = await getServerOrFail(em, serverId);
  const report = await buildDriftReport(em, deps.panels, server);
  const actions = planRepair(report, opts.deleteOrphans);
  if (opts.dryRun) return { dryRun: true, deleteOrphans: opts.deleteOrphans, report, actions };

  const adapter = deps.panels.adapterFor(server);
  const subIds = actions.map((a) => a.subscriptionId).filter((id): id is string => id !== null);
  const subs = subIds.length ? await em.find(Subscription, { id: { $in: subIds } }) : [];
  const subById = new Map(subs.map((s) => [s.id, s]));
  const results = await mapLimit(actions, REPAIR_CONCURRENCY, (a) => applyAction(adapter, a, a.kind === 'DELETE' ? undefined : subById.get(a.subscriptionId ?? '')));
  const repaired: string[] = [];
  results.forEach((r, i) => {
    const action = actions[i];
    if (!r.ok) {
      action.error = safeError(r.error);
      deps.logger?.warn({ serverId, panelName: action.panelName, kind: action.kind, error: action.error }, 'drift repair failed');
      return;
    }
    action.applied = true;
    const sub = action.kind === 'DELETE' ? undefined : subById.get(action.subscriptionId ?? '');
    if (!sub) return;
    repaired.push(sub.id);
    if (r.value && r.value.length > 0) sub.links = r.value;
    sub.driftDetectedAt = null;
  });
  await em.flush();
  const unresolved = report.items.filter((i) => i.subscriptionId && i.kind !== 'ORPHAN' && !repaired.includes(i.subscriptionId)).map((i) => i.subscriptionId!);
  await clearDriftFlags(em, serverId, unresolved);
  // An orphan deleted here may be an evacuation's leftover: it is not left over any more.
  await forgetLeftovers(em, serverId, actions.filter((a) => a.kind === 'DELETE' && a.applied).map((a) => a.panelName));
  return { dryRun: false, deleteOrphans: opts.deleteOrphans, report, actions };
}

/** Clears `drift_detected_at` of the server's desired subscriptions, except the ones still drifting. */
async function clearDriftFlags(em: EntityManager, serverId: string, stillDrifting: string[]): Promise<void> {
  await em.execute(
    `update subscription set drift_detected_at = null
      where server_id = ? and status in (?) and drift_detected_at is not null and not (id::text = any(?::text[]))`,
    [serverId, DESIRED_STATUSES, pgTextArray(stillDrifting)],
  );
}

/** Sets `drift_detected_at` (first detection kept) on drifting subscriptions and clears it on the others. */
export async function flagDrift(em: EntityManager, report: DriftReport): Promise<void> {
  const drifting = [...new Set(report.items.filter((i) => i.kind !== 'ORPHAN' && i.subscriptionId).map((i) => i.subscriptionId!))];
  if (drifting.length) {
    await em.execute(`update subscription set drift_detected_at = now() where drift_detected_at is null and id::text = any(?::text[])`, [pgTextArray(drifting)]);
  }
  await clearDriftFlags(em, report.serverId, drifting);
}

/**
 * Deletes the clients an evacuation left on this (source) server, recorded in
 * `evacuation.leftover_names`, and takes them off the list; names whose subscription is back on
 * this server are only taken off. Stops at the first unreachable-panel error. Returns the deleted count.
 */
export async function cleanLeftovers(em: EntityManager, panels: PanelRegistry, server: Server): Promise<number> {
  const rows = await em.execute<Array<{ name: string }>>(
    `select distinct unnest(leftover_names) as name from evacuation where from_server_id = ? and cardinality(leftover_names) > 0`,
    [server.id],
  );
  if (rows.length === 0) return 0;
  const names = rows.map((r) => r.name);
  const back = await em.execute<Array<{ panel_name: string }>>(`select panel_name from subscription where server_id = ? and panel_name in (?)`, [server.id, names]);
  const keep = new Set(back.map((b) => b.panel_name));
  const adapter = panels.adapterFor(server);
  const done: string[] = [...keep];
  let reachable = true;
  await mapLimit(
    names.filter((n) => !keep.has(n)),
    REPAIR_CONCURRENCY,
    async (name) => {
      if (!reachable) return;
      try {
        await adapter.deleteClient(name);
        done.push(name);
      } catch (err) {
        if (isAppError(err) && err.code !== 'PANEL_REJECTED') reachable = false;
      }
    },
  );
  await forgetLeftovers(em, server.id, done);
  return done.length - keep.size;
}

/** Takes client names off the leftover lists of the evacuations from a server (gone from its panel, or back in use there). */
async function forgetLeftovers(em: EntityManager, serverId: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await em.execute(
    `update evacuation set leftover_names = coalesce((select array_agg(n) from unnest(leftover_names) as n where not (n = any(?::text[]))), '{}'), updated_at = now()
      where from_server_id = ? and leftover_names && ?::text[]`,
    [pgTextArray(names), serverId, pgTextArray(names)],
  );
}

/** How many drift items of each kind a report holds (the alert's facts). */
export function driftCounts(report: DriftReport): { missing: number; wrong: number; duplicated: number; orphans: number } {
  const count = (k: DriftKind) => report.items.filter((i) => i.kind === k).length;
  return { missing: count('MISSING'), wrong: count('MISMATCH'), duplicated: count('DUPLICATE'), orphans: count('ORPHAN') };
}

/**
 * Deletes the report's ENDED orphans (clients of subscriptions that were REVOKED, or FAILED and
 * refunded, e.g. created by an attempt whose answer was lost), each under its subscription's lock
 * and only while the subscription is still ended (an order retried meanwhile keeps its client).
 * Returns the names deleted; a failing delete is logged and left for the next run.
 */
export async function deleteEndedOrphans(em: EntityManager, deps: { panels: PanelRegistry; logger?: Logger }, server: Server, report: DriftReport): Promise<string[]> {
  const items = report.items.filter((i) => i.kind === 'ORPHAN' && i.orphanReason === 'ENDED' && i.subscriptionId);
  if (items.length === 0) return [];
  const adapter = deps.panels.adapterFor(server);
  const deleted: string[] = [];
  await mapLimit(items, REPAIR_CONCURRENCY, async (item) => {
    try {
      await withSubscriptionLock(em, item.subscriptionId!, async () => {
        const rows = await em.execute<Array<{ status: SubscriptionStatus; server_id: string | null }>>(`select status, server_id from subscription where id = ?`, [item.subscriptionId]);
        const s = rows[0];
        const ended = s && (s.status === SubscriptionStatus.REVOKED || s.status === SubscriptionStatus.FAILED);
        if (!ended) return;
        await adapter.deleteClient(item.panelName);
        deleted.push(item.panelName);
      });
    } catch (err) {
      deps.logger?.warn({ serverId: server.id, panelName: item.panelName, error: safeError(err) }, 'could not delete an ended orphan');
    }
  });
  return deleted;
}

/** What a scheduled reconciliation of one server did. */
export interface ReconcileOutcome {
  report: DriftReport;
  leftoversDeleted: number;
  /** ENDED orphans deleted (with `deleteEndedOrphans`). */
  endedOrphansDeleted: string[];
  repair: RepairResult | null;
  alerted: boolean;
}

/**
 * `reconcile_server` for one server: deletes evacuation leftovers, compares, flags drifting
 * subscriptions, repairs when `autoRepair` (never deleting orphans), and when `alert` tells the
 * admins once a day per server if drift was found.
 */
export async function reconcileServer(
  em: EntityManager,
  deps: { panels: PanelRegistry; logger: Logger },
  serverId: string,
  opts: { alert: boolean; autoRepair: boolean; deleteEndedOrphans?: boolean; now?: Date },
): Promise<ReconcileOutcome | null> {
  const server = await em.findOne(Server, { id: serverId });
  if (!server) return null;
  const leftoversDeleted = await cleanLeftovers(em, deps.panels, server);
  const report = await buildDriftReport(em, deps.panels, server);
  await flagDrift(em, report);
  const endedOrphansDeleted = opts.deleteEndedOrphans ? await deleteEndedOrphans(em, deps, server, report) : [];
  let repair: RepairResult | null = null;
  if (opts.autoRepair && report.items.some((i) => i.kind !== 'ORPHAN')) {
    repair = await em.transactional((tx) => repairDrift(tx, deps, serverId, { dryRun: false, deleteOrphans: false }));
  }
  let alerted = false;
  if (opts.alert && report.items.length > 0) {
    const day = (opts.now ?? new Date()).toISOString().slice(0, 10);
    alerted = await raiseAlert(
      em,
      {
        code: 'DRIFT_DETECTED',
        subject: `${server.id}:${day}`,
        serverName: server.name,
        facts: {
          ...driftCounts(report),
          sample: [],
          repaired: repair ? { applied: repair.actions.filter((a) => a.applied).length, planned: repair.actions.length } : null,
          serverId: server.id,
        },
      },
      'once',
    );
  }
  return { report, leftoversDeleted, endedOrphansDeleted, repair, alerted };
}

/**
 * The fan-out run of `reconcile_server`: one job per server (active ones, and evacuated ones with
 * leftovers to delete), in one transaction. A scheduled run (`scheduledAt`, the hourly cron tick)
 * fans out only in the UTC hour of the `reconcile_hour_utc` setting and otherwise returns null.
 * Returns the number of servers.
 */
export async function fanOutReconciliation(em: EntityManager, opts: { alert: boolean; scheduledAt: Date | null; maxAttempts: number }): Promise<number | null> {
  if (opts.scheduledAt && opts.scheduledAt.getUTCHours() !== (await getSetting(em, 'reconcile_hour_utc'))) return null;
  const rows = await em.execute<Array<{ id: string }>>(
    `select s.id from server s
      where s.active or exists (select 1 from evacuation e where e.from_server_id = s.id and cardinality(e.leftover_names) > 0)
      order by s.name`,
  );
  await em.transactional(async (tx) => {
    for (const r of rows) {
      await enqueue(tx, 'reconcile_server', { serverId: r.id, alert: opts.alert }, { jobKey: `reconcile_server:${r.id}`, maxAttempts: opts.maxAttempts });
    }
  });
  return rows.length;
}
