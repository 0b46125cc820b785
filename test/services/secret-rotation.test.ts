import type { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes, randomUUID } from 'node:crypto';
import { SecretBox } from '../../src/crypto';
import { Server, ServerKind } from '../../src/entities/server.entity';
import { rotateSecrets } from '../../src/services/secret-rotation.service';
import { openOrm } from '../../src/main/orm';
import { createIsolatedDatabase } from '../helpers/db';

describe('encryption key rotation', () => {
  let orm: MikroORM;
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    // Its own database: rotation decrypts every stored secret, and other tests store theirs under other keys.
    db = await createIsolatedDatabase();
    orm = await openOrm(db.url, 2);
  });
  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });

  it('re-encrypts credentials made with an old key so the old key can be dropped', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = new SecretBox(oldKey);
    const em = orm.em.fork();
    const server = em.create(Server, { name: `rot-${randomUUID()}`, kind: ServerKind.SUI, baseUrl: 'http://x/', credentialsEnc: before.encryptJson({ password: 'p' }) });
    await em.flush();
    const during = new SecretBox(newKey, [oldKey]);
    const res = await orm.em.fork().transactional((tx) => rotateSecrets(tx, during));
    expect(res.servers).toBeGreaterThanOrEqual(1);
    const row = await orm.em.fork().findOneOrFail(Server, { id: server.id });
    expect(new SecretBox(newKey).decryptJson(row.credentialsEnc)).toEqual({ password: 'p' });
    expect(() => before.decrypt(row.credentialsEnc)).toThrow(/no key/);
    expect((await orm.em.fork().transactional((tx) => rotateSecrets(tx, during))).servers).toBe(0);
  });

  it('refuses tampered ciphertext', () => {
    const box = new SecretBox(randomBytes(32));
    const c = box.encrypt('secret');
    const parts = c.split('.');
    parts[4] = Buffer.from('other').toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow();
  });
});
