import { helper, ReferenceKind, type EntityMetadata } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { AuditLog, type AuditDiff } from '../entities/audit-log.entity';
import { addJobEachSql, type JobSpec } from '../jobs/enqueue';
import { currentAuditScope } from './audit.context';
import { auditRowData, isAudited, pick, plain } from './audit.subscriber';

type Row = Record<string, unknown>;

/** One statement of a batch: SQL with `?` bindings, as the query builder renders it. */
interface Part {
  sql: string;
  bindings: readonly unknown[];
}

/**
 * Writes of one use case sent as ONE SQL statement (data-modifying CTEs), where an ORM flush would
 * send one statement per table plus one per job: inserts and updates of entities, their audit rows
 * (the same rows the audit subscriber writes on a flush, in the same audit scope) and
 * graphile-worker jobs. The SQL of each write comes from MikroORM's query builder (column names and
 * type conversion as a flush would do them). After `execute()` the entities are managed and clean:
 * a later flush does not write them again.
 *
 * For hot paths only (e.g. approving a payment); everything else writes through flushes.
 */
export class WriteBatch {
  private readonly parts: Part[] = [];
  private readonly audits: Array<ReturnType<typeof auditRowData> & { id: string; at: Date }> = [];
  private readonly jobs: JobSpec[] = [];
  private readonly inserted: object[] = [];
  private readonly updated: Array<{ entity: object; keys: string[] }> = [];

  constructor(private readonly em: EntityManager) {}

  private meta(entity: object): EntityMetadata {
    return this.em.getMetadata().get(entity.constructor.name) as EntityMetadata;
  }

  private audit(meta: EntityMetadata, operation: string, id: unknown, diff: AuditDiff): void {
    if (!isAudited(meta.className)) return;
    const row = auditRowData(currentAuditScope(), { operation, resourceType: meta.tableName, resourceId: id, diff });
    this.audits.push({ id: randomUUID(), at: new Date(), ...row });
  }

  /** A persistable value of a property: relations by primary key. */
  private static dbValue(meta: EntityMetadata, key: string, value: unknown): unknown {
    const prop = meta.properties[key];
    if (prop && (prop.kind === ReferenceKind.MANY_TO_ONE || prop.kind === ReferenceKind.ONE_TO_ONE)) {
      return value === null || value === undefined ? null : (value as Row).id;
    }
    return value;
  }

  /**
   * Inserts a new entity (made with `em.create(..., { persist: false })`): every property it holds,
   * as a flush would insert it.
   */
  insert<T extends object>(entity: T): this {
    const meta = this.meta(entity);
    const data: Row = {};
    for (const prop of meta.props) {
      if (prop.persist === false || prop.formula) continue;
      if (prop.kind !== ReferenceKind.SCALAR && prop.kind !== ReferenceKind.MANY_TO_ONE && !(prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) continue;
      const value = (entity as Row)[prop.name];
      if (value === undefined) continue;
      data[prop.name] = WriteBatch.dbValue(meta, prop.name, value);
    }
    this.parts.push(renderWrite(this.em, meta.className, 'insert', [data], () => this.em.createQueryBuilder(meta.className).insert(data).getKnexQuery().toSQL()));
    this.audit(meta, 'create', (entity as Row)[meta.primaryKeys[0]!], { after: pick(meta, entity as Row, Object.keys(data)) });
    this.inserted.push(entity);
    return this;
  }

  /**
   * Applies `changes` to a managed entity and updates its row by primary key (only the properties
   * that really change, plus `onUpdate` ones such as `updatedAt`, as a flush would).
   */
  update<T extends object>(entity: T, changes: Partial<T>): this {
    const meta = this.meta(entity);
    const current = entity as Row;
    const keys = Object.keys(changes).filter((k) => JSON.stringify(plain(current[k])) !== JSON.stringify(plain((changes as Row)[k])));
    if (keys.length === 0) return this;
    for (const prop of meta.props) if (prop.onUpdate && !keys.includes(prop.name)) keys.push(prop.name);
    const before = pick(meta, current, keys);
    Object.assign(entity, changes);
    for (const prop of meta.props) if (prop.onUpdate && !(prop.name in changes)) current[prop.name] = prop.onUpdate(entity, this.em);
    const data: Row = {};
    for (const k of keys) data[k] = WriteBatch.dbValue(meta, k, current[k]);
    const pk = meta.primaryKeys[0]!;
    this.parts.push(
      renderWrite(this.em, meta.className, 'update', [data], () => this.em.createQueryBuilder(meta.className).update(data).where({ [pk]: current[pk] }).getKnexQuery().toSQL(), [current[pk]]),
    );
    this.audit(meta, 'update', current[pk], { before, after: pick(meta, current, keys) });
    this.updated.push({ entity, keys });
    return this;
  }

  /** Adds a job (as `enqueue` would) in the batch's statement. */
  job(spec: JobSpec): this {
    this.jobs.push(spec);
    return this;
  }

  /** Sends everything as one statement (nothing when the batch is empty); then the entities are clean. */
  async execute(): Promise<void> {
    const parts = [...this.parts];
    if (this.audits.length) {
      const audits = this.audits;
      parts.push(renderWrite(this.em, 'AuditLog', 'insert', audits, () => this.em.createQueryBuilder(AuditLog).insert(audits).getKnexQuery().toSQL()));
    }
    if (parts.length === 0 && this.jobs.length === 0) return;
    const jobs = this.jobs.length ? addJobEachSql(this.jobs) : { sql: '0', bindings: [] };
    const ctes = parts.map((p, i) => `w${i} as (${stripReturning(p.sql)})`);
    const sql = `${ctes.length ? `with ${ctes.join(', ')} ` : ''}select ${jobs.sql} as jobs`;
    await this.em.execute(sql, [...parts.flatMap((p) => p.bindings), ...jobs.bindings]);
    const scope = currentAuditScope();
    if (scope) scope.recorded += this.audits.length;
    for (const entity of this.inserted) this.em.merge(entity);
    const comparator = this.em.getComparator();
    for (const { entity, keys } of this.updated) {
      const wrapped = helper(entity);
      const snapshot = comparator.prepareEntity(entity) as Row;
      const original = (wrapped.__originalEntityData ?? {}) as Row;
      for (const k of keys) original[k] = snapshot[k];
      wrapped.__originalEntityData = original as never;
    }
    this.parts.length = 0;
    this.audits.length = 0;
    this.jobs.length = 0;
    this.inserted.length = 0;
    this.updated.length = 0;
  }
}

/**
 * SQL of a write by its shape (entity, insert or update by primary key, columns, rows), as the
 * query builder rendered it the first time: building the query costs about 0.4 ms of CPU per
 * write, more than the rest of a small write. The cached text is used only for a shape whose
 * bindings the query builder produced exactly from the mapped values (columns in its order,
 * then the primary key), checked when the shape is first seen; other shapes, and rows with an
 * undefined or non-scalar value (raw SQL, which changes the text), always go through the builder.
 */
const shapes = new Map<string, { sql: string; columns: string[] } | null>();

function renderWrite(em: EntityManager, className: string, kind: 'insert' | 'update', rows: Row[], build: () => Part, trailing: unknown[] = []): Part {
  const meta = em.getMetadata().get(className) as EntityMetadata;
  const mapped = rows.map((r) => em.getDriver().mapDataToFieldNames({ ...r }, true, meta.properties, true) as Row);
  const columns = Object.keys(mapped[0] ?? {});
  const cacheable = mapped.every((m) => Object.keys(m).length === columns.length && columns.every((c) => c in m && isScalar(m[c])));
  const key = `${className}|${kind}|${rows.length}|${columns.join(',')}`;
  const hit = cacheable ? shapes.get(key) : null;
  if (hit) return { sql: hit.sql, bindings: [...mapped.flatMap((m) => hit.columns.map((c) => m[c])), ...trailing] };
  const part = build();
  if (cacheable && !shapes.has(key)) {
    // knex sorts the columns of an insert and keeps those of an update in order.
    const order = kind === 'insert' ? [...columns].sort() : columns;
    const expected = [...mapped.flatMap((m) => order.map((c) => m[c])), ...trailing];
    const same = expected.length === part.bindings.length && expected.every((v, i) => sameValue(v, part.bindings[i]));
    shapes.set(key, same ? { sql: part.sql, columns: order } : null);
  }
  return part;
}

function isScalar(v: unknown): boolean {
  return v === null || v instanceof Date || Buffer.isBuffer(v) || ['string', 'number', 'boolean', 'bigint'].includes(typeof v);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

/** A CTE needs no RETURNING (the query builder adds one for database defaults). */
function stripReturning(sql: string): string {
  return sql.replace(/ returning (?:"[a-z_0-9]+"(?:, )?)+$/, '');
}
