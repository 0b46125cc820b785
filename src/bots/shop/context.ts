import type { Context, SessionFlavor } from 'grammy';
import type { I18nFlavor } from '@grammyjs/i18n';
import type { ConversationFlavor } from '@grammyjs/conversations';
import type { BotLanguage, UserGraphqlClient } from '../common';

/** What the shop bot remembers per chat (PostgreSQL): only what saves a round trip. */
export interface ShopSession {
  /** The user's language once chosen (or read from the API on /start). */
  lang?: BotLanguage;
  /** The API said BANNED: one polite message, then silence until /start finds them unbanned. */
  banned?: boolean;
  /** A required-channel membership was confirmed (re-checked on /start). */
  joined?: boolean;
  /** A plan from a /start deep link, opened once the language is chosen. */
  pendingPlan?: string;
}

/** The shop bot's context outside conversations. */
export type ShopContext = ConversationFlavor<Context & I18nFlavor & SessionFlavor<ShopSession> & ShopFlavor>;

/** What every handler gets: the API as this Telegram user, and the user's language. */
export interface ShopFlavor {
  shop: {
    api: UserGraphqlClient;
    lang: BotLanguage;
  };
}

/** Context inside conversations (no session there: conversations get what they need as arguments). */
export type ShopConversationContext = Context;
