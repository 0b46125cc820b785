import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Role } from '../../src/entities/common';
import { Customer } from '../../src/entities/customer.entity';
import { Reseller } from '../../src/entities/reseller.entity';
import { ALL_SCOPES, type ApiKeyScope } from '../../src/services/api-key-scopes';
import { createApiKey } from '../../src/services/api-key.service';
import { topUpReseller } from '../../src/services/reseller-balance.service';

/** A reseller (ACTIVE, unique name), persisted. */
export async function buildReseller(orm: MikroORM, overrides: Partial<Reseller> = {}): Promise<Reseller> {
  const em = orm.em.fork();
  const r = em.create(Reseller, { name: `reseller-${randomUUID().slice(0, 8)}`, ...overrides });
  await em.flush();
  return r;
}

/** A RESELLER key of `resellerId` (all scopes unless given) and its secret. */
export async function buildResellerKey(
  orm: MikroORM,
  resellerId: string,
  opts: { scopes?: ApiKeyScope[]; expiresAt?: Date; allowedCidrs?: string[] } = {},
): Promise<{ id: string; key: string }> {
  const { apiKey, secret } = await createApiKey(
    orm.em.fork(),
    { name: `rk-${randomUUID().slice(0, 6)}`, role: Role.RESELLER, resellerId, scopes: opts.scopes ?? ALL_SCOPES, expiresAt: opts.expiresAt, allowedCidrs: opts.allowedCidrs },
    'test',
  );
  return { id: apiKey.id, key: secret };
}

/** Credits a reseller balance directly. */
export async function creditReseller(orm: MikroORM, resellerId: string, amount: number): Promise<void> {
  await orm.em.fork().transactional(async (em) => {
    const r = await em.findOneOrFail(Reseller, { id: resellerId });
    await topUpReseller(em, r, { amount, note: 'test credit', idempotencyKey: randomUUID() }, 'test');
  });
}

/** A customer of a reseller (no Telegram id; an external reference). */
export async function buildResellerCustomer(orm: MikroORM, resellerId: string): Promise<Customer> {
  const em = orm.em.fork();
  const c = em.create(Customer, { reseller: resellerId, externalRef: `ext-${randomUUID().slice(0, 8)}` });
  await em.flush();
  return c;
}
