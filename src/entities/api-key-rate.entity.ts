import { Entity, OneToOne, Opt, Property } from '@mikro-orm/core';
import type { ApiKey } from './api-key.entity';

/**
 * The token bucket of one API key (per-key rate limit), kept in Postgres so every API process
 * shares it. Written by one atomic statement per request (src/services/rate-limit.service.ts).
 */
@Entity({ tableName: 'api_key_rate' })
export class ApiKeyRate {
  @OneToOne({ entity: 'ApiKey', primary: true, owner: true, deleteRule: 'cascade' })
  apiKey!: ApiKey;

  /** Tokens left at `updatedAt` (fractional: refilled continuously). */
  @Property({ type: 'double precision' })
  tokens!: number;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date & Opt = new Date();
}
