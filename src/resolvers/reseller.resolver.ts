import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import type { LedgerEntry } from '../entities/ledger-entry.entity';
import { type Reseller, ResellerStatus } from '../entities/reseller.entity';
import { describePrincipal } from '../services/principal';
import { listResellerLedger, resellerBalance, resellerStatement, topUpReseller } from '../services/reseller-balance.service';
import { resellerInScope } from '../services/reseller.policy';
import { createReseller, getResellerOrFail, listResellers, setResellerStatus, updateReseller, type ResellerDeps } from '../services/reseller.service';
import { getSetting } from '../services/setting.service';
import { Auth, scopes } from './auth';
import type { Ctx as Context } from './context';
import { presentOrders } from './order.resolver';
import { presentLedger } from './types/wallet.types';
import { LedgerEntryType } from './types/wallet.types';
import {
  CreateResellerInput,
  LedgerConnection,
  ResellerBalanceType,
  ResellerStatementType,
  ResellerType,
  UpdateResellerInput,
} from './types/reseller.types';

export function presentReseller(r: Reseller): ResellerType {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    discountPercent: r.discountPercent,
    planPrices: Object.entries(r.planPrices).map(([planId, price]) => ({ planId, price })),
    creditLimit: r.creditLimit,
    maxActiveSubscriptions: r.maxActiveSubscriptions,
    allowedPlanIds: r.allowedPlanIds,
    allowedServerGroups: r.allowedServerGroups,
    webhookUrl: r.webhookUrl ?? null,
    webhookSecretSet: !!r.webhookSecretEnc,
    createdAt: r.createdAt,
  };
}

export function resellerDeps(ctx: Context): ResellerDeps {
  return { secrets: ctx.services.secrets, allowPrivateWebhooks: ctx.config.WEBHOOK_ALLOW_PRIVATE_URLS };
}

async function presentEntries(ctx: Context, entries: LedgerEntry[]): Promise<LedgerEntryType[]> {
  await ctx.em.populate(entries, ['order']);
  return entries.map(presentLedger);
}

/** Reseller accounts (ADMIN) and reseller money (ADMIN, or the reseller itself with balance:read). */
@Resolver()
export class ResellerResolver {
  @Query(() => [ResellerType])
  @Auth(Role.ADMIN)
  async resellers(@Ctx() ctx: Context): Promise<ResellerType[]> {
    return (await listResellers(ctx.em)).map(presentReseller);
  }

  @Query(() => ResellerType, { description: 'A reseller (ADMIN: any; a reseller key: its own, the id may be omitted).' })
  @Auth(Role.ADMIN, Role.RESELLER)
  async reseller(@Ctx() ctx: Context, @Arg('id', () => ID, { nullable: true }) id: string | null): Promise<ResellerType> {
    return presentReseller(await resellerInScope(ctx.em, ctx.principal!, id));
  }

  @Mutation(() => ResellerType, { description: 'Creates a reseller account (ACTIVE, balance 0). Give it keys with createApiKey(role: RESELLER).' })
  @Auth(Role.ADMIN)
  async createReseller(@Ctx() ctx: Context, @Arg('input') input: CreateResellerInput): Promise<ResellerType> {
    return presentReseller(await createReseller(ctx.em, resellerDeps(ctx), input));
  }

  @Mutation(() => ResellerType, { description: 'Changes the given fields of a reseller (its price rule applies to orders from now on).' })
  @Auth(Role.ADMIN)
  async updateReseller(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateResellerInput): Promise<ResellerType> {
    return presentReseller(await updateReseller(ctx.em, resellerDeps(ctx), id, input));
  }

  @Mutation(() => ResellerType, { description: 'Suspends a reseller: no new orders or customers; reads and webhooks go on.' })
  @Auth(Role.ADMIN)
  async suspendReseller(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<ResellerType> {
    return presentReseller(await setResellerStatus(ctx.em, id, ResellerStatus.SUSPENDED));
  }

  @Mutation(() => ResellerType, { description: 'Lifts a suspension.' })
  @Auth(Role.ADMIN)
  async reactivateReseller(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<ResellerType> {
    return presentReseller(await setResellerStatus(ctx.em, id, ResellerStatus.ACTIVE));
  }

  @Mutation(() => LedgerEntryType, { description: 'Credits a reseller balance. Repeating the idempotency key returns the first top-up. Audited.' })
  @Auth(Role.ADMIN)
  async topUpReseller(
    @Ctx() ctx: Context,
    @Arg('resellerId', () => ID) resellerId: string,
    @Arg('amount', () => Int) amount: number,
    @Arg('note') note: string,
    @Arg('idempotencyKey') idempotencyKey: string,
  ): Promise<LedgerEntryType> {
    const r = await getResellerOrFail(ctx.em, resellerId);
    return (await presentEntries(ctx, [await topUpReseller(ctx.em, r, { amount, note, idempotencyKey }, describePrincipal(ctx.principal))]))[0];
  }

  @Query(() => ResellerBalanceType, { description: 'Balance (sum of the ledger) and credit (ADMIN names the reseller).' })
  @Auth(Role.ADMIN, Role.RESELLER, scopes('balance:read'))
  async resellerBalance(@Ctx() ctx: Context, @Arg('resellerId', () => ID, { nullable: true }) resellerId: string | null): Promise<ResellerBalanceType> {
    const r = await resellerInScope(ctx.em, ctx.principal!, resellerId);
    const balance = await resellerBalance(ctx.em, r.id);
    return { resellerId: r.id, balance, creditLimit: r.creditLimit, available: balance + r.creditLimit, currency: await getSetting(ctx.em, 'currency') };
  }

  @Query(() => LedgerConnection, { description: 'The append-only ledger of a reseller balance, newest first.' })
  @Auth(Role.ADMIN, Role.RESELLER, scopes('balance:read'))
  async resellerLedger(
    @Ctx() ctx: Context,
    @Arg('resellerId', () => ID, { nullable: true }) resellerId: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<LedgerConnection> {
    const r = await resellerInScope(ctx.em, ctx.principal!, resellerId);
    const page = await listResellerLedger(ctx.em, r.id, { first, after });
    return { nodes: await presentEntries(ctx, page.nodes), pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage } };
  }

  @Query(() => ResellerStatementType, { description: 'Totals, orders and margin against shop prices for [from, to) (at most 366 days).' })
  @Auth(Role.ADMIN, Role.RESELLER, scopes('balance:read'))
  async resellerStatement(
    @Ctx() ctx: Context,
    @Arg('resellerId', () => ID, { nullable: true }) resellerId: string | null,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
  ): Promise<ResellerStatementType> {
    const r = await resellerInScope(ctx.em, ctx.principal!, resellerId);
    const s = await resellerStatement(ctx.em, r.id, from, to);
    return { ...s, orders: await presentOrders(ctx, s.orders) };
  }
}
