import { Entity, ManyToOne, Opt, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { Server } from './server.entity';

/** A listening protocol/port of a panel, as last synced. */
@Entity({ tableName: 'inbound' })
@Unique({ properties: ['server', 'remoteId'] })
export class Inbound {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'Server', deleteRule: 'cascade' })
  server!: Server;

  /** The panel's id of the inbound. */
  @Property({ type: 'text' })
  remoteId!: string;

  @Property({ type: 'text' })
  tag!: string;

  @Property({ type: 'text' })
  protocol!: string;

  @Property({ type: 'integer' })
  port!: number;

  @Property({ type: 'text', default: '' })
  remark: string & Opt = '';

  @Property({ type: 'boolean', default: true })
  enabled: boolean & Opt = true;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  syncedAt: Date & Opt = new Date();
}
