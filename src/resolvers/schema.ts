import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { GraphQLEnumType, GraphQLSchema } from 'graphql';
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { mutationTransaction } from './transaction.middleware';
import { authChecker, authDirectives } from './auth';
import { resolvePlainFieldsDirectly } from './plain-fields';
import { CustomerResolver } from './customer.resolver';
import { DashboardResolver } from './dashboard.resolver';
import { OrderResolver } from './order.resolver';
import { PaymentResolver } from './payment.resolver';
import { PlanResolver } from './plan.resolver';
import { ServerResolver } from './server.resolver';
import { ServerOpsResolver } from './server-ops.resolver';
import { SubscriptionResolver } from './subscription.resolver';
import { SubscriptionAdminResolver } from './subscription-admin.resolver';
import { TicketResolver } from './ticket.resolver';
import { ShopResolver } from './shop.resolver';
import { SystemResolver } from './system.resolver';
import { refuseSpoofingText, refuseUnstorableText } from './text-input.middleware';
import { ResellerResolver } from './reseller.resolver';
import { ResellerApiResolver } from './reseller-api.resolver';
import { WebhookResolver } from './webhook.resolver';
// Last: the schema lists types in the order their modules load.
import { BackofficeResolver } from './backoffice.resolver';

/** Every resolver class of the API. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  SystemResolver,
  ServerResolver,
  ServerOpsResolver,
  PlanResolver,
  CustomerResolver,
  OrderResolver,
  PaymentResolver,
  SubscriptionResolver,
  DashboardResolver,
  SubscriptionAdminResolver,
  TicketResolver,
  ShopResolver,
  ResellerResolver,
  ResellerApiResolver,
  WebhookResolver,
  BackofficeResolver,
];

/** Path of the committed, published schema. */
export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'schema', 'schema.graphql').replace(
  `${path.sep}dist${path.sep}schema`,
  `${path.sep}schema`,
);

/**
 * Builds the executable schema with auth directives, the auth checker and the mutation transaction
 * middleware; plain object fields skip the middleware chain (see plain-fields.ts).
 */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    authMode: 'error',
    validate: false,
    globalMiddlewares: [refuseUnstorableText, refuseSpoofingText, mutationTransaction],
  });
  const roleEnum = schema.getType('Role');
  if (!(roleEnum instanceof GraphQLEnumType)) throw new Error('Role enum missing from schema');
  const withDirectives = new GraphQLSchema({ ...schema.toConfig(), directives: [...schema.getDirectives(), ...authDirectives(roleEnum)] });
  resolvePlainFieldsDirectly(withDirectives);
  return withDirectives;
}

/** The schema as published in schema/schema.graphql (with directives). */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSchemaWithDirectives(schema).trim()}\n`;
}

/** Writes schema/schema.graphql. */
export async function emitSchemaFile(file = SCHEMA_FILE): Promise<string> {
  const text = printAppSchema(await buildAppSchema());
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
