import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { loadSecretBox } from '../crypto';
import type { Logger } from '../logger';
import { rotateSecrets } from '../services/secret-rotation.service';

/** What a CLI command gets. */
export interface CliContext {
  em: EntityManager;
  config: Config;
  logger: Logger;
  values: Record<string, string | boolean | undefined>;
  /** Runs `fn` in a transaction inside an audit scope named after the command. */
  audited<T>(fn: () => Promise<T>): Promise<T>;
  print(line: string): void;
}

/** A CLI command added by a domain. */
export interface CliCommand {
  name: string;
  usage: string;
  description: string;
  run(ctx: CliContext): Promise<void>;
}

/** Commands beyond the core ones (see cli.ts). */
export const CLI_EXTENSIONS: CliCommand[] = [
  {
    name: 'rotate-encryption-key',
    usage: 'rotate-encryption-key',
    description: 're-encrypt stored secrets with ENCRYPTION_KEY (old keys in ENCRYPTION_OLD_KEYS)',
    async run(ctx) {
      const secrets = loadSecretBox(ctx.config, ctx.logger);
      const res = await ctx.audited(() => rotateSecrets(ctx.em, secrets));
      ctx.print(`re-encrypted ${res.servers} server credential(s) and ${res.resellers} webhook secret(s)`);
    },
  },
];
