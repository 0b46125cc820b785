import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { PanelHealth } from '../clients/panel.types';
import { Server, ServerStatus } from '../entities/server.entity';
import type { Logger } from '../logger';
import { mapLimit } from './concurrency';
import { sendAlert, type Alert } from '../notifications/alerts';
import type { PanelRegistry } from './panel-registry';
import { getSetting } from './setting.service';

/** Outcome of one probe: `G` good, `S` slow (ok but over the latency threshold), `F` failed. */
export type ProbeOutcome = 'G' | 'S' | 'F';

/** The thresholds of the health state machine (settings `health_*`). */
export interface HealthPolicy {
  failuresToDown: number;
  successesToRecover: number;
  degradedLatencyMs: number;
  flakyFailures: number;
}

/** The health fields of a server the state machine reads and writes. */
export interface HealthState {
  status: ServerStatus;
  failureStreak: number;
  successStreak: number;
  probeHistory: string;
}

/** Alert codes sent to admins on a status change. */
export type HealthAlertCode = 'SERVER_DOWN' | 'SERVER_RECOVERED' | 'SERVER_DEGRADED';

/** Probes remembered in `server.probe_history`. */
export const PROBE_WINDOW = 10;

/** Probes run in parallel by one `check_server_health` run. */
export const HEALTH_PROBE_CONCURRENCY = 8;

/** The health settings. */
export async function healthPolicy(em: EntityManager): Promise<HealthPolicy> {
  return {
    failuresToDown: await getSetting(em, 'health_failures_to_down'),
    successesToRecover: await getSetting(em, 'health_successes_to_recover'),
    degradedLatencyMs: await getSetting(em, 'health_degraded_latency_ms'),
    flakyFailures: await getSetting(em, 'health_flaky_failures'),
  };
}

/** Classifies a probe result. */
export function outcomeOf(probe: PanelHealth, policy: HealthPolicy): ProbeOutcome {
  if (!probe.ok) return 'F';
  return probe.latencyMs > policy.degradedLatencyMs ? 'S' : 'G';
}

/** Separate runs of failures in a probe history ("GFFGFG" has 2). */
export function failureEpisodes(history: string): number {
  return history.match(/F+/g)?.length ?? 0;
}

/**
 * The health state machine (hysteresis both ways):
 * - `failuresToDown` failures in a row → DOWN, whatever the status was;
 * - a DOWN server comes back after `successesToRecover` good-or-slow probes in a row (to DEGRADED
 *   when all of them were slow, else HEALTHY); the outage is then dropped from the history;
 * - otherwise a failure changes nothing by itself (it is a blip or the start of an outage);
 * - after a success: DEGRADED when flaky (`flakyFailures` separate failure episodes among the last
 *   {@link PROBE_WINDOW} probes) or when the last `successesToRecover` probes were all slow;
 *   HEALTHY when the last `successesToRecover` probes were all good; else unchanged. A server never
 *   probed (UNKNOWN) takes the first success at face value.
 */
export function nextHealth(state: HealthState, outcome: ProbeOutcome, policy: HealthPolicy): HealthState {
  let history = `${state.probeHistory}${outcome}`.slice(-PROBE_WINDOW);
  const failureStreak = outcome === 'F' ? state.failureStreak + 1 : 0;
  const successStreak = outcome === 'F' ? 0 : state.successStreak + 1;
  const recentAll = (o: ProbeOutcome): boolean => {
    const recent = history.slice(-policy.successesToRecover);
    return recent.length === policy.successesToRecover && [...recent].every((c) => c === o);
  };
  let status = state.status;
  if (failureStreak >= policy.failuresToDown) {
    status = ServerStatus.DOWN;
  } else if (state.status === ServerStatus.DOWN) {
    if (successStreak >= policy.successesToRecover) {
      history = history.slice(-successStreak);
      status = recentAll('S') ? ServerStatus.DEGRADED : ServerStatus.HEALTHY;
    }
  } else if (outcome !== 'F') {
    if (failureEpisodes(history) >= policy.flakyFailures || recentAll('S')) status = ServerStatus.DEGRADED;
    else if (state.status === ServerStatus.UNKNOWN) status = outcome === 'G' ? ServerStatus.HEALTHY : ServerStatus.DEGRADED;
    else if (recentAll('G')) status = ServerStatus.HEALTHY;
  }
  return { status, failureStreak, successStreak, probeHistory: history };
}

/** The admin alert of a status change; null when the change is not news (first contact, or none). */
export function alertFor(from: ServerStatus, to: ServerStatus): HealthAlertCode | null {
  if (from === to) return null;
  if (to === ServerStatus.DOWN) return 'SERVER_DOWN';
  if (from === ServerStatus.DOWN) return 'SERVER_RECOVERED';
  if (to === ServerStatus.DEGRADED) return 'SERVER_DEGRADED';
  if (from === ServerStatus.DEGRADED && to === ServerStatus.HEALTHY) return 'SERVER_RECOVERED';
  return null;
}

function alertOf(code: HealthAlertCode, server: Server, to: ServerStatus, probe: PanelHealth, policy: HealthPolicy): Alert {
  const about = { subject: server.id, serverName: server.name };
  switch (code) {
    case 'SERVER_DOWN':
      return { code, ...about, facts: { failures: policy.failuresToDown, error: probe.error ?? 'no answer' } };
    case 'SERVER_RECOVERED':
      return { code, ...about, facts: { status: to, latencyMs: probe.latencyMs } };
    case 'SERVER_DEGRADED':
      return { code, ...about, facts: { history: server.probeHistory, latencyMs: probe.latencyMs } };
  }
}

/** What applying one probe did. */
export interface AppliedProbe {
  serverId: string;
  outcome: ProbeOutcome;
  from: ServerStatus;
  to: ServerStatus;
  alert: HealthAlertCode | null;
}

/**
 * Applies one probe of the cron tick `tick` to a server, under its row lock: a probe of a tick
 * already applied (a double or concurrent run) is ignored, so each tick counts once. A status
 * change and its admin alert are written in the same transaction; plain probe bookkeeping is a
 * native update (not audited: it changes every minute).
 */
export async function applyProbe(em: EntityManager, serverId: string, probe: PanelHealth, tick: Date, policy: HealthPolicy): Promise<AppliedProbe | null> {
  return em.transactional(async (tx) => {
    const server = await tx.findOne(Server, { id: serverId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!server || (server.lastCheckedAt && server.lastCheckedAt.getTime() >= tick.getTime())) return null;
    const outcome = outcomeOf(probe, policy);
    const from = server.status;
    const next = nextHealth(server, outcome, policy);
    const fields = {
      ...next,
      lastCheckedAt: tick,
      lastError: probe.ok ? null : (probe.error ?? 'probe failed').slice(0, 500),
    };
    const alert = alertFor(from, next.status);
    if (next.status === from) {
      await tx.nativeUpdate(Server, { id: server.id }, fields);
    } else {
      tx.assign(server, fields);
      await tx.flush();
      if (alert) {
        await sendAlert(tx, alertOf(alert, server, next.status, probe, policy));
      }
    }
    return { serverId: server.id, outcome, from, to: next.status, alert };
  });
}

/**
 * One health round: probes every active server (or one) in parallel, at most
 * {@link HEALTH_PROBE_CONCURRENCY} at a time, and applies each result. Servers already probed for
 * this tick are skipped before probing.
 */
export async function checkServersHealth(
  em: EntityManager,
  deps: { panels: PanelRegistry; logger: Logger },
  opts: { tick: Date; serverId?: string },
): Promise<AppliedProbe[]> {
  const policy = await healthPolicy(em);
  const servers = await em.find(Server, {
    active: true,
    ...(opts.serverId ? { id: opts.serverId } : {}),
    $or: [{ lastCheckedAt: null }, { lastCheckedAt: { $lt: opts.tick } }],
  });
  const results = await mapLimit(servers, HEALTH_PROBE_CONCURRENCY, async (server) => {
    const probe = await deps.panels.adapterFor(server).health();
    return applyProbe(em.fork(), server.id, probe, opts.tick, policy);
  });
  const applied: AppliedProbe[] = [];
  results.forEach((r, i) => {
    if (r.ok) {
      if (r.value) applied.push(r.value);
    } else {
      deps.logger.error({ err: r.error, serverId: servers[i].id }, 'applying a health probe failed');
    }
  });
  return applied;
}
