import type { MiddlewareFn } from 'type-graphql';
import { AppError } from '../errors';
import type { Ctx } from './context';

/** NUL (PostgreSQL text cannot hold it) and UTF-16 surrogates that are not part of a pair. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this refuses
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Characters that make text display as something else (display spoofing): bidi embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069), zero-width space (U+200B), word joiner
 * (U+2060) and the BOM / zero-width no-break space (U+FEFF).
 */
const SPOOFING = /[\u202A-\u202E\u2066-\u2069\u200B\u2060\uFEFF]/;
/**
 * Zero-width non-joiner and joiner (U+200C, U+200D) are part of Persian spelling (می‌خواهم) and of
 * emoji sequences, so they are allowed only between two visible characters; at an edge, next to
 * a space or repeated they only hide something.
 */
const LOOSE_JOINER = /(?:^|\s)[\u200C\u200D]|[\u200C\u200D](?=\s|$)|[\u200C\u200D]{2}/;

/** Whether a string holds a bidi control or a zero-width character used to disguise text. */
export function hasSpoofingCharacters(text: string): boolean {
  return SPOOFING.test(text) || LOOSE_JOINER.test(text);
}

/** Removes what {@link hasSpoofingCharacters} finds (joiners between two visible characters stay). */
export function stripSpoofingCharacters(text: string): string {
  let out = text.replace(new RegExp(SPOOFING.source, 'g'), '');
  out = out.replace(/([\u200C\u200D])[\u200C\u200D]+/g, '$1');
  out = out.replace(/(^|\s)[\u200C\u200D]+/g, '$1').replace(/[\u200C\u200D]+(?=\s|$)/g, '');
  return out;
}

/** The path of the first string inside `value` that `bad` matches, or null. */
function stringPath(value: unknown, bad: (s: string) => boolean, path = ''): string | null {
  if (typeof value === 'string') return bad(value) ? path : null;
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const found = stringPath(inner, bad, path ? `${path}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}

/** Replaces every string inside `value` (objects and arrays, in place) by `fix(string)`. */
function fixStrings(value: Record<string, unknown> | unknown[], fix: (s: string) => string): void {
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'string') (value as Record<string, unknown>)[key] = fix(inner);
    else if (inner !== null && typeof inner === 'object' && !(inner instanceof Date)) fixStrings(inner as Record<string, unknown>, fix);
  }
}

/** The path of the first string inside `value` that cannot be stored as text, or null. */
export function unstorableStringPath(value: unknown, path = ''): string | null {
  return stringPath(value, (s) => UNSTORABLE.test(s), path);
}

/**
 * Root mutations whose text comes from a Telegram user through the user bot (their own display
 * name, their support messages): spoofing characters are stripped there, so signing up or
 * writing to support never fails because of what Telegram let them type.
 */
const STRIPPED_MUTATIONS = new Set(['registerTelegramUser', 'openTicket', 'writeTicketMessage']);

/**
 * Refuses, before any resolver runs, a string argument (at any depth, JSON values included) that
 * holds a NUL character or a lone UTF-16 surrogate: it could never be stored and would otherwise
 * reach the database as an internal error. Code `BAD_USER_INPUT` with the argument's path.
 */
export const refuseUnstorableText: MiddlewareFn<Ctx> = async ({ args }, next) => {
  const field = unstorableStringPath(args);
  if (field !== null) {
    throw new AppError('BAD_USER_INPUT', `\`${field}\` contains a NUL character or an unpaired UTF-16 surrogate.`, {
      field,
      reason: 'UNSTORABLE_TEXT',
    });
  }
  return next();
};

/**
 * Refuses (BAD_USER_INPUT, reason `SPOOFING_TEXT`) a string argument that holds a bidi control or
 * a disguising zero-width character: arguments end up as text other people see (plan titles,
 * names, the card holder, discount codes, tickets). Text relayed from Telegram is stripped instead.
 */
export const refuseSpoofingText: MiddlewareFn<Ctx> = async ({ args, info }, next) => {
  if (info.parentType.name === 'Mutation' && STRIPPED_MUTATIONS.has(info.fieldName)) {
    fixStrings(args, stripSpoofingCharacters);
    return next();
  }
  const field = stringPath(args, hasSpoofingCharacters);
  if (field !== null) {
    throw new AppError('BAD_USER_INPUT', `\`${field}\` contains a bidirectional control or an invisible (zero-width) character.`, {
      field,
      reason: 'SPOOFING_TEXT',
    });
  }
  return next();
};
