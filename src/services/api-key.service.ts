import { ForeignKeyConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ApiKey } from '../entities/api-key.entity';
import { Role } from '../entities/common';
import { Reseller } from '../entities/reseller.entity';
import { AppError } from '../errors';
import type { ChangeFeed } from '../db/change-feed';
import { parseScopes } from './api-key-scopes';
import { ipAllowed, parseCidrs } from './ip-allow-list';
import { isUuid } from './ids';
import { readTelegramCustomer, type TelegramCustomerRow } from './customer-row';
import type { Principal } from './principal';
import { ReadCache } from './read-cache';

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
  /** Scopes from the catalogue (src/services/api-key-scopes.ts); RESELLER keys only. */
  scopes: z.array(z.string().min(1).max(50)).max(20).default([]),
  /** Required for RESELLER keys. */
  resellerId: z.uuid().nullish(),
  expiresAt: z.date().nullish(),
  /** CIDR blocks the key may be used from; empty = anywhere. */
  allowedCidrs: z.array(z.string().trim().min(1).max(64)).max(50).default([]),
});
export type CreateApiKeyInput = z.input<typeof createApiKeyInput>;

/**
 * Creates a key and returns it with its one-time plaintext secret. A RESELLER creator may only
 * make RESELLER keys of its own reseller, never with a scope it lacks itself.
 */
export async function createApiKey(
  em: EntityManager,
  input: CreateApiKeyInput,
  createdBy: string,
  creator: Principal | null = null,
): Promise<{ apiKey: ApiKey; secret: string }> {
  const data = createApiKeyInput.parse(input);
  const scopes = parseScopes(data.scopes);
  const allowedCidrs = parseCidrs(data.allowedCidrs);
  let resellerId = data.resellerId ?? null;
  if (creator?.role === Role.RESELLER) {
    if (data.role !== Role.RESELLER) throw new AppError('FORBIDDEN', 'A reseller key can only create RESELLER keys.');
    if (resellerId && resellerId !== creator.resellerId) throw new AppError('NOT_FOUND', 'Reseller not found.');
    resellerId = creator.resellerId;
    const beyond = scopes.filter((s) => !creator.scopes.includes(s));
    if (beyond.length) throw new AppError('FORBIDDEN', `A key cannot grant scopes it does not have: ${beyond.join(', ')}.`, { scopes: beyond });
  }
  if (data.role === Role.RESELLER && !resellerId) {
    throw new AppError('BAD_USER_INPUT', 'A RESELLER key needs a resellerId.');
  }
  if (data.role !== Role.RESELLER && (resellerId || scopes.length)) {
    throw new AppError('BAD_USER_INPUT', 'Only RESELLER keys have a resellerId and scopes.');
  }
  if (data.expiresAt && data.expiresAt.getTime() <= Date.now()) {
    throw new AppError('BAD_USER_INPUT', 'expiresAt must be in the future.');
  }
  const resellerNotFound = () => new AppError('NOT_FOUND', 'Reseller not found.', { field: 'resellerId' });
  if (resellerId && !(await em.findOne(Reseller, { id: resellerId }, { fields: ['id'] }))) throw resellerNotFound();
  const prefix = randomAlnum(10);
  const secret = `vpk_${prefix}_${randomBytes(32).toString('base64url')}`;
  const apiKey = em.create(ApiKey, {
    name: data.name,
    role: data.role,
    scopes,
    reseller: resellerId,
    prefix,
    secretHash: hashKey(secret),
    expiresAt: data.expiresAt ?? null,
    allowedCidrs,
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

/**
 * Revokes a key (idempotent: revoking twice keeps the first time). A RESELLER caller may revoke only
 * its own reseller's keys (others read as NOT_FOUND) whose scopes it holds itself.
 */
export async function revokeApiKey(em: EntityManager, id: string, caller: Principal | null = null): Promise<ApiKey> {
  const key = isUuid(id) ? await em.findOne(ApiKey, { id }) : null;
  if (caller?.role === Role.RESELLER) {
    if (!key || key.reseller?.id !== caller.resellerId) throw new AppError('NOT_FOUND', 'API key not found.');
    const beyond = key.scopes.filter((s) => !caller.scopes.includes(s));
    if (beyond.length) throw new AppError('FORBIDDEN', `This key cannot revoke a key with scopes it lacks: ${beyond.join(', ')}.`);
  }
  if (!key) throw new AppError('API_KEY_NOT_FOUND');
  key.revokedAt ??= new Date();
  await em.flush();
  return key;
}

/** Keys, newest first (never their secrets); a RESELLER caller sees only its own reseller's. */
export async function listApiKeys(em: EntityManager, opts: { includeRevoked?: boolean; caller?: Principal | null } = {}): Promise<ApiKey[]> {
  const where: Record<string, unknown> = opts.includeRevoked ? {} : { revokedAt: null };
  if (opts.caller?.role === Role.RESELLER) where.reseller = opts.caller.resellerId;
  return em.find(ApiKey, where, { orderBy: { createdAt: 'desc' } });
}

/** Why a presented key was refused (never echoed to callers in detail). */
export type AuthFailure = 'MALFORMED' | 'UNKNOWN' | 'REVOKED' | 'EXPIRED' | 'BAD_TELEGRAM_ID' | 'IP_NOT_ALLOWED';

/** How often last_used_at is written, to avoid one write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The columns of an API key that authentication needs, read as a plain row (no entity). */
export interface KeyRow {
  id: string;
  name: string;
  role: Role;
  scopes: string[];
  reseller_id: string | null;
  secret_hash: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  allowed_cidrs: string[];
}

/**
 * In-process caches of what every request looks up (see {@link ReadCache}): keys by prefix,
 * active admins and customers by Telegram id. An entry is dropped when its row changes (the
 * keyed NOTIFY of Migration20261203190000_cache_notify_keys).
 */
export interface AuthCaches {
  keys: ReadCache<string, KeyRow | null>;
  admins: ReadCache<number, { id: string; role: string } | null>;
  customers: ReadCache<number, TelegramCustomerRow | null>;
}

/** How long a cached key, admin or customer row may be served without a change notification. */
const AUTH_CACHE_TTL_MS = 30_000;

export function createAuthCaches(feed: ChangeFeed | null): AuthCaches {
  return {
    keys: new ReadCache(feed, { tables: ['api_key'], keyOf: (prefix) => prefix }, AUTH_CACHE_TTL_MS),
    admins: new ReadCache(feed, { tables: ['admin'], keyOf: Number }, AUTH_CACHE_TTL_MS),
    customers: new ReadCache(feed, { tables: ['customer'], keyOf: Number }, AUTH_CACHE_TTL_MS),
  };
}

const readKey = async (em: EntityManager, prefix: string): Promise<KeyRow | null> => {
  const rows = await em
    .getConnection()
    .execute<KeyRow[]>(
      'select id, name, role, scopes, reseller_id, secret_hash, expires_at, revoked_at, last_used_at, allowed_cidrs from api_key where prefix = ?',
      [prefix],
    );
  const row = rows[0];
  if (!row) return null;
  // MikroORM's connection hands timestamps over as text.
  const date = (v: Date | string | null) => (v === null ? null : new Date(v));
  return { ...row, expires_at: date(row.expires_at), revoked_at: date(row.revoked_at), last_used_at: date(row.last_used_at) };
};

const readAdmin = async (em: EntityManager, telegramId: number): Promise<{ id: string; role: string } | null> => {
  const rows = await em.getConnection().execute<Array<{ id: string; role: string }>>('select id, role from admin where telegram_id = ? and active', [telegramId]);
  return rows[0] ?? null;
};


/**
 * Resolves `Authorization: Bearer <key>` (+ `X-Telegram-User-Id` for bot keys) to a principal.
 * Returns null with a reason when the key is not valid. With `caches` (the API process), the
 * lookups are served from memory until their table changes.
 */
export async function authenticate(
  em: EntityManager,
  bearer: string,
  telegramHeader: string | undefined,
  now = new Date(),
  caches?: AuthCaches,
  ip: string | null = null,
): Promise<{ principal: Principal } | { failure: AuthFailure }> {
  const m = KEY_RE.exec(bearer);
  if (!m) return { failure: 'MALFORMED' };
  const prefix = m[1]!;
  const key = caches ? await caches.keys.get(prefix, () => readKey(em, prefix)) : await readKey(em, prefix);
  if (!key) return { failure: 'UNKNOWN' };
  const expected = Buffer.from(key.secret_hash, 'hex');
  const actual = Buffer.from(hashKey(bearer), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { failure: 'UNKNOWN' };
  if (key.revoked_at) return { failure: 'REVOKED' };
  if (key.expires_at && key.expires_at <= now) return { failure: 'EXPIRED' };
  if (key.allowed_cidrs.length && !ipAllowed(key.allowed_cidrs, ip)) return { failure: 'IP_NOT_ALLOWED' };

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
    resellerId: key.reseller_id,
    telegramId,
    adminId: null,
    customerId: null,
  };
  if (telegramId !== null && key.role === Role.ADMIN_BOT) {
    const tg = telegramId;
    const admin = caches ? await caches.admins.get(tg, () => readAdmin(em, tg)) : await readAdmin(em, tg);
    if (admin) {
      principal.adminId = admin.id;
      principal.role = admin.role as unknown as Role;
    }
  }
  if (telegramId !== null && key.role === Role.USER_BOT) {
    const tg = telegramId;
    // Only found customers are cached: a registration must be visible to the very next request.
    const customer = caches ? await caches.customers.get(tg, () => readTelegramCustomer(em, tg), (c) => c !== null) : await readTelegramCustomer(em, tg);
    principal.customerId = customer?.id ?? null;
    principal.telegramCustomer = customer;
  }
  if (!key.last_used_at || now.getTime() - key.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    // A plain UPDATE outside the unit of work: bookkeeping, not an audited change. The cached row
    // is updated too, so the next request does not write again.
    key.last_used_at = now;
    await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: now });
  }
  return { principal };
}
