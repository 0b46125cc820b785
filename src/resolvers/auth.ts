import {
  DirectiveLocation,
  GraphQLDirective,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLEnumType,
} from 'graphql';
import { type AuthChecker, Authorized, Directive, registerEnumType } from 'type-graphql';
import { Role } from '../entities/common';
import { AppError } from '../errors';
import type { Ctx } from './context';

registerEnumType(Role, { name: 'Role', description: 'Effective role of the caller.' });

/** Every role: for fields any authenticated caller may use. */
export const ANY_ROLE = [Role.ADMIN, Role.SUPPORT, Role.RESELLER, Role.USER_BOT, Role.ADMIN_BOT];

/**
 * Declares who may use a field, once: the same roles become the `@auth(roles: [...])` directive in
 * the published schema and the rule the server enforces (type-graphql `@Authorized`).
 */
export function Auth(...roles: Role[]): MethodDecorator & PropertyDecorator {
  if (roles.length === 0) throw new Error('Auth() needs at least one role; use Public() for public fields');
  const directive = Directive(`@auth(roles: [${roles.join(', ')}])`);
  const authorized = Authorized(...roles);
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
      description: 'Only callers whose effective role is listed may use this field.',
      locations: [DirectiveLocation.FIELD_DEFINITION],
      args: { roles: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(roleEnum))) } },
    }),
    new GraphQLDirective({
      name: 'public',
      description: 'Anyone may use this field, with or without an API key.',
      locations: [DirectiveLocation.FIELD_DEFINITION],
    }),
  ];
}

/** Enforces `Auth(...)`: no principal → UNAUTHENTICATED; a principal without the role → FORBIDDEN. */
export const authChecker: AuthChecker<Ctx, Role> = ({ context }, roles) => {
  if (!context.principal) throw new AppError('UNAUTHENTICATED');
  if (roles.length === 0 || roles.includes(context.principal.role)) return true;
  throw new AppError('FORBIDDEN');
};
