import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { LedgerKind, type LedgerEntry } from '../../entities/ledger-entry.entity';
import { SafeIntScalar } from './scalars';

/** GraphQL types of the wallet domain and their presenters (entities → GraphQL objects): Wallets and their ledger. */

registerEnumType(LedgerKind, { name: 'LedgerKind' });

@ObjectType({ description: 'A wallet movement.' })
export class LedgerEntryType {
  @Field(() => ID) id!: string;
  @Field(() => SafeIntScalar) amount!: number;
  @Field(() => LedgerKind) kind!: LedgerKind;
  @Field(() => SafeIntScalar, { nullable: true }) orderNumber!: number | null;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class WalletType {
  @Field(() => ID) customerId!: string;
  @Field(() => SafeIntScalar, { description: 'Sum of the ledger entries.' }) balance!: number;
  @Field() currency!: string;
  @Field(() => [LedgerEntryType]) entries!: LedgerEntryType[];
}

export function presentLedger(e: LedgerEntry): LedgerEntryType {
  return { id: e.id, amount: e.amount, kind: e.kind, orderNumber: e.order?.number ?? null, note: e.note ?? null, createdAt: e.createdAt };
}
