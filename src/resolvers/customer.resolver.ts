import { pageSize } from '../services/pagination';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import { Language } from '../entities/customer.entity';
import { customerInScope } from '../services/access.policy';
import { registerTelegramUser, searchCustomers, setCustomerBanned, setCustomerLanguage } from '../services/customer.service';
import { describePrincipal } from '../services/principal';
import { getSetting } from '../services/setting.service';
import { adjustWallet, walletBalance, walletEntries } from '../services/wallet.service';
import { Auth } from './auth';
import type { Ctx as Context } from './context';
import { presentCustomer } from './types/customer.types';
import { presentLedger } from './types/wallet.types';
import { CustomerType, RegisterTelegramUserInput } from './types/customer.types';
import { WalletType } from './types/wallet.types';

/** Customers and their wallets. */
@Resolver()
export class CustomerResolver {
  @Mutation(() => CustomerType, { description: 'Idempotent sign-up of the Telegram user the user bot acts for (X-Telegram-User-Id).' })
  @Auth(Role.USER_BOT)
  async registerTelegramUser(@Ctx() ctx: Context, @Arg('input', () => RegisterTelegramUserInput, { nullable: true }) input: RegisterTelegramUserInput | null): Promise<CustomerType> {
    return presentCustomer(await registerTelegramUser(ctx.em, ctx.principal!, input ?? {}));
  }

  @Query(() => CustomerType, { description: 'The customer the user bot acts for.' })
  @Auth(Role.USER_BOT)
  async myCustomer(@Ctx() ctx: Context): Promise<CustomerType> {
    return presentCustomer(await customerInScope(ctx.em, ctx.principal!));
  }

  @Mutation(() => CustomerType)
  @Auth(Role.USER_BOT)
  async setMyLanguage(@Ctx() ctx: Context, @Arg('language', () => Language) language: Language): Promise<CustomerType> {
    return presentCustomer(await setCustomerLanguage(ctx.em, await customerInScope(ctx.em, ctx.principal!), language));
  }

  @Query(() => [CustomerType], { description: 'Find customers by Telegram id, @username (prefix) or order number.' })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async customers(@Ctx() ctx: Context, @Arg('query') query: string, @Arg('first', () => Int, { defaultValue: 20 }) first: number): Promise<CustomerType[]> {
    return (await searchCustomers(ctx.em, query, pageSize(first, 100))).map(presentCustomer);
  }

  @Query(() => CustomerType, { nullable: true })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async customer(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<CustomerType | null> {
    return presentCustomer(await customerInScope(ctx.em, ctx.principal!, id));
  }

  @Mutation(() => CustomerType, { description: 'A banned customer cannot order or take a trial.' })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async banCustomer(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<CustomerType> {
    return presentCustomer(await setCustomerBanned(ctx.em, id, true));
  }

  @Mutation(() => CustomerType)
  @Auth(Role.ADMIN, Role.SUPPORT)
  async unbanCustomer(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<CustomerType> {
    return presentCustomer(await setCustomerBanned(ctx.em, id, false));
  }

  @Query(() => WalletType, { description: "The caller's wallet (user bot), or a customer's (staff)." })
  @Auth(Role.USER_BOT, Role.ADMIN, Role.SUPPORT)
  async wallet(@Ctx() ctx: Context, @Arg('customerId', () => ID, { nullable: true }) customerId: string | null): Promise<WalletType> {
    const customer = await customerInScope(ctx.em, ctx.principal!, customerId);
    return {
      customerId: customer.id,
      balance: await walletBalance(ctx.em, customer.id),
      currency: await getSetting(ctx.em, 'currency'),
      entries: (await walletEntries(ctx.em, customer.id)).map(presentLedger),
    };
  }

  @Mutation(() => WalletType, { description: 'Credits (positive) or debits (negative) a wallet, with a reason kept in the ledger.' })
  @Auth(Role.ADMIN)
  async adjustWallet(
    @Ctx() ctx: Context,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('amount', () => Int) amount: number,
    @Arg('reason') reason: string,
    @Arg('idempotencyKey', () => String, { nullable: true, description: 'Repeating a key returns the first adjustment instead of posting it again.' })
    idempotencyKey: string | null,
  ): Promise<WalletType> {
    const customer = await customerInScope(ctx.em, ctx.principal!, customerId);
    await adjustWallet(ctx.em, customer, { amount, reason, idempotencyKey }, describePrincipal(ctx.principal));
    return this.wallet(ctx, customer.id);
  }
}
