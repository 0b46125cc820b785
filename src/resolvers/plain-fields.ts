import { GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

/**
 * Lets the plain fields of our object types read their property directly instead of through
 * type-graphql's middleware chain.
 *
 * type-graphql wraps every object field, scalars included, in the global middlewares
 * (`refuseUnstorableText`, `refuseSpoofingText`, `mutationTransaction`): an async chain of three
 * promises per field and row. For a field without arguments, roles, own middlewares or a field
 * resolver that chain can only call `next()`: the text checks look at arguments (there are none)
 * and the transaction is for root mutations. Such a field then resolves to `source[property]`,
 * exactly what type-graphql's basic resolver returns, without the promises. Everything else
 * (root fields, fields with arguments, `@FieldResolver`s, fields with `Auth(...)`) keeps the chain.
 *
 * Returns how many fields were made direct.
 */
export function resolvePlainFieldsDirectly(schema: GraphQLSchema): number {
  const storage = getMetadataStorage();
  /** The field metadata of a class and of the object types it extends, the class's own first. */
  const fieldsWithInherited = (target: object) => {
    const out = [];
    for (let c: unknown = target; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
      out.push(...(storage.objectTypes.find((o) => o.target === c)?.fields ?? []));
    }
    return out;
  };
  let count = 0;
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!(type instanceof GraphQLObjectType)) continue;
    const fields = type.getFields();
    const seen = new Set<string>();
    for (const meta of fieldsWithInherited(objectType.target)) {
      if (seen.has(meta.schemaName)) continue;
      seen.add(meta.schemaName);
      const field = fields[meta.schemaName];
      if (!field || field.args.length > 0 || (meta.params?.length ?? 0) > 0) continue;
      if (meta.roles !== undefined || (meta.middlewares?.length ?? 0) > 0) continue;
      const hasResolver = storage.fieldResolvers.some(
        (r) => r.methodName === meta.name && [objectType.target, meta.target].includes(r.getObjectType?.() as never),
      );
      if (hasResolver) continue;
      const property = meta.name;
      field.resolve = (source: Record<string, unknown>) => source[property];
      count += 1;
    }
  }
  return count;
}
