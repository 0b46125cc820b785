import {
  DirectiveLocation,
  GraphQLDirective,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  type GraphQLEnumType,
} from 'graphql';
import { type AuthChecker, Authorized, Directive, registerEnumType } from 'type-graphql';
import { Role } from '../entities/common';
import { AppError } from '../errors';
import type { ApiKeyScope } from '../services/api-key-scopes';
import type { Ctx } from './context';

registerEnumType(Role, { name: 'Role', description: 'Effective role of the caller.' });

/** Every role: for fields any authenticated caller may use. */
export const ANY_ROLE = [Role.ADMIN, Role.SUPPORT, Role.RESELLER, Role.USER_BOT, Role.ADMIN_BOT];

/** Scopes a RESELLER key needs for a field, given as the last argument of `Auth(...)`. */
export interface ScopeRequirement {
  scopes: ApiKeyScope[];
}

/** `Auth(Role.RESELLER, scopes('orders:write'))`: the scopes a RESELLER key needs for the field. */
export function scopes(...list: ApiKeyScope[]): ScopeRequirement {
  return { scopes: list };
}

const SCOPE_PREFIX = 'scope:';

/**
 * Declares who may use a field, once: the same roles (and, for RESELLER keys, scopes) become the
 * `@auth(roles: [...], scopes: [...])` directive in the published schema and the rule the server
 * enforces (type-graphql `@Authorized`).
 */
export function Auth(...args: Array<Role | ScopeRequirement>): MethodDecorator & PropertyDecorator {
  const roles = args.filter((a): a is Role => typeof a === 'string');
  const needed = args.flatMap((a) => (typeof a === 'string' ? [] : a.scopes));
  if (roles.length === 0) throw new Error('Auth() needs at least one role; use Public() for public fields');
  if (needed.length && !roles.includes(Role.RESELLER)) throw new Error('scopes only apply to fields RESELLER keys may use');
  const scopeArg = needed.length ? `, scopes: [${needed.map((s) => JSON.stringify(s)).join(', ')}]` : '';
  const directive = Directive(`@auth(roles: [${roles.join(', ')}]${scopeArg})`);
  const authorized = Authorized<string>(...roles, ...needed.map((s) => `${SCOPE_PREFIX}${s}`));
  return (target: object, key: string | symbol, descriptor?: PropertyDescriptor) => {
    directive(target, key, descriptor as never);
    authorized(target, key, descriptor as never);
  };
}

/** Declares a field public (no key needed). Public root fields must be on PUBLIC_ROOT_FIELDS. */
export function Public(): MethodDecorator & PropertyDecorator {
  return Directive('@public') as MethodDecorator & PropertyDecorator;
}

/** The only root fields callable without a key (checked by a schema test). */
export const PUBLIC_ROOT_FIELDS: readonly string[] = ['Query.plans'];

/** Directive definitions printed in schema/schema.graphql. */
export function authDirectives(roleEnum: GraphQLEnumType): GraphQLDirective[] {
  return [
    new GraphQLDirective({
      name: 'auth',
      description:
        'Only callers whose effective role is listed may use this field; a RESELLER key also needs every listed scope (see the API key scope catalogue).',
      locations: [DirectiveLocation.FIELD_DEFINITION],
      args: {
        roles: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(roleEnum))) },
        scopes: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)), description: 'Scopes a RESELLER key needs (e.g. "orders:write").' },
      },
    }),
    new GraphQLDirective({
      name: 'public',
      description: 'Anyone may use this field, with or without an API key.',
      locations: [DirectiveLocation.FIELD_DEFINITION],
    }),
  ];
}

/**
 * Enforces `Auth(...)`: no principal → UNAUTHENTICATED; a principal without the role → FORBIDDEN;
 * a RESELLER key without one of the field's scopes → FORBIDDEN naming the missing scopes.
 */
export const authChecker: AuthChecker<Ctx, string> = ({ context }, declared) => {
  const p = context.principal;
  if (!p) throw new AppError('UNAUTHENTICATED');
  const roles = declared.filter((r) => !r.startsWith(SCOPE_PREFIX));
  if (roles.length > 0 && !roles.includes(p.role)) throw new AppError('FORBIDDEN');
  if (p.role === Role.RESELLER) {
    const missing = declared.filter((r) => r.startsWith(SCOPE_PREFIX)).map((r) => r.slice(SCOPE_PREFIX.length)).filter((s) => !p.scopes.includes(s));
    if (missing.length) throw new AppError('FORBIDDEN', `This key lacks the scope(s): ${missing.join(', ')}.`, { missingScopes: missing });
  }
  return true;
};
