import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey } from '../entities/api-key.entity';
import { Role } from '../entities/common';
import { runInAuditScope, SYSTEM_ACTOR } from './audit.context';
import { createApiKey } from './api-key.service';

/**
 * On the very first start (no API key at all), creates an ADMIN key so a new user can try the
 * API at once. Returns the key to print once, or null when keys already exist.
 */
export async function ensureFirstAdminKey(em: EntityManager): Promise<string | null> {
  return runInAuditScope({ actor: SYSTEM_ACTOR, action: 'bootstrap:first-admin-key' }, () =>
    em.transactional(async (tx) => {
      // Serialise concurrent first starts.
      await tx.execute(`select pg_advisory_xact_lock(hashtext('vp:first-admin-key'))`);
      if ((await tx.count(ApiKey, {})) > 0) return null;
      const { secret } = await createApiKey(tx, { name: 'first admin key', role: Role.ADMIN }, 'bootstrap');
      return secret;
    }),
  );
}
