import { Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';

/** A runtime setting; keys and their types are declared in src/services/setting.service.ts. */
@Entity({ tableName: 'setting' })
export class Setting {
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'jsonb' })
  value!: unknown;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
