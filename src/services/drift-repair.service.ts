import type { EntityManager } from '@mikro-orm/postgresql';
import type { PanelAdapter } from '../clients/panel.types';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import type { Logger } from '../logger';
import { mapLimit } from './concurrency';
import { buildDriftReport, DESIRED_STATUSES, type DriftReport } from './drift-report.service';
import { forgetLeftovers, REPAIR_CONCURRENCY } from './panel-cleanup.service';
import type { PanelRegistry } from './panel-registry';
import { pgTextArray, safeError } from './panel-failure';
import { getServerOrFail } from './server.service';
import { clientSpecOf } from './subscription.service';

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

