/**
 * "Traffic used up": the one rule that makes a subscription DEPLETED. A quota of 0 means
 * unlimited; otherwise the subscription is used up once upload + download reach the quota.
 * Lifecycle, usage sync and re-enabling all decide it here (in TypeScript or as SQL).
 */
export function isTrafficUsedUp(limitBytes: number, usedBytes: number): boolean {
  return limitBytes > 0 && usedBytes >= limitBytes;
}

/** The same rule as a SQL condition over the given column expressions (trusted SQL text only). */
export function trafficUsedUpSql(limitBytes: string, usedBytes: string): string {
  return `(${limitBytes} > 0 and ${usedBytes} >= ${limitBytes})`;
}
