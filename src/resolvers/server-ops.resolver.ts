import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import type { Evacuation } from '../entities/evacuation.entity';
import { getEvacuation, listEvacuations, startEvacuation } from '../services/evacuation.service';
import { startSubscriptionMove } from '../services/subscription-move.service';
import { listFailedJobs, retryJob, type JobInfo } from '../services/failed-jobs.service';
import { repairDrift, type RepairResult } from '../services/drift-repair.service';
import { driftReportFor, type DriftReport } from '../services/drift-report.service';
import { Auth } from './auth';
import type { Ctx as Context } from './context';
import {
  DriftRepairType,
  DriftReportType,
  EvacuationType,
  JobType,
} from './types/server-ops.types';

function presentReport(r: DriftReport): DriftReportType {
  const count = (k: string) => r.items.filter((i) => i.kind === k).length;
  return {
    serverId: r.serverId,
    serverName: r.serverName,
    checkedAt: r.checkedAt,
    desiredClients: r.desiredClients,
    panelClients: r.panelClients,
    foreignClients: r.foreignClients,
    missing: count('MISSING'),
    mismatched: count('MISMATCH'),
    duplicated: count('DUPLICATE'),
    orphans: count('ORPHAN'),
    items: r.items.map((i) => ({
      kind: i.kind,
      panelName: i.panelName,
      subscriptionId: i.subscriptionId,
      fields: i.fields,
      orphanReason: i.orphanReason,
      copies: i.copies,
      detail: i.detail,
    })),
  };
}

function presentRepair(r: RepairResult): DriftRepairType {
  return {
    dryRun: r.dryRun,
    deleteOrphans: r.deleteOrphans,
    report: presentReport(r.report),
    actions: r.actions.map((a) => ({ kind: a.kind, panelName: a.panelName, subscriptionId: a.subscriptionId, applied: a.applied, error: a.error })),
    applied: r.actions.filter((a) => a.applied).length,
    failed: r.actions.filter((a) => a.error !== null).length,
  };
}

/** Presents an evacuation (fromServer/toServer populated). */
export function presentEvacuation(e: Evacuation): EvacuationType {
  return {
    id: e.id,
    fromServerId: e.fromServer.id,
    fromServerName: e.fromServer.name,
    toServerId: e.toServer?.id ?? null,
    toServerName: e.toServer?.name ?? null,
    subscriptionId: e.subscription?.id ?? null,
    status: e.status,
    total: e.total,
    moved: e.moved,
    failed: e.failed,
    remaining: Math.max(0, e.total - e.moved),
    leftovers: e.leftoverNames.length,
    lastError: e.lastError ?? null,
    startedAt: e.startedAt,
    completedAt: e.completedAt ?? null,
    updatedAt: e.updatedAt,
  };
}

function presentJob(j: JobInfo): JobType {
  return { ...j };
}

/** Server operations (ADMIN): drift reports and repair, evacuation, failed jobs. */
@Resolver()
export class ServerOpsResolver {
  @Query(() => DriftReportType, { description: "Compares the panel's clients with our database now (read-only)." })
  @Auth(Role.ADMIN)
  async driftReport(@Ctx() ctx: Context, @Arg('serverId', () => ID) serverId: string): Promise<DriftReportType> {
    return presentReport(await driftReportFor(ctx.em, ctx.services.panels, serverId));
  }

  @Mutation(() => DriftRepairType, {
    description:
      'Makes the panel hold what our database says (same client UUID/password, so links keep working). Orphans are deleted only with deleteOrphans. A dry run changes nothing and returns the plan.',
  })
  @Auth(Role.ADMIN)
  async repairDrift(
    @Ctx() ctx: Context,
    @Arg('serverId', () => ID) serverId: string,
    @Arg('dryRun', () => Boolean) dryRun: boolean,
    @Arg('deleteOrphans', () => Boolean) deleteOrphans: boolean,
  ): Promise<DriftRepairType> {
    return presentRepair(await repairDrift(ctx.em, { panels: ctx.services.panels, logger: ctx.logger }, serverId, { dryRun, deleteOrphans }));
  }

  @Mutation(() => EvacuationType, {
    description:
      'Marks the source inactive and moves all its subscriptions to toServerId, or (without it) to servers placement chooses in their group. Keeps each client UUID/password and subscription URL. Calling it again resumes the open evacuation of that source (a new toServerId replaces the target for the subscriptions not moved yet); when nothing is left it returns the last evacuation.',
  })
  @Auth(Role.ADMIN)
  async evacuateServer(
    @Ctx() ctx: Context,
    @Arg('fromServerId', () => ID) fromServerId: string,
    @Arg('toServerId', () => ID, { nullable: true }) toServerId: string | null,
  ): Promise<EvacuationType> {
    const ev = await startEvacuation(ctx.em, { fromServerId, toServerId });
    await ctx.em.populate(ev, ['fromServer', 'toServer']);
    return presentEvacuation(ev);
  }

  @Mutation(() => EvacuationType, {
    description:
      'Moves one ACTIVE subscription to toServerId with the evacuation machinery (same client UUID/password, same subscription URL; created on the target, ' +
      'deleted from the source). A job does the move; follow it with evacuation(id). Refusals change nothing: SUBSCRIPTION_NOT_FOUND, SERVER_NOT_FOUND, ' +
      'SUBSCRIPTION_NOT_MOVABLE, SUBSCRIPTION_ALREADY_ON_SERVER, SERVER_INACTIVE, SERVER_NO_USABLE_INBOUND, SERVER_FULL, SERVER_EVACUATING, SUBSCRIPTION_MOVE_RUNNING. ' +
      'Asking again while the same move runs returns it.',
  })
  @Auth(Role.ADMIN)
  async moveSubscription(
    @Ctx() ctx: Context,
    @Arg('id', () => ID) id: string,
    @Arg('toServerId', () => ID) toServerId: string,
  ): Promise<EvacuationType> {
    const move = await startSubscriptionMove(ctx.em, { subscriptionId: id, toServerId });
    await ctx.em.populate(move, ['fromServer', 'toServer']);
    return presentEvacuation(move);
  }

  @Query(() => EvacuationType, { nullable: true })
  @Auth(Role.ADMIN)
  async evacuation(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<EvacuationType | null> {
    const ev = await getEvacuation(ctx.em, id);
    return ev ? presentEvacuation(ev) : null;
  }

  @Query(() => [EvacuationType], { description: 'Evacuations from or to a server, newest first.' })
  @Auth(Role.ADMIN)
  async evacuations(@Ctx() ctx: Context, @Arg('serverId', () => ID) serverId: string): Promise<EvacuationType[]> {
    return (await listEvacuations(ctx.em, serverId)).map(presentEvacuation);
  }

  @Query(() => [JobType], { description: 'Jobs graphile-worker gave up on (attempts reached max attempts), most recent first.' })
  @Auth(Role.ADMIN)
  async failedJobs(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('task', () => String, { nullable: true }) task: string | null,
  ): Promise<JobType[]> {
    return (await listFailedJobs(ctx.em, { first, task })).map(presentJob);
  }

  @Mutation(() => JobType, { description: 'Runs a job again now with fresh attempts.' })
  @Auth(Role.ADMIN)
  async retryJob(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<JobType> {
    return presentJob(await retryJob(ctx.em, id));
  }
}
