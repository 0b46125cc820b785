import type { Context } from 'grammy';
import { BotApiError, type BotLanguage, type GraphqlClient, type UserGraphqlClient } from '../common';
import { ShopInfoDocument, type ShopInfoQuery } from './graphql/generated';
import type { ShopTexts, Tr } from './texts';

/** What the features share: texts, the API, where Telegram is, and cached shop facts. */
export interface ShopDeps {
  texts: ShopTexts;
  gql: GraphqlClient;
  /** Bot API root and token (file downloads). */
  apiRoot: string;
  token: string;
  /** API base URL and key (receipt upload). */
  apiUrl: string;
  apiKey: string;
  /** Shop facts, cached for a minute (they change rarely; every screen would pay a request). */
  shopInfo(user: UserGraphqlClient): Promise<ShopInfoQuery['shopInfo']>;
}

export function shopInfoCache(ttlMs = 60_000): ShopDeps['shopInfo'] {
  let cached: { at: number; value: ShopInfoQuery['shopInfo'] } | null = null;
  return async (user) => {
    if (cached && Date.now() - cached.at < ttlMs) return cached.value;
    const { shopInfo } = await user.request(ShopInfoDocument);
    cached = { at: Date.now(), value: shopInfo };
    return shopInfo;
  };
}

/** The result of an API call made inside a conversation: never throws (replays store it as JSON). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string };

export async function outcome<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof BotApiError) return { ok: false, code: err.code };
    throw err;
  }
}

/** The user-facing text of an error code. */
export function errorTextOf(texts: ShopTexts, t: Tr, code: string): string {
  const id = `error-${code.toLowerCase().replace(/_/g, '-')}`;
  return t(texts.has(id) ? id : 'error-unknown');
}

/** The language of a conversation (passed in when it is entered). */
export interface FlowArgs {
  lang: BotLanguage;
}

export type AnyContext = Context;
