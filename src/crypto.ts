import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';
import type { Logger } from './logger';

/** Parses a 32-byte key given as base64 (44 chars) or hex (64 chars). */
export function parseKey(text: string): Buffer {
  const t = text.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (buf.length !== 32) throw new Error('an encryption key must be 32 bytes, as base64 or 64 hex characters');
  return buf;
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * AES-256-GCM encryption of secrets at rest (panel credentials, webhook secrets).
 * Ciphertext format: `v1.<key id>.<iv>.<tag>.<data>` (base64url parts); the key id lets a
 * rotation decrypt with an old key and re-encrypt with the current one.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentId: string;

  constructor(current: Buffer, old: Buffer[] = []) {
    this.currentId = keyId(current);
    this.keys.set(this.currentId, current);
    for (const k of old) this.keys.set(keyId(k), k);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.currentId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  decrypt(ciphertext: string): string {
    const [version, id, iv, tag, data] = ciphertext.split('.');
    if (version !== 'v1' || !id || !iv || !tag || data === undefined) throw new Error('not a ciphertext of ours');
    const key = this.keys.get(id);
    if (!key) throw new Error(`no key for ciphertext key id ${id}: add the old key to ENCRYPTION_OLD_KEYS`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** True when the ciphertext was made with an old key. */
  isStale(ciphertext: string): boolean {
    return ciphertext.split('.')[1] !== this.currentId;
  }

  encryptJson(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }

  decryptJson<T>(ciphertext: string): T {
    return JSON.parse(this.decrypt(ciphertext)) as T;
  }
}

/**
 * The process's SecretBox: ENCRYPTION_KEY, or a key generated once into `<DATA_DIR>/encryption.key`
 * (mode 0600) so a first start needs no setup. Production should set ENCRYPTION_KEY.
 */
export function loadSecretBox(config: Config, logger?: Logger): SecretBox {
  const old = config.ENCRYPTION_OLD_KEYS.split(',').filter((s) => s.trim()).map(parseKey);
  if (config.ENCRYPTION_KEY) return new SecretBox(parseKey(config.ENCRYPTION_KEY), old);
  const file = path.resolve(config.DATA_DIR, 'encryption.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
      logger?.warn({ file }, 'ENCRYPTION_KEY is not set: generated a key file; back it up or set ENCRYPTION_KEY');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process made it first
    }
  }
  return new SecretBox(parseKey(fs.readFileSync(file, 'utf8')), old);
}
