import { pageSize } from '../services/pagination';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Customer } from '../entities/customer.entity';
import { presentCustomer } from './types/customer.types';
import { CustomerType } from './types/customer.types';
import type { Admin } from '../entities/admin.entity';
import type { ApiKey } from '../entities/api-key.entity';
import { Role } from '../entities/common';
import { addAdmin, listAdmins, updateAdmin } from '../services/admin.service';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/api-key.service';
import { listAuditLogs } from '../services/audit.service';
import { describePrincipal } from '../services/principal';
import { listSettings, updateSetting } from '../services/setting.service';
import { GraphQLJSON } from 'graphql-scalars';
import { ANY_ROLE, Auth } from './auth';
import type { Ctx as Context } from './context';
import {
  AddAdminInput,
  AdminType,
  ApiKeyType,
  AuditLogConnection,
  AuditLogFilter,
  CreateApiKeyInput,
  CreatedApiKey,
  MAX_PAGE,
  Me,
  SettingType,
  UpdateAdminInput,
} from './types/system.types';

function presentKey(k: ApiKey): ApiKeyType {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    scopes: k.scopes,
    prefix: k.prefix,
    resellerId: k.reseller?.id ?? null,
    expiresAt: k.expiresAt ?? null,
    revokedAt: k.revokedAt ?? null,
    lastUsedAt: k.lastUsedAt ?? null,
    allowedCidrs: k.allowedCidrs,
    createdBy: k.createdBy,
    createdAt: k.createdAt,
  };
}

function presentAdmin(a: Admin): AdminType {
  return { id: a.id, telegramId: a.telegramId, displayName: a.displayName ?? null, role: a.role, active: a.active, createdAt: a.createdAt, language: a.language };
}

/** Identity, API keys, admins, settings and the audit log. */
@Resolver(() => Me)
export class SystemResolver {
  @FieldResolver(() => CustomerType, { nullable: true, description: 'The customer a user bot acts for (null until registered).' })
  async customer(@Root() me: Me, @Ctx() { em }: Context): Promise<CustomerType | null> {
    if (!me.customerId) return null;
    const c = await em.findOne(Customer, { id: me.customerId });
    return c ? presentCustomer(c) : null;
  }

  @Query(() => Me, { description: 'Who am I: role, scopes and the Telegram user a bot acts for.' })
  @Auth(...ANY_ROLE)
  me(@Ctx() { principal }: Context): Me {
    const p = principal!;
    return {
      role: p.role,
      keyRole: p.keyRole,
      apiKeyId: p.apiKeyId,
      keyName: p.keyName,
      scopes: p.scopes,
      telegramId: p.telegramId,
      adminId: p.adminId,
      customerId: p.customerId,
      resellerId: p.resellerId,
    };
  }

  @Query(() => [ApiKeyType], { description: "API keys (a reseller sees its own reseller's keys)." })
  @Auth(Role.ADMIN, Role.RESELLER)
  async apiKeys(
    @Ctx() { em, principal }: Context,
    @Arg('includeRevoked', () => Boolean, { defaultValue: false }) includeRevoked: boolean,
  ): Promise<ApiKeyType[]> {
    return (await listApiKeys(em, { includeRevoked, caller: principal })).map(presentKey);
  }

  @Mutation(() => CreatedApiKey, {
    description: 'Creates an API key; the key is returned only here. A reseller key creates RESELLER keys of its own reseller with at most its own scopes.',
  })
  @Auth(Role.ADMIN, Role.RESELLER)
  async createApiKey(@Ctx() { em, principal }: Context, @Arg('input') input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const { apiKey, secret } = await createApiKey(em, input, describePrincipal(principal), principal);
    return { apiKey: presentKey(apiKey), key: secret };
  }

  @Mutation(() => ApiKeyType, { description: "Revokes a key at once. A reseller key revokes only its reseller's keys whose scopes it has." })
  @Auth(Role.ADMIN, Role.RESELLER)
  async revokeApiKey(@Ctx() { em, principal }: Context, @Arg('id', () => ID) id: string): Promise<ApiKeyType> {
    return presentKey(await revokeApiKey(em, id, principal));
  }

  @Query(() => [AdminType])
  @Auth(Role.ADMIN)
  async admins(@Ctx() { em }: Context): Promise<AdminType[]> {
    return (await listAdmins(em)).map(presentAdmin);
  }

  @Mutation(() => AdminType)
  @Auth(Role.ADMIN)
  async addAdmin(@Ctx() { em }: Context, @Arg('input') input: AddAdminInput): Promise<AdminType> {
    return presentAdmin(await addAdmin(em, input));
  }

  @Mutation(() => AdminType)
  @Auth(Role.ADMIN)
  async updateAdmin(
    @Ctx() { em }: Context,
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateAdminInput,
  ): Promise<AdminType> {
    return presentAdmin(await updateAdmin(em, id, input));
  }

  @Query(() => [SettingType])
  @Auth(Role.ADMIN)
  async settings(@Ctx() { em }: Context): Promise<SettingType[]> {
    return listSettings(em);
  }

  @Mutation(() => SettingType)
  @Auth(Role.ADMIN)
  async updateSetting(
    @Ctx() { em }: Context,
    @Arg('key') key: string,
    @Arg('value', () => GraphQLJSON, { nullable: true }) value: unknown,
  ): Promise<SettingType> {
    await updateSetting(em, key, value);
    return (await listSettings(em)).find((s) => s.key === key)!;
  }

  @Query(() => AuditLogConnection, { description: 'The audit log, newest first.' })
  @Auth(Role.ADMIN)
  async auditLogs(
    @Ctx() { em }: Context,
    @Arg('filter', () => AuditLogFilter, { nullable: true }) filter: AuditLogFilter | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<AuditLogConnection> {
    const page = await listAuditLogs(em, filter ?? {}, pageSize(first, MAX_PAGE), after);
    return {
      nodes: page.nodes.map((n) => ({ ...n, diff: n.diff ?? null })) as AuditLogConnection['nodes'],
      pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage },
    };
  }
}
