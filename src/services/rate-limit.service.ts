import type { EntityManager } from '@mikro-orm/postgresql';

/** A token bucket: `burst` tokens at most, refilled at `perMinute` a minute; one request takes one token. */
export interface RateLimit {
  perMinute: number;
  burst: number;
}

/** Whether a request may proceed, and if not, in how many seconds one token is back. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Takes one token from an API key's bucket, in Postgres so every API process shares it. One
 * atomic statement: the upsert only updates (spends a token) when the refilled bucket holds one;
 * no row back means the key is over its rate.
 */
export async function takeRateToken(em: EntityManager, apiKeyId: string, limit: RateLimit): Promise<RateDecision> {
  const perSecond = limit.perMinute / 60;
  const refilled = `least(?::float8, r.tokens + extract(epoch from (clock_timestamp() - r.updated_at)) * ?::float8)`;
  const rows = await em.execute<Array<{ tokens: number }>>(
    `insert into api_key_rate as r (api_key_id, tokens, updated_at) values (?, ?::float8 - 1, clock_timestamp())
     on conflict (api_key_id) do update set tokens = ${refilled} - 1, updated_at = clock_timestamp()
      where ${refilled} >= 1
     returning r.tokens`,
    [apiKeyId, limit.burst, limit.burst, perSecond, limit.burst, perSecond],
  );
  if (rows.length) return { allowed: true };
  const [row] = await em.execute<Array<{ tokens: number }>>(
    `select ${refilled} as tokens from api_key_rate r where r.api_key_id = ?`,
    [limit.burst, perSecond, apiKeyId],
  );
  const missing = Math.max(0, 1 - Number(row?.tokens ?? 0));
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / perSecond)) };
}
