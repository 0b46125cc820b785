import fs from 'node:fs';
import { z } from 'zod';

/**
 * The product's configuration: one zod schema, parsed once per process from the environment.
 * `process.env` is read nowhere else. Every key has a default or a clear error; all problems are
 * reported at once.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const url = (what: string) =>
  z.string().refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, `must be an http(s) URL (${what})`);

export const configSchema = z.object({
  /** Runtime mode; `production` only changes log formatting hints. Default: `development`. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** HTTP port of the API process. Default: 4000. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Interface the API listens on. Default: `0.0.0.0`. */
  HOST: z.string().default('0.0.0.0'),
  /** Public base URL of the API, used in subscription URLs and printed links. Default: `http://localhost:<PORT>`. */
  PUBLIC_URL: optionalString.pipe(url('PUBLIC_URL').optional()),
  /** PostgreSQL connection URL. Default: unset → an embedded PostgreSQL kept in `<DATA_DIR>/pg`. */
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://')
      .optional(),
  ),
  /** Max connections of the ORM pool per process. Default: 10. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(200).default(10),
  /** Folder for local state (embedded database, generated encryption key). Default: `.data`. */
  DATA_DIR: z.string().default('.data'),
  /** Port of the embedded PostgreSQL (only when DATABASE_URL is unset). Default: 54329. */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  /** pino log level. Default: `info`. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * 32-byte key (base64 or 64 hex chars) for AES-256-GCM encryption of secrets at rest (panel
   * credentials, webhook secrets). Default: unset → generated once into `<DATA_DIR>/encryption.key`.
   */
  ENCRYPTION_KEY: optionalString,
  /** Comma-separated previous keys still accepted for decryption during a key rotation. Default: empty. */
  ENCRYPTION_OLD_KEYS: z.string().default(''),
  /** graphile-worker concurrency (jobs at once per worker process). Default: 5. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * Worker heartbeat interval in ms. A job locked by a worker silent for 3 intervals (crashed,
   * killed) is unlocked and retried by the other workers, instead of after graphile-worker's 4 h. Default: 15000.
   */
  WORKER_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(15000),
  /** Grace period for in-flight requests and jobs on SIGTERM/SIGINT, in ms. Default: 8000. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(8000),
  /** Trust `X-Forwarded-For` for the client IP (set when behind a reverse proxy). Default: false. */
  TRUST_PROXY: bool.default(false),
  /**
   * Bearer token Prometheus sends to read `/metrics` (`Authorization: Bearer <token>`).
   * Default: unset → `/metrics` is not served at all.
   */
  METRICS_TOKEN: optionalString,
  /** Max depth of a GraphQL operation. Default: 12. */
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).default(12),
  /** Max fields selected by one GraphQL operation, fragments expanded (a cost limit). Default: 1000. */
  GRAPHQL_MAX_FIELDS: z.coerce.number().int().min(10).default(1000),
  /** Max number of aliased/root selections in one GraphQL operation. Default: 30. */
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).default(30),
  /** Token of the shop (user) bot from @BotFather. Default: unset → the user bot does not start. */
  USER_BOT_TOKEN: optionalString,
  /** Token of the admin bot from @BotFather. Default: unset → the admin bot does not start. */
  ADMIN_BOT_TOKEN: optionalString,
  /**
   * API key (role USER_BOT) the shop bot calls the GraphQL API with. Required when USER_BOT_TOKEN
   * is set (create one: `npm run cli -- create-api-key --role USER_BOT --name "shop bot"`).
   */
  USER_BOT_API_KEY: optionalString,
  /** API key (role ADMIN_BOT) the admin bot calls the GraphQL API with. Required when ADMIN_BOT_TOKEN is set. */
  ADMIN_BOT_API_KEY: optionalString,
  /** Base URL of the GraphQL API the bots call. Default: `http://127.0.0.1:<PORT>` (same machine). */
  BOT_API_URL: optionalString.pipe(url('BOT_API_URL').optional()),
  /**
   * Public HTTPS URL Telegram posts the shop bot's updates to (webhook mode, served by the API
   * process at this URL's path). Default: unset → long polling.
   */
  USER_BOT_WEBHOOK_URL: optionalString.pipe(url('USER_BOT_WEBHOOK_URL').optional()),
  /** Secret token Telegram sends with each webhook update (1–256 of A-Z a-z 0-9 _ -). Required with USER_BOT_WEBHOOK_URL. */
  USER_BOT_WEBHOOK_SECRET: optionalString.pipe(z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1–256 of A-Z a-z 0-9 _ -').optional()),
  /** Public HTTPS URL for the admin bot's webhook (served by the API process). Default: unset → long polling. */
  ADMIN_BOT_WEBHOOK_URL: optionalString.pipe(url('ADMIN_BOT_WEBHOOK_URL').optional()),
  /** Secret token of the admin bot's webhook. Required with ADMIN_BOT_WEBHOOK_URL. */
  ADMIN_BOT_WEBHOOK_SECRET: optionalString.pipe(z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1–256 of A-Z a-z 0-9 _ -').optional()),
  /** Messages one Telegram user may send the bots per BOT_FLOOD_WINDOW_MS before being throttled. Default: 5. */
  BOT_FLOOD_LIMIT: z.coerce.number().int().min(1).max(1000).default(5),
  /** Window of the per-user flood limit, in ms. Default: 2000. */
  BOT_FLOOD_WINDOW_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
  /** Telegram Bot API root, without a trailing slash. Default: `https://api.telegram.org`. */
  TELEGRAM_API_ROOT: z
    .string()
    .default('https://api.telegram.org')
    .pipe(url('TELEGRAM_API_ROOT'))
    .transform((v) => v.replace(/\/+$/, '')),
  /** Per-request timeout for panel HTTP calls, in ms. Default: 15000. */
  PANEL_TIMEOUT_MS: z.coerce.number().int().min(100).default(15000),
  /**
   * Attempts of a provisioning/renewal job before its order fails for good and is refunded
   * (graphile-worker backs off exponentially: about 1 h 10 min in all for 9). Default: 9.
   */
  PROVISION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(25).default(9),
  /** Max concurrent HTTP requests to one panel. Default: 4. */
  PANEL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * Let reseller webhook URLs point at loopback, private, link-local and other non-public
   * addresses (only for a receiver on a private network you trust). Default: false.
   */
  WEBHOOK_ALLOW_PRIVATE_URLS: bool.default(false),
  /** Timeout of one webhook POST, in ms. Default: 10000. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10000),
  /** Requests per minute one RESELLER key may make (token bucket refill rate). Default: 120. */
  RESELLER_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  /** Burst size of a RESELLER key's token bucket (requests at once after a quiet period). Default: 30. */
  RESELLER_RATE_BURST: z.coerce.number().int().min(1).max(100_000).default(30),
});

export type Config = z.infer<typeof configSchema> & { PUBLIC_URL: string; BOT_API_URL: string };

/** Thrown with every configuration problem listed, one per line (`KEY: message`). */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment. Pure: tests pass their own env object. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const c = result.data;
  const issues: string[] = [];
  for (const bot of ['USER_BOT', 'ADMIN_BOT'] as const) {
    if (c[`${bot}_TOKEN`] && !c[`${bot}_API_KEY`]) issues.push(`${bot}_API_KEY: required when ${bot}_TOKEN is set (an API key with role ${bot})`);
    if (c[`${bot}_WEBHOOK_URL`] && !c[`${bot}_WEBHOOK_SECRET`]) issues.push(`${bot}_WEBHOOK_SECRET: required when ${bot}_WEBHOOK_URL is set`);
    const hook = c[`${bot}_WEBHOOK_URL`];
    if (hook && !hook.startsWith('https://')) issues.push(`${bot}_WEBHOOK_URL: Telegram posts only to https:// URLs`);
  }
  if (issues.length) throw new ConfigError(issues);
  return {
    ...c,
    PUBLIC_URL: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    BOT_API_URL: (c.BOT_API_URL ?? `http://127.0.0.1:${c.PORT}`).replace(/\/+$/, ''),
  };
}

/**
 * Parses `process.env` (after reading a `.env` file in the working directory, if there is one;
 * variables already set in the environment win), or prints every problem and exits with status 2.
 */
export function loadConfig(): Config {
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
