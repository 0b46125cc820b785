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

/** Masks secrets that appear inside a string (e.g. a bot token inside a Bot API URL). */
export function scrubText(text: string): string {
  let out = text;
  for (const re of SECRET_IN_TEXT) out = out.replace(re, '[REDACTED]');
  return out;
}

/** Creates the process logger: JSON lines with redaction. `destination` is for tests. */
export function createLogger(
  opts: { level?: string; name?: string } = {},
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
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
        err: (e: unknown) => {
          const s = pino.stdSerializers.err(e as Error);
          return { ...s, message: scrubText(s.message ?? ''), stack: s.stack ? scrubText(s.stack) : undefined };
        },
      },
    },
    destination,
  );
}
