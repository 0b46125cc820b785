import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import type { WebhookDelivery } from '../entities/webhook-delivery.entity';
import { listWebhookDeliveries, redeliverWebhook } from '../services/reseller-customer.service';
import { deliveryInScope, resellerInScope } from '../services/reseller.policy';
import { setResellerWebhook } from '../services/reseller.service';
import { Auth, scopes } from './auth';
import type { Ctx as Context } from './context';
import { presentReseller, resellerDeps } from './reseller.resolver';
import { ResellerType, WebhookDeliveryConnection, WebhookDeliveryType } from './types/reseller.types';

function presentDelivery(d: WebhookDelivery): WebhookDeliveryType {
  return {
    id: d.id,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode ?? null,
    lastError: d.lastError ?? null,
    lastAttemptAt: d.lastAttemptAt ?? null,
    deliveredAt: d.deliveredAt ?? null,
    createdAt: d.createdAt,
  };
}

/** Reseller webhooks: the receiver, the delivery log and redelivery. */
@Resolver()
export class WebhookResolver {
  @Mutation(() => ResellerType, {
    description: 'Sets the webhook receiver (http(s), public address) and optionally a new signing secret; an empty url turns webhooks off.',
  })
  @Auth(Role.ADMIN, Role.RESELLER, scopes('webhooks:manage'))
  async setResellerWebhook(
    @Ctx() ctx: Context,
    @Arg('resellerId', () => ID, { nullable: true }) resellerId: string | null,
    @Arg('url', () => String) url: string,
    @Arg('secret', () => String, { nullable: true, description: '16–200 characters; required the first time.' }) secret: string | null,
  ): Promise<ResellerType> {
    const r = await resellerInScope(ctx.em, ctx.principal!, resellerId);
    return presentReseller(await setResellerWebhook(ctx.em, resellerDeps(ctx), r, { url, secret }));
  }

  @Query(() => WebhookDeliveryConnection, { description: 'Webhook events and their delivery log, newest first.' })
  @Auth(Role.ADMIN, Role.RESELLER, scopes('webhooks:manage'))
  async webhookDeliveries(
    @Ctx() ctx: Context,
    @Arg('resellerId', () => ID, { nullable: true }) resellerId: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<WebhookDeliveryConnection> {
    const r = await resellerInScope(ctx.em, ctx.principal!, resellerId);
    const page = await listWebhookDeliveries(ctx.em, r, { first, after });
    return { nodes: page.nodes.map(presentDelivery), pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage } };
  }

  @Mutation(() => WebhookDeliveryType, { description: 'Sends an event again (same id and body, new timestamp and signature).' })
  @Auth(Role.ADMIN, Role.RESELLER, scopes('webhooks:manage'))
  async redeliverWebhook(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<WebhookDeliveryType> {
    return presentDelivery(await redeliverWebhook(ctx.em, await deliveryInScope(ctx.em, ctx.principal!, id)));
  }
}
