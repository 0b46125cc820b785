import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Customer } from '../entities/customer.entity';
import { LedgerEntry, LedgerKind } from '../entities/ledger-entry.entity';
import type { Order } from '../entities/order.entity';
import { AppError } from '../errors';
import { lockForTransaction } from './transaction';

/** The wallet balance: the sum of its ledger entries (never stored). */
export async function walletBalance(em: EntityManager, customerId: string): Promise<number> {
  const [row] = await em.execute<Array<{ b: string | null }>>(`select coalesce(sum(amount), 0)::bigint as b from ledger_entry where customer_id = ?`, [customerId]);
  return Number(row.b ?? 0);
}

/** Serialises money movements of one wallet until the transaction ends (no overdraw by racing debits). */
async function lockWallet(em: EntityManager, customerId: string): Promise<void> {
  await lockForTransaction(em, `wallet:${customerId}`);
}

type WalletPosting = { customer: Customer; amount: number; kind: LedgerKind; order?: Order | null; actor: string; note?: string | null };

/** Appends one ledger entry to a customer wallet; a debit beyond the balance is refused. */
export async function postToWallet(em: EntityManager, input: WalletPosting): Promise<LedgerEntry> {
  const entry = em.create(LedgerEntry, await checkedPosting(em, input));
  await em.flush();
  return entry;
}

/**
 * A credit to a wallet for a one-statement write (src/services/write-batch.ts): the wallet is locked
 * now, the entry is returned unsaved for the caller's batch to insert.
 */
export async function walletCredit(em: EntityManager, input: WalletPosting): Promise<LedgerEntry> {
  if (input.amount < 0) throw new AppError('BAD_USER_INPUT', 'A credit is positive.');
  return em.create(LedgerEntry, await checkedPosting(em, input), { persist: false });
}

/** Locks the wallet and checks the posting (a debit beyond the balance is refused); the entry's data. */
async function checkedPosting(em: EntityManager, input: WalletPosting) {
  if (!Number.isSafeInteger(input.amount) || input.amount === 0) throw new AppError('BAD_USER_INPUT', 'Amount must be a non-zero integer.');
  await lockWallet(em, input.customer.id);
  if (input.amount < 0) {
    const balance = await walletBalance(em, input.customer.id);
    if (balance + input.amount < 0) throw new AppError('INSUFFICIENT_BALANCE', undefined, { balance, needed: -input.amount });
  }
  return {
    customer: input.customer,
    amount: input.amount,
    kind: input.kind,
    order: input.order ?? null,
    attempt: input.order?.attempt ?? 1,
    actor: input.actor,
    note: input.note ?? null,
  };
}

export const adjustWalletInput = z.object({
  amount: z.number().int().refine((n) => n !== 0, 'must not be zero').refine((n) => Math.abs(n) <= 1_000_000_000, 'too large'),
  reason: z.string().trim().min(3).max(500),
  /** Repeating a key returns the first adjustment instead of posting again. */
  idempotencyKey: z.string().trim().min(8).max(200).nullish(),
});

/** Admin correction of a wallet (credit or debit), with a reason kept in the ledger; idempotent per key. */
export async function adjustWallet(em: EntityManager, customer: Customer, input: z.input<typeof adjustWalletInput>, actor: string): Promise<LedgerEntry> {
  const data = adjustWalletInput.parse(input);
  if (data.idempotencyKey) {
    await lockWallet(em, customer.id);
    const first = await em.findOne(LedgerEntry, { customer, idempotencyKey: data.idempotencyKey });
    if (first) {
      if (first.amount !== data.amount) throw new AppError('IDEMPOTENCY_KEY_REUSED');
      return first;
    }
  }
  const entry = await postToWallet(em, { customer, amount: data.amount, kind: LedgerKind.ADJUSTMENT, actor, note: data.reason });
  if (data.idempotencyKey) {
    entry.idempotencyKey = data.idempotencyKey;
    await em.flush();
  }
  return entry;
}

/** A wallet's entries, newest first. */
export async function walletEntries(em: EntityManager, customerId: string, limit = 50): Promise<LedgerEntry[]> {
  return em.find(LedgerEntry, { customer: customerId }, { orderBy: { createdAt: 'desc' }, limit, populate: ['order'] });
}
