import { ReferenceKind, type EntityMetadata } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Selecting several entities in one hand-written statement: `columnsOf` lists an entity's loaded
 * columns under an alias prefix (`s."name" as "s__name"`), `mapAliased` turns the prefixed columns
 * of a result row into a managed entity (as `em.find` would: an entity already in the identity map
 * is returned as it is).
 */
export function columnsOf(em: EntityManager, entityName: string, alias: string): string {
  return fieldsOf(em.getMetadata().get(entityName) as EntityMetadata)
    .map((f) => `${alias}."${f}" as "${alias}__${f}"`)
    .join(', ');
}

export function mapAliased<T extends object>(em: EntityManager, entityName: string, row: Record<string, unknown>, alias: string): T | null {
  const prefix = `${alias}__`;
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (k.startsWith(prefix)) data[k.slice(prefix.length)] = v;
  if (data.id === null || data.id === undefined) return null;
  // em.map passes its options on to em.merge; `refresh: false` keeps an already loaded entity as it is.
  return em.map<T>(entityName, data as never, { refresh: false } as { schema?: string });
}

function fieldsOf(meta: EntityMetadata): string[] {
  return meta.props
    .filter((p) => p.persist !== false && !p.formula && !p.lazy)
    .filter((p) => p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE || (p.kind === ReferenceKind.ONE_TO_ONE && p.owner))
    .flatMap((p) => p.fieldNames ?? []);
}
