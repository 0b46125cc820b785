import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { enumOf } from './scalars';
import { EvacuationStatus } from '../../entities/evacuation.entity';
import { REPAIR_ACTION_KINDS, type RepairActionKind } from '../../services/drift-repair.service';
import { DRIFT_FIELDS, DRIFT_KINDS, type DriftField, type DriftKind, ORPHAN_REASONS, type OrphanReason } from '../../services/drift-report.service';

// GraphQL enums built from the drift model's value lists in src/services/reconcile.service.ts (defined there only).
export const DriftKindEnum = enumOf(DRIFT_KINDS);
export const DriftFieldEnum = enumOf(DRIFT_FIELDS);
export const OrphanReasonEnum = enumOf(ORPHAN_REASONS);
export const RepairActionKindEnum = enumOf(REPAIR_ACTION_KINDS);

registerEnumType(DriftKindEnum, {
  name: 'DriftKind',
  description: 'MISSING: no client on the panel; MISMATCH: wrong limits, expiry, enabled flag, credentials or inbounds; DUPLICATE: several clients of one name; ORPHAN: a client with our naming scheme that should not be there.',
});
registerEnumType(DriftFieldEnum, { name: 'DriftField', description: 'A managed client field that differs from our database.' });
registerEnumType(OrphanReasonEnum, {
  name: 'OrphanReason',
  description: 'UNKNOWN: no subscription has the name; ELSEWHERE: its subscription lives on another server; ENDED: its subscription was revoked or failed.',
});
registerEnumType(RepairActionKindEnum, { name: 'RepairActionKind', description: 'CREATE / UPDATE the client with our spec, RECREATE a duplicated one, DELETE an orphan.' });
registerEnumType(EvacuationStatus, { name: 'EvacuationStatus', description: 'RUNNING; COMPLETED; FAILED (stopped: call evacuateServer again to resume).' });

@ObjectType({ description: 'One disagreement between our database and a panel.' })
export class DriftItemType {
  @Field(() => DriftKindEnum) kind!: DriftKind;
  @Field() panelName!: string;
  @Field(() => ID, { nullable: true }) subscriptionId!: string | null;
  @Field(() => [DriftFieldEnum]) fields!: DriftField[];
  @Field(() => OrphanReasonEnum, { nullable: true }) orphanReason!: OrphanReason | null;
  @Field(() => Int, { description: 'Clients of this name on the panel.' }) copies!: number;
  @Field({ description: 'Human summary (never credentials).' }) detail!: string;
}

@ObjectType({ description: 'What a panel holds compared with what our database says it should hold.' })
export class DriftReportType {
  @Field(() => ID) serverId!: string;
  @Field() serverName!: string;
  @Field(() => Date) checkedAt!: Date;
  @Field(() => Int, { description: 'Clients our database wants on the panel (ACTIVE, DISABLED, DEPLETED, EXPIRED subscriptions).' }) desiredClients!: number;
  @Field(() => Int, { description: 'Clients on the panel with our naming scheme.' }) panelClients!: number;
  @Field(() => Int, { description: 'Clients on the panel that are not ours; never touched.' }) foreignClients!: number;
  @Field(() => Int) missing!: number;
  @Field(() => Int) mismatched!: number;
  @Field(() => Int) duplicated!: number;
  @Field(() => Int) orphans!: number;
  @Field(() => [DriftItemType]) items!: DriftItemType[];
}

@ObjectType({ description: 'One step of a drift repair.' })
export class RepairActionType {
  @Field(() => RepairActionKindEnum) kind!: RepairActionKind;
  @Field() panelName!: string;
  @Field(() => ID, { nullable: true }) subscriptionId!: string | null;
  @Field({ description: 'false in a dry run, or when it failed.' }) applied!: boolean;
  @Field(() => String, { nullable: true }) error!: string | null;
}

@ObjectType({ description: 'A drift repair: its plan (dry run) or what it did.' })
export class DriftRepairType {
  @Field() dryRun!: boolean;
  @Field() deleteOrphans!: boolean;
  @Field(() => DriftReportType, { description: 'The drift found before repairing.' }) report!: DriftReportType;
  @Field(() => [RepairActionType]) actions!: RepairActionType[];
  @Field(() => Int) applied!: number;
  @Field(() => Int) failed!: number;
}

@ObjectType({ description: 'Moving every subscription off a server (same client UUID/password, same subscription URL).' })
export class EvacuationType {
  @Field(() => ID) id!: string;
  @Field(() => ID) fromServerId!: string;
  @Field() fromServerName!: string;
  @Field(() => ID, { nullable: true, description: 'null: placement chooses per subscription.' }) toServerId!: string | null;
  @Field(() => String, { nullable: true }) toServerName!: string | null;
  @Field(() => ID, { nullable: true, description: 'Set for the move of one subscription (moveSubscription); null for a whole server.' }) subscriptionId!: string | null;
  @Field(() => EvacuationStatus) status!: EvacuationStatus;
  @Field(() => Int) total!: number;
  @Field(() => Int) moved!: number;
  @Field(() => Int, { description: 'Could not be moved in this pass (no room, no usable inbound, refused by the target).' }) failed!: number;
  @Field(() => Int, { description: 'total - moved.' }) remaining!: number;
  @Field(() => Int, { description: 'Moved clients not yet deleted from the source (reconciliation deletes them).' }) leftovers!: number;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date) startedAt!: Date;
  @Field(() => Date, { nullable: true }) completedAt!: Date | null;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType({ description: 'A graphile-worker job.' })
export class JobType {
  @Field(() => ID) id!: string;
  @Field() taskIdentifier!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'As stored (ids only).' }) payload!: unknown;
  @Field(() => String, { nullable: true }) queueName!: string | null;
  @Field(() => String, { nullable: true }) key!: string | null;
  @Field(() => Int) attempts!: number;
  @Field(() => Int) maxAttempts!: number;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date) runAt!: Date;
  @Field(() => Date, { nullable: true }) lockedAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}
