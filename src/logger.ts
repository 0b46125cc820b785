import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino replaces with `[REDACTED]`. Secrets (API keys, bot tokens, panel passwords,
 * Authorization headers, webhook secrets) must never reach a log line.
 */
export const REDACT_PATHS = [
  'authorization',
  'password',
  'token',
  'apiKey',
  'apiToken',
  'secret',
  'key',
  'cookie',
  'credentials',
  'webhookSecret',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.pass',
  '*.token',
  '*.apiKey',
  '*.apiToken',
  '*.secret',
  '*.key',
  '*.cookie',
  '*.Cookie',
  '*.credentials',
  '*.webhookSecret',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Telegram bot tokens and our API keys embedded in free text (URLs, error messages). */
const SECRET_IN_TEXT = [/\d{6,12}:[A-Za-z0-9_-]{30,}/g, /vpk_[A-Za-z0-9]{10}_[A-Za-z0-9_-]+/g];

/**
 * A failed statement as the query builder reports it: `<sql with its values inlined> - <error>`
 * (e.g. `insert into "api_key" (…) values ('…', '<secret_hash>') - duplicate key …`).
 */
const FAILED_SQL = /\b(?:insert\s+into|update|delete\s+from|select|with)\s[\s\S]*?\s-\s/i;

/**
 * Replaces the values of a failed SQL statement by `?` (string and number literals), and the
 * values PostgreSQL quotes in its messages (`invalid input syntax for type uuid: "…"`). Table and
 * column names, which say what failed, stay.
 */
export function redactSql(text: string): string {
  if (!FAILED_SQL.test(text)) return text;
  return text
    .replace(/'(?:[^']|'')*'/g, "'?'")
    .replace(/(?<![\w".$])-?\d+(?:\.\d+)?(?![\w".])/g, '?')
    .replace(/(for (?:type|enum) [\w ]+): "(?:[^"]|"")*"/g, '$1: "?"');
}

/** PostgreSQL's detail of a constraint violation names the values: `Key (col)=(value) already exists.`, `Failing row contains (…).` */
function redactDetail(text: string): string {
  return text.replace(/(Key \([^)]*\))=\(.*?\)(?= already exists| is not present| is still referenced|$)/gm, '$1=(?)').replace(/(Failing row contains )\(.*\)/g, '$1(?)');
}

/** Masks secrets that appear inside a string (e.g. a bot token inside a Bot API URL, a failed statement's values). */
export function scrubText(text: string): string {
  let out = redactDetail(redactSql(text));
  for (const re of SECRET_IN_TEXT) out = out.replace(re, '[REDACTED]');
  return out;
}

/** Properties of database driver errors that carry row values or the statement. */
const DB_VALUE_FIELDS = ['detail', 'where', 'parameters', 'params', 'bindings', 'sql', 'query', 'sqlMessage'];

/** The logged form of an error: secrets masked, and a database error's statement values redacted. */
function serializeError(e: unknown): Record<string, unknown> {
  const s = pino.stdSerializers.err(e as Error) as unknown as Record<string, unknown> & { message?: string; stack?: string };
  const out: Record<string, unknown> = { ...s, message: scrubText(s.message ?? '') };
  if (typeof s.stack === 'string') {
    // Only the stack's header repeats the message; the frames' line numbers are kept.
    const at = s.stack.search(/\n\s+at /);
    out.stack = at < 0 ? scrubText(s.stack) : scrubText(s.stack.slice(0, at)) + s.stack.slice(at);
  }
  for (const k of DB_VALUE_FIELDS) {
    if (k === 'detail' && typeof out[k] === 'string') out[k] = redactDetail(out[k] as string);
    else if (out[k] !== undefined) out[k] = '[REDACTED]';
  }
  return out;
}

/**
 * Creates the process logger with redaction: human-readable lines (pino-pretty, through pino's
 * transport) when stdout is a terminal, JSON lines otherwise (files, pipes, log collectors).
 * `destination` is for tests (always JSON); `pretty` overrides the terminal check.
 */
export function createLogger(
  opts: { level?: string; name?: string; pretty?: boolean } = {},
  destination?: pino.DestinationStream,
): Logger {
  const pretty = destination === undefined && (opts.pretty ?? process.stdout.isTTY === true);
  return pino(
    {
      ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
      level: opts.level ?? 'info',
      name: opts.name,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: {
        err: serializeError,
      },
    },
    destination,
  );
}
