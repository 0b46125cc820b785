/**
 * Every `callback_data` format of our inline buttons, in one place: the notification renderer
 * (worker), the shop bot and the admin bot all encode and decode through this module, so a button
 * that a notification carries works in the bot that receives the press, and a format can never be
 * written two ways. Telegram limits callback data to 64 bytes (UUIDs are 36).
 *
 * Formats are part of the contract with messages already sitting in users' chats: never change an
 * existing prefix or argument order; add a new format instead. Each format is tested round-trip.
 *
 * This module is framework-free and imports nothing, so bots may import it (see eslint.config.js).
 */

/** Telegram's limit for `callback_data`, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;

/** Argument kinds: `id` a UUID, `int` a non-negative safe integer, `word` a short token ([A-Za-z0-9_-], ≤ 24). */
export type CallbackArgKind = 'id' | 'int' | 'word';

interface CallbackSpec {
  /** One or more `:`-separated literal segments. */
  readonly prefix: string;
  readonly args: readonly CallbackArgKind[];
}

const ARG_PATTERN: Record<CallbackArgKind, string> = {
  id: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  int: '0|[1-9][0-9]{0,15}',
  word: '[A-Za-z0-9_-]{1,24}',
};

/**
 * The catalogue. Keys are what code names; `prefix` is what travels. Add formats here (bots
 * included); never reuse or change a prefix that has been released.
 */
export const CALLBACKS = {
  /** Shop bot: renew a subscription (carried by usage, expiry and end notices). */
  subscriptionRenew: { prefix: 'renew', args: ['id'] },
  /** Shop bot: buy more traffic for a subscription. */
  subscriptionAddTraffic: { prefix: 'addtr', args: ['id'] },
  /** Shop bot: open a subscription's detail screen (carried by "config ready"). */
  subscriptionOpen: { prefix: 'sub', args: ['id'] },
  /** Shop bot / admin bot: open a support ticket's thread. */
  ticketOpen: { prefix: 'tkt', args: ['id'] },
  /** Admin bot: approve a submitted card-to-card receipt (carried by the new-receipt alert). */
  paymentApprove: { prefix: 'pay:ok', args: ['id'] },
  /** Admin bot: reject a submitted receipt (asks for a reason next). */
  paymentReject: { prefix: 'pay:no', args: ['id'] },
  /** Both bots: the "Main menu" button every screen carries (src/bots/common/keyboards.ts). */
  menuMain: { prefix: 'menu', args: [] },
  /** Shop bot: choose the language (`fa` or `en`). */
  shopLanguage: { prefix: 'lang', args: ['word'] },
  /** Shop bot: open a section from an inline button (`buy`, `subs`, `trial`, `wallet`, `support`, `help`). */
  shopSection: { prefix: 'go', args: ['word'] },
  /** Shop bot: a plan in the plan list (opens its detail). */
  shopPlan: { prefix: 'plan', args: ['id'] },
  /** Shop bot: a step button inside a flow (`choose`, `skip`, `wallet`, `card`, `paid`, `cancel`). */
  shopFlow: { prefix: 'flow', args: ['word'] },
  /** Shop bot: page N (from 0) of "My subscriptions". */
  shopSubsPage: { prefix: 'subs', args: ['int'] },
  /** Shop bot: refresh a subscription's detail screen. */
  shopSubRefresh: { prefix: 'subr', args: ['id'] },
  /** Shop bot: top up the wallet. */
  shopTopUp: { prefix: 'wtop', args: [] },
  /** Shop bot: a help page (`android`, `ios`, `windows`, `macos`, `suburl`, `faq`). */
  shopHelp: { prefix: 'help', args: ['word'] },
  /** Shop bot: "I have joined" under the required-channel message. */
  shopJoinCheck: { prefix: 'join', args: [] },
  /** Shop bot: the customer's ticket list. */
  shopTickets: { prefix: 'tkts', args: [] },
  /** Shop bot: open a new ticket. */
  shopTicketNew: { prefix: 'tnew', args: [] },
  /** Shop bot: write a message in a ticket. */
  shopTicketWrite: { prefix: 'tkw', args: ['id'] },
  /** Shop bot: close a ticket. */
  shopTicketClose: { prefix: 'tkc', args: ['id'] },
  /** Admin bot: open a section (`dash`, `pay`, `cust`, `srv`, `plans`, `codes`, `bc`, `set`, `fail`, `lang`...). */
  adminOpen: { prefix: 'ao', args: ['word'] },
  /** Admin bot: an action on one row (`prof`, `ban`, `sub`, `srvon`, `repair`...) and the row's id. */
  adminDo: { prefix: 'ad', args: ['word', 'id'] },
  /** Admin bot: an action on a numbered item (a job id, a setting's index). */
  adminNum: { prefix: 'an', args: ['word', 'int'] },
  /** Admin bot: a step inside a flow (`ok`, `cancel`, `skip`, `SUI`, `ALL`...). */
  adminStep: { prefix: 'as', args: ['word'] },
} as const satisfies Record<string, CallbackSpec>;

export type CallbackName = keyof typeof CALLBACKS;

type ArgValue<K extends CallbackArgKind> = K extends 'int' ? number : string;
type ArgValues<A extends readonly CallbackArgKind[]> = { [I in keyof A]: A[I] extends CallbackArgKind ? ArgValue<A[I]> : never };
/** The argument tuple of a format, e.g. `[subscriptionId: string]`. */
export type CallbackArgs<N extends CallbackName> = ArgValues<(typeof CALLBACKS)[N]['args']>;

/** A decoded press: the format's name and its arguments. */
export type DecodedCallback = { [N in CallbackName]: { name: N; args: CallbackArgs<N> } }[CallbackName];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const PATTERNS = Object.fromEntries(
  (Object.keys(CALLBACKS) as CallbackName[]).map((name) => {
    const spec: CallbackSpec = CALLBACKS[name];
    const args = spec.args.map((a) => `:(${ARG_PATTERN[a]})`).join('');
    return [name, new RegExp(`^${escapeRegExp(spec.prefix)}${args}$`)];
  }),
) as Record<CallbackName, RegExp>;

/** Thrown when a value cannot be encoded (a bug in the caller, never user input). */
export class CallbackDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackDataError';
  }
}

/** Encodes a press: `encodeCallback('subscriptionRenew', id)` → `renew:<id>`. Throws on an invalid argument. */
export function encodeCallback<N extends CallbackName>(name: N, ...args: CallbackArgs<N>): string {
  const spec: CallbackSpec = CALLBACKS[name];
  if (args.length !== spec.args.length) throw new CallbackDataError(`${name} takes ${spec.args.length} argument(s)`);
  const data = [spec.prefix, ...(args as ReadonlyArray<string | number>).map(String)].join(':');
  if (!PATTERNS[name].test(data)) throw new CallbackDataError(`invalid argument for ${name}`);
  if (Buffer.byteLength(data, 'utf8') > CALLBACK_DATA_LIMIT) throw new CallbackDataError(`${name} is longer than ${CALLBACK_DATA_LIMIT} bytes`);
  return data;
}

/** Decodes a press, or null when the data matches no format (a stale or forged button). */
export function decodeCallback(data: string | undefined | null): DecodedCallback | null {
  if (!data || Buffer.byteLength(data, 'utf8') > CALLBACK_DATA_LIMIT) return null;
  for (const name of Object.keys(CALLBACKS) as CallbackName[]) {
    const m = PATTERNS[name].exec(data);
    if (!m) continue;
    const spec: CallbackSpec = CALLBACKS[name];
    const args = spec.args.map((kind, i) => (kind === 'int' ? Number(m[i + 1]) : m[i + 1]));
    return { name, args } as unknown as DecodedCallback;
  }
  return null;
}

/**
 * The pattern of one format, for a bot's `callbackQuery(pattern, handler)`: `ctx.match[1..]` are
 * the arguments as strings. Prefer {@link decodeCallback} for typed arguments.
 */
export function callbackPattern(name: CallbackName): RegExp {
  return PATTERNS[name];
}
