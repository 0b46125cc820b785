/** Which of our two bots sends a message. */
export type BotChannel = 'USER_BOT' | 'ADMIN_BOT';

/** One inline keyboard button: a callback (≤ 64 bytes of data) or a URL. */
export type InlineButton = { text: string; callbackData: string } | { text: string; url: string };

/** A message ready to send: HTML text (user text escaped), optional buttons and photo. */
export interface OutgoingMessage {
  /** Telegram HTML (parse_mode HTML); at most 4096 characters, or 1024 with a photo. */
  html: string;
  /** Rows of inline buttons. */
  buttons?: InlineButton[][];
  /** A photo to send with the text as caption (bytes, e.g. a receipt image or a QR code PNG). */
  photo?: { bytes: Buffer; filename: string };
}

/** Outcome of one send. */
export type SendResult =
  | { ok: true; messageId: number; /** The message is a photo whose caption carries the text. */ captioned?: boolean }
  /** 403: the user blocked the bot, or never started it. */
  | { ok: false; kind: 'blocked'; description: string }
  /** 429: wait `retryAfter` seconds. */
  | { ok: false; kind: 'rate_limited'; retryAfter: number; description: string }
  /** Other 4xx: the request itself is wrong; retrying will not help. */
  | { ok: false; kind: 'bad_request'; description: string }
  /** Network errors and 5xx: try again later. */
  | { ok: false; kind: 'transient'; description: string }
  /** No token is configured for that bot. */
  | { ok: false; kind: 'not_configured'; description: string };

/** Sends Telegram messages through the Bot API (grammY `Api`), never logging tokens. */
export interface TelegramSender {
  isConfigured(channel: BotChannel): boolean;
  send(channel: BotChannel, chatId: number, message: OutgoingMessage): Promise<SendResult>;
  /**
   * Replaces the text (or the caption, when `captioned`) and the buttons of a message sent earlier;
   * no buttons in `message` removes them. An edit that changes nothing counts as done.
   */
  edit(channel: BotChannel, chatId: number, messageId: number, message: Omit<OutgoingMessage, 'photo'>, opts: { captioned: boolean }): Promise<SendResult>;
}
