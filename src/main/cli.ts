import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { migrate, openDatabase } from '../db/database';
import { openOrm } from './orm';
import { AdminRole, Role } from '../entities/common';
import { createLogger } from '../logger';
import { emitSchemaFile } from '../resolvers/schema';
import { addAdmin } from '../services/admin.service';
import { createApiKey, revokeApiKey } from '../services/api-key.service';
import { runInAuditScope, SYSTEM_ACTOR } from '../services/audit.context';
import { CLI_EXTENSIONS } from './cli-extensions';

const HELP = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                                     apply our migrations and graphile-worker's
  create-api-key --role <ROLE> --name <name> [--reseller-id <id>] [--expires-at <ISO date>]
                                              create an API key and print it once
                                              ROLE: ${Object.values(Role).join(', ')}
  revoke-api-key --id <key id>                revoke an API key
  add-admin --telegram-id <id> --role <ADMIN|SUPPORT> [--name <display name>]
                                              register a person as an admin of the admin bot
  emit-schema                                 write schema/schema.graphql
  migration:create [--name <name>]            create a migration from the entity diff (development)
${CLI_EXTENSIONS.map((c) => `  ${c.usage.padEnd(44)}${c.description}`).join('\n')}
`;

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n\n${HELP}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(HELP);
    return;
  }
  if (command === 'emit-schema') {
    process.stdout.write(`wrote ${await emitSchemaFile()}\n`);
    return;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
      'telegram-id': { type: 'string' },
      'reseller-id': { type: 'string' },
      'expires-at': { type: 'string' },
    },
    strict: false,
  });
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, name: 'cli' });
  const db = await openDatabase(config, logger, 'shared');
  const orm = await openOrm(db.url, 2);
  try {
    await migrate(orm, logger);
    const em = orm.em.fork();
    const audited = <T>(fn: () => Promise<T>) =>
      runInAuditScope({ actor: SYSTEM_ACTOR, action: `cli:${command}` }, () => em.transactional(fn));
    switch (command) {
      case 'migrate':
        process.stdout.write('migrations applied\n');
        break;
      case 'migration:create': {
        const res = await orm.migrator.createMigration(undefined, false, false, values.name as string | undefined);
        process.stdout.write(res.fileName ? `created migrations/${res.fileName}\n` : 'no changes\n');
        break;
      }
      case 'create-api-key': {
        const role = String(values.role ?? '').toUpperCase();
        if (!Object.values(Role).includes(role as Role)) fail(`--role must be one of ${Object.values(Role).join(', ')}`);
        if (!values.name) fail('--name is required');
        const expiresAt = values['expires-at'] ? new Date(String(values['expires-at'])) : null;
        if (expiresAt && Number.isNaN(expiresAt.getTime())) fail('--expires-at must be an ISO date');
        const { apiKey, secret } = await audited(() =>
          createApiKey(em, { name: String(values.name), role: role as Role, resellerId: (values['reseller-id'] as string) ?? null, expiresAt }, 'cli'),
        );
        process.stdout.write(`created ${apiKey.role} key ${apiKey.id} (${apiKey.name}). It is shown only once:\n${secret}\n`);
        break;
      }
      case 'revoke-api-key': {
        if (!values.id) fail('--id is required');
        const key = await audited(() => revokeApiKey(em, String(values.id)));
        process.stdout.write(`revoked ${key.id} (${key.name})\n`);
        break;
      }
      case 'add-admin': {
        const role = String(values.role ?? '').toUpperCase();
        if (!Object.values(AdminRole).includes(role as AdminRole)) fail('--role must be ADMIN or SUPPORT');
        const telegramId = Number(values['telegram-id']);
        if (!Number.isSafeInteger(telegramId) || telegramId <= 0) fail('--telegram-id must be a positive integer');
        const admin = await audited(() =>
          addAdmin(em, { telegramId, role: role as AdminRole, displayName: (values.name as string) ?? null }),
        );
        process.stdout.write(`added ${admin.role} admin ${admin.id} (telegram id ${admin.telegramId})\n`);
        break;
      }
      default: {
        const ext = CLI_EXTENSIONS.find((c) => c.name === command);
        if (!ext) fail(`unknown command "${command}"`);
        await ext.run({ em, config, logger, values, audited, print: (s) => process.stdout.write(`${s}\n`) });
      }
    }
  } finally {
    await orm.close();
    await db.stop();
  }
}

main().catch((err: unknown) => {
  const code = (err as { code?: string }).code;
  process.stderr.write(`error: ${code ? `${code}: ` : ''}${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
