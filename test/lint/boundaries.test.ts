import { ESLint } from 'eslint';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

async function lint(filePath: string, code: string): Promise<string[]> {
  // The config is passed in: ESLint's own loader uses import(), which jest's CommonJS realm refuses.
  const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: require('../../eslint.config.js') });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer boundaries', () => {
  it('refuses a bot importing a service, an entity or the ORM', async () => {
    const messages = await lint(
      'src/bots/shop/example.ts',
      `import { createApiKey } from '../../services/api-key.service';\nimport { Plan } from '../../entities/plan.entity';\nimport { MikroORM } from '@mikro-orm/postgresql';\nexport const x = [createApiKey, Plan, MikroORM];\n`,
    );
    expect(messages.filter((m) => m.startsWith('no-restricted-imports'))).toHaveLength(3);
  });

  it('refuses a service importing GraphQL, grammY or graphile-worker', async () => {
    const messages = await lint(
      'src/services/example.service.ts',
      `import { Resolver } from 'type-graphql';\nimport { Bot } from 'grammy';\nimport { run } from 'graphile-worker';\nexport const x = [Resolver, Bot, run];\n`,
    );
    expect(messages.filter((m) => m.startsWith('no-restricted-imports'))).toHaveLength(3);
  });

  it('lets a bot import its own shared code', async () => {
    const messages = await lint('src/bots/shop/example.ts', `import { x } from '../shared/graphql-client';\nexport const y = x;\n`);
    expect(messages.filter((m) => m.startsWith('no-restricted-imports'))).toEqual([]);
  });

  it('lets a bot import the shared callback-data formats and nothing else of notifications/', async () => {
    const allowed = await lint('src/bots/shop/example.ts', `import { encodeCallback } from '../../notifications/callback-data';\nexport const y = encodeCallback;\n`);
    expect(allowed.filter((m) => m.startsWith('no-restricted-imports'))).toEqual([]);
    const refused = await lint(
      'src/bots/shop/example.ts',
      `import { renderNotification } from '../../notifications/notification.render';\nimport { ALERT_TITLES } from '../../notifications/alert-codes';\nexport const y = [renderNotification, ALERT_TITLES];\n`,
    );
    expect(refused.filter((m) => m.startsWith('no-restricted-imports'))).toHaveLength(2);
  });

  it('keeps the notifications module framework-free like the services', async () => {
    const messages = await lint('src/notifications/example.ts', `import { Bot } from 'grammy';\nimport { run } from 'graphile-worker';\nexport const x = [Bot, run];\n`);
    expect(messages.filter((m) => m.startsWith('no-restricted-imports'))).toHaveLength(2);
  });

  it('refuses the database core importing a service (the audit subscriber is wired in src/main)', async () => {
    const messages = await lint('src/db/orm.config.ts', `import { AuditSubscriber } from '../services/audit.subscriber';\nexport const x = AuditSubscriber;\n`);
    expect(messages.filter((m) => m.startsWith('no-restricted-imports'))).toHaveLength(1);
  });
});
