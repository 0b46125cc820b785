import fs from 'node:fs';
import { Kind } from 'graphql';
import { PUBLIC_ROOT_FIELDS } from '../../src/resolvers/auth';
import { buildAppSchema, printAppSchema, SCHEMA_FILE } from '../../src/resolvers/schema';

describe('published schema', () => {
  it('declares @auth or @public on every root field, and @public only on the allow-list', async () => {
    const schema = await buildAppSchema();
    const problems: string[] = [];
    for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
      if (!type) continue;
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        const names = (field.astNode?.directives ?? []).map((d) => d.name.value);
        const auth = field.astNode?.directives?.find((d) => d.name.value === 'auth');
        if (names.includes('public')) {
          if (!PUBLIC_ROOT_FIELDS.includes(coordinate)) problems.push(`${coordinate} is @public but not on the allow-list`);
        } else if (!auth) {
          problems.push(`${coordinate} declares no rule`);
        } else {
          const roles = auth.arguments?.[0]?.value;
          if (!roles || roles.kind !== Kind.LIST || roles.values.length === 0) problems.push(`${coordinate} has an empty @auth`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('matches the committed schema/schema.graphql (run `npm run schema:emit` after changing the API)', async () => {
    const emitted = printAppSchema(await buildAppSchema());
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(emitted);
  });
});
