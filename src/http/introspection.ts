import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import { ERROR_CODES } from '../errors';
import type { Ctx } from '../resolvers/context';

/** Whether a document asks for the schema (`__schema` or `__type`; `__typename` is ordinary). */
export function isIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD](node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Introspection only for callers with a valid API key: anonymous callers cannot map the API.
 * GraphiQL keeps working once a key is in its Headers tab (it sends the headers with its
 * schema query). The published schema is schema/schema.graphql for everyone else.
 */
export const introspectionForKeysOnly: ApolloServerPlugin<Ctx> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, document }) {
        if (!contextValue.principal && isIntrospection(document)) {
          throw new GraphQLError(`${ERROR_CODES.UNAUTHENTICATED.message} Introspection needs an API key (Authorization: Bearer …).`, {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        }
      },
    };
  },
};
