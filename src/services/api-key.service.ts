import { ForeignKeyConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Admin } from '../entities/admin.entity';
import { ApiKey } from '../entities/api-key.entity';
import { Role } from '../entities/common';
import { Customer } from '../entities/customer.entity';
import { Reseller } from '../entities/reseller.entity';
import { AppError } from '../errors';
import { isUuid } from './ids';
import type { Principal } from './principal';

const KEY_RE = /^vpk_([A-Za-z0-9]{10})_([A-Za-z0-9_-]{40,})$/;

/** SHA-256 of a key. Keys carry 256 random bits, so a fast hash is enough. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function randomAlnum(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(n);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export const createApiKeyInput = z.object({
  /** A name people recognise, e.g. "shop bot". */
  name: z.string().trim().min(1).max(100),
  role: z.enum(Role),
  /** Free-form scopes (reserved for finer rules). */
  scopes: z.array(z.string().min(1).max(50)).max(20).default([]),
  /** Required for RESELLER keys. */
  resellerId: z.uuid().nullish(),
  expiresAt: z.date().nullish(),
});
export type CreateApiKeyInput = z.input<typeof createApiKeyInput>;

/** Creates a key and returns it with its one-time plaintext secret. */
export async function createApiKey(
  em: EntityManager,
  input: CreateApiKeyInput,
  createdBy: string,
): Promise<{ apiKey: ApiKey; secret: string }> {
  const data = createApiKeyInput.parse(input);
  if (data.role === Role.RESELLER && !data.resellerId) {
    throw new AppError('BAD_USER_INPUT', 'A RESELLER key needs a resellerId.');
  }
  if (data.expiresAt && data.expiresAt.getTime() <= Date.now()) {
    throw new AppError('BAD_USER_INPUT', 'expiresAt must be in the future.');
  }
  const resellerNotFound = () => new AppError('NOT_FOUND', 'Reseller not found.', { field: 'resellerId' });
  if (data.resellerId && !(await em.findOne(Reseller, { id: data.resellerId }))) throw resellerNotFound();
  const prefix = randomAlnum(10);
  const secret = `vpk_${prefix}_${randomBytes(32).toString('base64url')}`;
  const apiKey = em.create(ApiKey, {
    name: data.name,
    role: data.role,
    scopes: data.scopes,
    reseller: data.resellerId ?? null,
    prefix,
    secretHash: hashKey(secret),
    expiresAt: data.expiresAt ?? null,
    createdBy,
  });
  try {
    await em.flush();
  } catch (err) {
    // The reseller was deleted between the check and the insert.
    if (err instanceof ForeignKeyConstraintViolationException) throw resellerNotFound();
    throw err;
  }
  return { apiKey, secret };
}

/** Revokes a key (idempotent: revoking twice keeps the first time). */
export async function revokeApiKey(em: EntityManager, id: string): Promise<ApiKey> {
  const key = isUuid(id) ? await em.findOne(ApiKey, { id }) : null;
  if (!key) throw new AppError('API_KEY_NOT_FOUND');
  key.revokedAt ??= new Date();
  await em.flush();
  return key;
}

/** Keys, newest first (never their secrets). */
export async function listApiKeys(em: EntityManager, opts: { includeRevoked?: boolean } = {}): Promise<ApiKey[]> {
  return em.find(ApiKey, opts.includeRevoked ? {} : { revokedAt: null }, { orderBy: { createdAt: 'desc' } });
}

/** Why a presented key was refused (never echoed to callers in detail). */
export type AuthFailure = 'MALFORMED' | 'UNKNOWN' | 'REVOKED' | 'EXPIRED' | 'BAD_TELEGRAM_ID';

/** How often last_used_at is written, to avoid one write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves `Authorization: Bearer <key>` (+ `X-Telegram-User-Id` for bot keys) to a principal.
 * Returns null with a reason when the key is not valid.
 */
export async function authenticate(
  em: EntityManager,
  bearer: string,
  telegramHeader: string | undefined,
  now = new Date(),
): Promise<{ principal: Principal } | { failure: AuthFailure }> {
  const m = KEY_RE.exec(bearer);
  if (!m) return { failure: 'MALFORMED' };
  const key = await em.findOne(ApiKey, { prefix: m[1] });
  if (!key) return { failure: 'UNKNOWN' };
  const expected = Buffer.from(key.secretHash, 'hex');
  const actual = Buffer.from(hashKey(bearer), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { failure: 'UNKNOWN' };
  if (key.revokedAt) return { failure: 'REVOKED' };
  if (key.expiresAt && key.expiresAt <= now) return { failure: 'EXPIRED' };

  let telegramId: number | null = null;
  if (telegramHeader !== undefined && (key.role === Role.USER_BOT || key.role === Role.ADMIN_BOT)) {
    // Above 2^53 two different ids would read as one number (one customer): refuse them.
    if (!/^[1-9]\d{0,15}$/.test(telegramHeader) || !Number.isSafeInteger(Number(telegramHeader))) return { failure: 'BAD_TELEGRAM_ID' };
    telegramId = Number(telegramHeader);
  }
  const principal: Principal = {
    apiKeyId: key.id,
    keyName: key.name,
    keyRole: key.role,
    role: key.role,
    scopes: key.scopes,
    resellerId: key.reseller?.id ?? null,
    telegramId,
    adminId: null,
    customerId: null,
  };
  if (telegramId !== null && key.role === Role.ADMIN_BOT) {
    const admin = await em.findOne(Admin, { telegramId, active: true });
    if (admin) {
      principal.adminId = admin.id;
      principal.role = admin.role as unknown as Role;
    }
  }
  if (telegramId !== null && key.role === Role.USER_BOT) {
    const customer = await em.findOne(Customer, { telegramId }, { fields: ['id'] });
    principal.customerId = customer?.id ?? null;
  }
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // A plain UPDATE outside the unit of work: bookkeeping, not an audited change.
    await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: now });
  }
  return { principal };
}
