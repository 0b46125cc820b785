import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Inbound } from '../entities/inbound.entity';
import { Role } from '../entities/common';
import type { Server } from '../entities/server.entity';
import {
  addServer,
  deleteServer,
  listServers,
  setServerActive,
  syncInbounds,
  testServer,
  updateServer,
} from '../services/server.service';
import { Auth } from './auth';
import type { Ctx as Context } from './context';
import { AddServerInput, InboundType, ServerTestResultType, ServerType, UpdateServerInput } from './types/server.types';

/** Presents a server with its load; credentials never leave the service layer. */
export function presentServer(server: Server, activeSubscriptions: number): ServerType {
  return {
    id: server.id,
    name: server.name,
    kind: server.kind,
    baseUrl: server.baseUrl,
    serverGroup: server.serverGroup,
    capacity: server.capacity,
    activeSubscriptions,
    load: server.capacity > 0 ? activeSubscriptions / server.capacity : 1,
    status: server.status,
    active: server.active,
    tlsVerify: server.tlsVerify,
    detectedVersion: server.detectedVersion ?? null,
    versionProfile: server.versionProfile ?? null,
    lastCheckedAt: server.lastCheckedAt ?? null,
    lastError: server.lastError ?? null,
    createdAt: server.createdAt,
  };
}

function presentInbound(i: Inbound): InboundType {
  return { id: i.id, remoteId: i.remoteId, tag: i.tag, protocol: i.protocol, port: i.port, remark: i.remark, enabled: i.enabled, syncedAt: i.syncedAt };
}

async function presentOne(ctx: Context, id: string): Promise<ServerType> {
  const [row] = await listServers(ctx.em, [id]);
  return presentServer(row.server, row.activeSubscriptions);
}

/** Panel servers (ADMIN only). */
@Resolver(() => ServerType)
export class ServerResolver {
  @Query(() => [ServerType])
  @Auth(Role.ADMIN)
  async servers(@Ctx() ctx: Context): Promise<ServerType[]> {
    return (await listServers(ctx.em)).map((r) => presentServer(r.server, r.activeSubscriptions));
  }

  @Query(() => ServerType, { nullable: true })
  @Auth(Role.ADMIN)
  async server(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<ServerType | null> {
    const [row] = await listServers(ctx.em, [id]);
    return row ? presentServer(row.server, row.activeSubscriptions) : null;
  }

  @FieldResolver(() => [InboundType])
  async inbounds(@Root() server: ServerType, @Ctx() ctx: Context): Promise<InboundType[]> {
    return (await ctx.loaders.inboundsByServer.load(server.id)).map(presentInbound);
  }

  @Mutation(() => ServerType, { description: 'Adds a panel after a connection test; its inbounds are synced.' })
  @Auth(Role.ADMIN)
  async addServer(@Ctx() ctx: Context, @Arg('input') input: AddServerInput): Promise<ServerType> {
    const server = await addServer(ctx.em, ctx.services, input);
    return presentServer(server, 0);
  }

  @Mutation(() => ServerType)
  @Auth(Role.ADMIN)
  async updateServer(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateServerInput): Promise<ServerType> {
    await updateServer(ctx.em, ctx.services, id, input);
    return presentOne(ctx, id);
  }

  @Mutation(() => ID, {
    description: 'Deletes a server that never had a subscription (added by mistake, wrong panel); returns its id. One that has or had subscriptions is refused with SERVER_IN_USE: deactivate it instead.',
  })
  @Auth(Role.ADMIN)
  async deleteServer(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<string> {
    await deleteServer(ctx.em, ctx.services.panels, id);
    return id;
  }

  @Mutation(() => ServerType, { description: 'An inactive server gets no new subscriptions; existing ones keep working.' })
  @Auth(Role.ADMIN)
  async setServerActive(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('active') active: boolean): Promise<ServerType> {
    await setServerActive(ctx.em, id, active);
    return presentOne(ctx, id);
  }

  @Mutation(() => ServerTestResultType, { description: 'Reachability, login, version and inbounds of a saved server.' })
  @Auth(Role.ADMIN)
  async testServer(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<ServerTestResultType> {
    return testServer(ctx.em, ctx.services.panels, id);
  }

  @Mutation(() => [InboundType], { description: "Reads the panel's inbounds into our table." })
  @Auth(Role.ADMIN)
  async syncInbounds(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<InboundType[]> {
    return (await syncInbounds(ctx.em, ctx.services.panels, id)).map(presentInbound);
  }
}
