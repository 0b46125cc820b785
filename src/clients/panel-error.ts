/**
 * The typed failure of every panel call (transport and adapters).
 *
 * Its message is always the catalog's generic text for the code: the panel's own text goes to
 * `panelMessage` (trimmed, credentials redacted), and URLs, envelopes, tokens and cookies are
 * never put in either.
 */
import { AppError, ERROR_CODES } from '../errors';

/** The catalog codes a panel failure can carry. */
export type PanelErrorCode = 'PANEL_UNAVAILABLE' | 'PANEL_REJECTED' | 'PANEL_AUTH_FAILED' | 'PANEL_VERSION_UNSUPPORTED';

/** What a {@link PanelError} is built from. */
export interface PanelErrorInit {
  code: PanelErrorCode;
  /** Our server id (never the panel URL). */
  serverId: string;
  /** The operation name, e.g. `sui.save.clients.new`. */
  operation: string;
  /** Whether the caller (job) should try again later. */
  retryable: boolean;
  /** The panel's `msg` text; trimmed to {@link PANEL_MESSAGE_MAX} chars and redacted here. */
  panelMessage?: string;
  /** The HTTP status when there was a response. */
  status?: number;
  /** The underlying error, for operators; kept off the message. */
  cause?: unknown;
  /** Secret values (password, token, cookie value) to strip from `panelMessage` if the panel echoed them. */
  redact?: readonly string[];
}

/** Longest `panelMessage` kept. */
export const PANEL_MESSAGE_MAX = 300;

// Panels sometimes echo the submitted form ("password=..."), a token or a cookie in their errors.
const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(pass(?:word|wd)?|pwd|token|api[-_]?key|secret|session|cookie|authorization|csrf[-_]?token)\b(\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s&,;]+)/gi,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /(\/\/)[^/\s:@]+:[^/\s@]+@/g,
];

/**
 * Makes a panel's message safe to keep: drops the known secrets and anything that looks like a
 * credential assignment, collapses whitespace (panels end messages with `\n`), trims to
 * {@link PANEL_MESSAGE_MAX} characters.
 */
export function sanitizePanelMessage(msg: string, redact: readonly string[] = []): string {
  let out = msg;
  for (const secret of redact) {
    if (secret.length >= 3) out = out.split(secret).join('[redacted]');
  }
  out = out
    .replace(SECRET_PATTERNS[0], '$1$2[redacted]')
    .replace(SECRET_PATTERNS[1], '$1 [redacted]')
    .replace(SECRET_PATTERNS[2], '$1[redacted]@');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > PANEL_MESSAGE_MAX ? `${out.slice(0, PANEL_MESSAGE_MAX - 1)}…` : out;
}

/** A failed panel call; `retryable` tells jobs whether to try again. */
export class PanelError extends AppError {
  readonly serverId: string;
  readonly operation: string;
  readonly retryable: boolean;
  readonly panelMessage?: string;
  readonly status?: number;

  /** Builds the error; the message is the catalog's generic text for `init.code`. */
  constructor(init: PanelErrorInit) {
    const details: Record<string, unknown> = {
      serverId: init.serverId,
      operation: init.operation,
      retryable: init.retryable,
    };
    if (init.status !== undefined) details.status = init.status;
    super(init.code, ERROR_CODES[init.code].message, details);
    this.name = 'PanelError';
    this.serverId = init.serverId;
    this.operation = init.operation;
    this.retryable = init.retryable;
    if (init.panelMessage !== undefined) this.panelMessage = sanitizePanelMessage(init.panelMessage, init.redact);
    if (init.status !== undefined) this.status = init.status;
    if (init.cause !== undefined) {
      // Not enumerable so loggers that spread the error do not dump the cause by default.
      Object.defineProperty(this, 'cause', { value: init.cause, enumerable: false, writable: true, configurable: true });
    }
  }
}

/** Type guard for {@link PanelError}. */
export function isPanelError(err: unknown): err is PanelError {
  return err instanceof PanelError;
}
