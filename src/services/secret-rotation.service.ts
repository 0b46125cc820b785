import type { EntityManager } from '@mikro-orm/postgresql';
import type { SecretBox } from '../crypto';
import { Reseller } from '../entities/reseller.entity';
import { Server } from '../entities/server.entity';

/**
 * Re-encrypts every secret at rest made with an old key (panel credentials, webhook secrets) with
 * the current ENCRYPTION_KEY. Run after putting the old key in ENCRYPTION_OLD_KEYS; afterwards the
 * old key can be dropped. Returns how many values were re-encrypted.
 */
export async function rotateSecrets(em: EntityManager, secrets: SecretBox): Promise<{ servers: number; resellers: number }> {
  let servers = 0;
  let resellers = 0;
  for (const s of await em.find(Server, {})) {
    if (secrets.isStale(s.credentialsEnc)) {
      s.credentialsEnc = secrets.encrypt(secrets.decrypt(s.credentialsEnc));
      servers += 1;
    }
  }
  for (const r of await em.find(Reseller, { webhookSecretEnc: { $ne: null } })) {
    if (r.webhookSecretEnc && secrets.isStale(r.webhookSecretEnc)) {
      r.webhookSecretEnc = secrets.encrypt(secrets.decrypt(r.webhookSecretEnc));
      resellers += 1;
    }
  }
  await em.flush();
  return { servers, resellers };
}
