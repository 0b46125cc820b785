import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Language } from '../../entities/customer.entity';
import { GraphQLJSON } from 'graphql-scalars';
import { AdminRole, Role } from '../../entities/common';
import { SafeIntScalar } from './scalars';

registerEnumType(AdminRole, { name: 'AdminRole', description: 'Role of a person in the admin bot.' });

@ObjectType({ description: 'Who the caller is.' })
export class Me {
  @Field(() => Role, { description: 'The effective role that authorizes operations.' })
  role!: Role;

  @Field(() => Role, { description: 'The role of the API key itself.' })
  keyRole!: Role;

  @Field(() => ID)
  apiKeyId!: string;

  @Field()
  keyName!: string;

  @Field(() => [String])
  scopes!: string[];

  @Field(() => SafeIntScalar, { nullable: true, description: 'The Telegram user a bot key acts for.' })
  telegramId!: number | null;

  @Field(() => ID, { nullable: true })
  adminId!: string | null;

  @Field(() => ID, { nullable: true })
  customerId!: string | null;

  @Field(() => ID, { nullable: true })
  resellerId!: string | null;
}

@ObjectType({ description: 'An API key (its secret is never shown again after creation).' })
export class ApiKeyType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => [String])
  scopes!: string[];

  @Field({ description: 'The visible part of the key: keys look like vpk_<prefix>_<secret>.' })
  prefix!: string;

  @Field(() => ID, { nullable: true })
  resellerId!: string | null;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Last use (recorded at most once a minute).' })
  lastUsedAt!: Date | null;

  @Field(() => [String], { description: 'CIDR blocks the key may be used from; empty = anywhere.' })
  allowedCidrs!: string[];

  @Field()
  createdBy!: string;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field({ description: 'The key to send as `Authorization: Bearer <key>`. Shown only once.' })
  key!: string;
}

@InputType()
export class CreateApiKeyInput {
  @Field()
  name!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => [String], {
    nullable: true,
    description: 'RESELLER keys only: scopes from the catalogue (customers:read, customers:write, orders:read, orders:write, subscriptions:read, subscriptions:write, balance:read, webhooks:manage). A key never grants more than its creator has.',
  })
  scopes?: string[];

  @Field(() => ID, { nullable: true, description: 'Required for RESELLER keys created by ADMIN; a reseller key creates keys of its own reseller.' })
  resellerId?: string;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date;

  @Field(() => [String], { nullable: true, description: 'CIDR blocks (IPv4/IPv6) the key may be used from; empty = anywhere.' })
  allowedCidrs?: string[];
}

@ObjectType({ description: 'A person who runs the shop through the admin bot.' })
export class AdminType {
  @Field(() => ID)
  id!: string;

  @Field(() => SafeIntScalar)
  telegramId!: number;

  @Field(() => String, { nullable: true })
  displayName!: string | null;

  @Field(() => AdminRole)
  role!: AdminRole;

  @Field(() => Language, { description: 'Language of the admin bot and of this admin’s notifications.' })
  language!: Language;

  @Field()
  active!: boolean;

  @Field(() => Date)
  createdAt!: Date;
}

@InputType()
export class AddAdminInput {
  @Field(() => SafeIntScalar)
  telegramId!: number;

  @Field(() => AdminRole)
  role!: AdminRole;

  @Field(() => String, { nullable: true })
  displayName?: string;
}

@InputType()
export class UpdateAdminInput {
  @Field(() => AdminRole, { nullable: true })
  role?: AdminRole;

  @Field(() => Boolean, { nullable: true })
  active?: boolean;

  @Field(() => String, { nullable: true })
  displayName?: string;
}

@ObjectType({ description: 'A runtime setting.' })
export class SettingType {
  @Field()
  key!: string;

  @Field(() => GraphQLJSON, { nullable: true })
  value!: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  defaultValue!: unknown;

  @Field()
  description!: string;

  @Field(() => Date, { nullable: true })
  updatedAt!: Date | null;
}

@ObjectType({ description: 'One audited change.' })
export class AuditLogEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  at!: Date;

  @Field({ description: 'API_KEY, ADMIN, CUSTOMER or SYSTEM.' })
  actorType!: string;

  @Field(() => ID, { nullable: true })
  apiKeyId!: string | null;

  @Field(() => String, { nullable: true })
  role!: string | null;

  @Field(() => ID, { nullable: true })
  adminId!: string | null;

  @Field(() => ID, { nullable: true })
  customerId!: string | null;

  @Field(() => SafeIntScalar, { nullable: true })
  telegramId!: number | null;

  @Field({ description: 'Mutation or job name.' })
  action!: string;

  @Field({ description: 'create, update, delete, or call.' })
  operation!: string;

  @Field(() => String, { nullable: true })
  resourceType!: string | null;

  @Field(() => String, { nullable: true })
  resourceId!: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: '{ before, after } of the changed fields; secrets redacted.' })
  diff!: unknown;

  @Field(() => String, { nullable: true })
  correlationId!: string | null;

  @Field(() => String, { nullable: true })
  ip!: string | null;
}

@InputType()
export class AuditLogFilter {
  @Field(() => String, { nullable: true })
  action?: string;

  @Field(() => String, { nullable: true })
  resourceType?: string;

  @Field(() => String, { nullable: true })
  resourceId?: string;

  @Field(() => ID, { nullable: true })
  apiKeyId?: string;

  @Field(() => ID, { nullable: true })
  adminId?: string;

  @Field(() => ID, { nullable: true })
  customerId?: string;

  @Field(() => Date, { nullable: true })
  from?: Date;

  @Field(() => Date, { nullable: true })
  to?: Date;
}

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;
}

@ObjectType()
export class AuditLogConnection {
  @Field(() => [AuditLogEntry])
  nodes!: AuditLogEntry[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

/** Max page size of every list. */
export const MAX_PAGE = 200;
