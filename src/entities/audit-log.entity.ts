import { Entity, Index, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { bigintNumber } from './common';

/** Before/after values of the changed fields (secrets are replaced by `[REDACTED]`). */
export interface AuditDiff {
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/** Append-only record of a state change and who made it. Written by src/services/audit.service.ts. */
@Entity({ tableName: 'audit_log' })
@Index({ properties: ['resourceType', 'resourceId'] })
@Index({ properties: ['action'] })
export class AuditLog {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  @Index()
  at: Date & Opt = new Date();

  /** API_KEY, ADMIN, CUSTOMER or SYSTEM. */
  @Property({ type: 'text' })
  actorType!: string;

  @Property({ type: 'uuid', nullable: true })
  apiKeyId?: string | null;

  @Property({ type: 'text', nullable: true })
  role?: string | null;

  @Property({ type: 'uuid', nullable: true })
  adminId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  customerId?: string | null;

  @Property({ type: bigintNumber(), nullable: true })
  telegramId?: number | null;

  /** The GraphQL mutation or job name, e.g. `createApiKey`, `job:provision_subscription`. */
  @Property({ type: 'text' })
  action!: string;

  /** `create`, `update` or `delete`, or `call` for a mutation that changed no row. */
  @Property({ type: 'text' })
  operation!: string;

  @Property({ type: 'text', nullable: true })
  resourceType?: string | null;

  @Property({ type: 'text', nullable: true })
  resourceId?: string | null;

  @Property({ type: 'jsonb', nullable: true })
  diff?: AuditDiff | null;

  @Property({ type: 'text', nullable: true })
  correlationId?: string | null;

  @Property({ type: 'text', nullable: true })
  ip?: string | null;
}
