import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { LedgerEntry, LedgerKind } from '../../src/entities/ledger-entry.entity';
import { Order } from '../../src/entities/order.entity';
import { createOrder } from '../../src/services/order.service';
import { assertInTransaction, TransactionRequiredError } from '../../src/services/transaction';
import { postToWallet } from '../../src/services/wallet.service';
import { buildCustomer, buildPlan } from '../factories/commerce';
import { openTestOrm } from '../helpers/db';

describe('services that need a transaction', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await openTestOrm(3);
  });
  afterAll(async () => {
    await orm.close(true);
  });

  it('refuses to create an order outside a transaction and writes nothing', async () => {
    const customer = await buildCustomer(orm);
    const plan = await buildPlan(orm);
    const em = orm.em.fork();
    const key = randomUUID();
    const attempt = createOrder(em, { provisionMaxAttempts: 3 }, {
      customer: em.merge(customer),
      principal: `test:${customer.id}`,
      actor: 'test',
      idempotencyKey: key,
      order: { kind: 'NEW', planId: plan.id, paymentMethod: 'CARD_TO_CARD' },
    });
    await expect(attempt).rejects.toThrow(TransactionRequiredError);
    await expect(attempt).rejects.toThrow(/must run inside a transaction/);
    expect(await orm.em.fork().count(Order, { idempotencyKey: key })).toBe(0);
  });

  it('refuses a wallet movement outside a transaction, and takes it inside one', async () => {
    const customer = await buildCustomer(orm);
    const em = orm.em.fork();
    await expect(postToWallet(em, { customer: em.merge(customer), amount: 5000, kind: LedgerKind.ADJUSTMENT, actor: 'test' })).rejects.toThrow(TransactionRequiredError);
    expect(await orm.em.fork().count(LedgerEntry, { customer: customer.id })).toBe(0);
    await orm.em.fork().transactional((tx) => postToWallet(tx, { customer: tx.merge(customer), amount: 5000, kind: LedgerKind.ADJUSTMENT, actor: 'test' }));
    expect(await orm.em.fork().count(LedgerEntry, { customer: customer.id })).toBe(1);
  });

  it('knows a nested transaction (savepoint) as inside one', async () => {
    await orm.em.fork().transactional((tx) => tx.transactional(async (inner) => assertInTransaction(inner, 'test')));
    expect(() => assertInTransaction(orm.em.fork(), 'test')).toThrow('test must run inside a transaction');
  });
});
