import type { MikroORM } from '@mikro-orm/postgresql';
import { openOrmWith } from '../db/database';
import type { Logger } from '../logger';
import { AuditSubscriber } from '../services/audit.subscriber';

/**
 * Opens the ORM as every process (and test) uses it: the audit subscriber is wired here, in the
 * composition root, so the database layer does not depend on services.
 */
export async function openOrm(url: string, poolMax = 10, logger?: Logger): Promise<MikroORM> {
  return openOrmWith(url, poolMax, [new AuditSubscriber()], logger);
}
