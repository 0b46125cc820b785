import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Admin } from '../entities/admin.entity';
import type { Broadcast } from '../entities/broadcast.entity';
import { BroadcastAudience } from '../entities/broadcast.entity';
import { Role } from '../entities/common';
import { Language } from '../entities/customer.entity';
import { customerInScope } from '../services/access.policy';
import { countAudience, createBroadcast, getBroadcast, listBroadcasts } from '../services/broadcast.service';
import { grantPlan, messageCustomer } from '../services/customer-care.service';
import { describePrincipal, idempotencyPrincipal } from '../services/principal';
import { Auth } from './auth';
import type { Ctx as Context } from './context';
import { presentOrders } from './order.resolver';
import { BroadcastType } from './types/backoffice.types';
import { OrderType } from './types/order.types';
import { AdminType } from './types/system.types';

function presentBroadcast(b: Broadcast): BroadcastType {
  return {
    id: b.id,
    audience: b.audience,
    status: b.status,
    html: b.html,
    hasPhoto: !!b.photoMimeType,
    total: b.total,
    sent: b.sent,
    blocked: b.blocked,
    failed: b.failed,
    createdAt: b.createdAt,
    finishedAt: b.finishedAt ?? null,
  };
}

/** The admin person the admin bot acts for; null for an API key used directly (GraphiQL). */
async function currentAdmin(ctx: Context): Promise<Admin | null> {
  const id = ctx.principal?.adminId;
  return id ? ctx.em.findOne(Admin, { id }) : null;
}

function presentAdmin(a: Admin): AdminType {
  return { id: a.id, telegramId: a.telegramId, displayName: a.displayName ?? null, role: a.role, active: a.active, createdAt: a.createdAt, language: a.language };
}

/** What the admin bot does beyond the catalogue: grants, messages to customers, broadcasts, the admin's own language. */
@Resolver()
export class BackofficeResolver {
  @Query(() => AdminType, {
    nullable: true,
    description: 'The admin the admin bot acts for (X-Telegram-User-Id), with role and language; null for an API key used directly.',
  })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async myAdmin(@Ctx() ctx: Context): Promise<AdminType | null> {
    const a = await currentAdmin(ctx);
    return a ? presentAdmin(a) : null;
  }

  @Mutation(() => AdminType, {
    nullable: true,
    description: "Sets the language of the admin bot and of this admin's notifications; null (nothing stored) for an API key used directly.",
  })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async setMyAdminLanguage(@Ctx() ctx: Context, @Arg('language', () => Language) language: Language): Promise<AdminType | null> {
    const a = await currentAdmin(ctx);
    if (!a) return null;
    a.language = language;
    await ctx.em.flush();
    return presentAdmin(a);
  }

  @Mutation(() => OrderType, {
    description:
      'Gives a customer a plan for free: a NEW order paid FREE, provisioned like a sale (the customer receives the config). ' +
      'Repeating the idempotency key returns the first order. Trial plans are not granted.',
  })
  @Auth(Role.ADMIN)
  async grantPlan(
    @Ctx() ctx: Context,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('planId', () => ID) planId: string,
    @Arg('idempotencyKey', { description: '8–200 characters, unique per grant (e.g. a UUID).' }) idempotencyKey: string,
  ): Promise<OrderType> {
    const customer = await customerInScope(ctx.em, ctx.principal!, customerId);
    const order = await grantPlan(ctx.em, { provisionMaxAttempts: ctx.config.PROVISION_MAX_ATTEMPTS }, {
      customer,
      planId,
      principal: idempotencyPrincipal(ctx.principal!),
      actor: describePrincipal(ctx.principal),
      idempotencyKey,
    });
    return (await presentOrders(ctx, [order]))[0];
  }

  @Mutation(() => Boolean, { description: 'Sends a customer a message through the shop bot (plain text, up to 3500 characters).' })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async messageCustomer(@Ctx() ctx: Context, @Arg('customerId', () => ID) customerId: string, @Arg('text') text: string): Promise<boolean> {
    await messageCustomer(ctx.em, await customerInScope(ctx.em, ctx.principal!, customerId), text);
    return true;
  }

  @Query(() => Int, { description: 'How many customers a broadcast to this audience would reach now.' })
  @Auth(Role.ADMIN)
  async broadcastAudienceSize(@Ctx() ctx: Context, @Arg('audience', () => BroadcastAudience) audience: BroadcastAudience): Promise<number> {
    return countAudience(ctx.em, audience);
  }

  @Mutation(() => BroadcastType, {
    description:
      'Queues a broadcast through the shop bot (plain text, optionally under a base64 JPEG/PNG/WebP photo of at most 700 KB). The worker sends about 25 messages a second, ' +
      'waits out rate limits, marks customers who blocked the bot, and edits a progress message in the calling admin’s chat; the final report says sent, blocked and failed.',
  })
  @Auth(Role.ADMIN)
  async createBroadcast(
    @Ctx() ctx: Context,
    @Arg('text') text: string,
    @Arg('audience', () => BroadcastAudience) audience: BroadcastAudience,
    @Arg('photoBase64', () => String, { nullable: true }) photoBase64: string | null,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
  ): Promise<BroadcastType> {
    const admin = await currentAdmin(ctx);
    return presentBroadcast(await createBroadcast(ctx.em, { text, audience, photoBase64, idempotencyKey }, admin?.telegramId ?? null));
  }

  @Query(() => BroadcastType, { nullable: true })
  @Auth(Role.ADMIN)
  async broadcast(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<BroadcastType | null> {
    const b = await getBroadcast(ctx.em, id);
    return b ? presentBroadcast(b) : null;
  }

  @Query(() => [BroadcastType], { description: 'The latest broadcasts, newest first.' })
  @Auth(Role.ADMIN)
  async broadcasts(@Ctx() ctx: Context): Promise<BroadcastType[]> {
    return (await listBroadcasts(ctx.em)).map(presentBroadcast);
  }
}
