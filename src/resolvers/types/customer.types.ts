import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { CustomerStatus, Language, type Customer } from '../../entities/customer.entity';
import { SafeIntScalar } from './scalars';

/** GraphQL types of the customer domain and their presenters (entities → GraphQL objects): Customers: end users. */

registerEnumType(Language, { name: 'Language' });

registerEnumType(CustomerStatus, { name: 'CustomerStatus' });

@ObjectType({ description: 'An end user.' })
export class CustomerType {
  @Field(() => ID) id!: string;
  @Field(() => SafeIntScalar, { nullable: true }) telegramId!: number | null;
  @Field(() => String, { nullable: true }) username!: string | null;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => Language) language!: Language;
  @Field(() => CustomerStatus) status!: CustomerStatus;
  @Field(() => Date, { nullable: true }) trialUsedAt!: Date | null;
  @Field({ description: 'Share as /start <code>.' }) referralCode!: string;
  @Field(() => String, { nullable: true, description: "A reseller's own reference for its customer." }) externalRef!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@InputType()
export class RegisterTelegramUserInput {
  @Field(() => String, { nullable: true }) username?: string;
  @Field(() => String, { nullable: true }) displayName?: string;
  @Field(() => Language, { nullable: true }) language?: Language;
  @Field(() => String, { nullable: true, description: 'The /start payload (a referral code).' }) referralCode?: string;
}

export function presentCustomer(
  c: Pick<Customer, 'id' | 'telegramId' | 'username' | 'displayName' | 'language' | 'status' | 'trialUsedAt' | 'referralCode' | 'externalRef' | 'createdAt'>,
): CustomerType {
  return {
    id: c.id,
    telegramId: c.telegramId ?? null,
    username: c.username ?? null,
    displayName: c.displayName ?? null,
    language: c.language,
    status: c.status,
    trialUsedAt: c.trialUsedAt ?? null,
    referralCode: c.referralCode,
    externalRef: c.externalRef ?? null,
    createdAt: c.createdAt,
  };
}
