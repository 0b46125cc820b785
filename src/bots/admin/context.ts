import type { Context, SessionFlavor } from 'grammy';
import type { I18nFlavor } from '@grammyjs/i18n';
import type { BotLanguage, UserGraphqlClient } from '../common';

/** The two roles of the admin bot (the API decides; the bot only hides what a role cannot use). */
export type StaffRole = 'ADMIN' | 'SUPPORT';

/** What the admin bot waits for next in a chat (a typed value); kept in PostgreSQL like every session. */
export type Pending =
  | { kind: 'search' }
  | { kind: 'reject-reason'; paymentId: string }
  | { kind: 'wallet-amount'; customerId: string }
  | { kind: 'wallet-reason'; customerId: string; amount: number }
  | { kind: 'wallet-confirm'; customerId: string; amount: number; reason: string; key: string }
  | { kind: 'grant'; customerId: string; key: string }
  | { kind: 'message'; customerId: string }
  | { kind: 'extend-days'; subscriptionId: string }
  | { kind: 'move-target'; subscriptionId: string; targets: string[] }
  | { kind: 'move-confirm'; subscriptionId: string; toServerId: string }
  | { kind: 'server'; step: ServerStep; draft: ServerDraft }
  | { kind: 'broadcast-text' }
  | { kind: 'broadcast-audience'; text: string; photoFileId: string | null }
  | { kind: 'broadcast-confirm'; text: string; photoFileId: string | null; audience: string; key: string }
  | { kind: 'setting'; key: string }
  | { kind: 'ticket-reply'; ticketId: string }
  | { kind: 'plan'; step: PlanStep; draft: PlanDraft; groups: string[]; fixing?: boolean }
  | { kind: 'plan-edit'; planId: string; field: PlanLimit }
  | { kind: 'code'; step: CodeStep; draft: CodeDraft; fixing?: boolean; choices?: Array<{ id: string; title: string }> };

/** Steps of the add-plan wizard, in order (`fixing`: the API refused this step's value; after it comes the confirmation). */
export type PlanStep = 'code' | 'titleFa' | 'titleEn' | 'traffic' | 'days' | 'devices' | 'price' | 'group' | 'trial' | 'confirm';

export interface PlanDraft {
  code?: string;
  titleFa?: string;
  titleEn?: string;
  trafficBytes?: number;
  durationDays?: number;
  deviceLimit?: number;
  price?: number;
  serverGroup?: string;
  isTrial?: boolean;
}

/** What an admin may change on an existing plan from the bot: its price and limits. */
/** A plan field the admin edits by typing a new value. */
export type PlanLimit = 'price' | 'traffic' | 'days' | 'devices' | 'title-fa' | 'title-en';

/** Steps of the new-discount-code wizard, in order. */
export type CodeStep = 'code' | 'kind' | 'value' | 'uses' | 'start' | 'days' | 'plans' | 'confirm';

export interface CodeDraft {
  code?: string;
  kind?: 'percent' | 'amount';
  value?: number;
  /** null = unlimited. */
  maxUses?: number | null;
  /** Starts this many days after creation; null = at once. */
  startDays?: number | null;
  /** Valid for this many days from its start; null = no expiry. */
  validDays?: number | null;
  /** Plans it applies to; empty = all. */
  planIds?: string[];
}

export type ServerStep = 'kind' | 'name' | 'url' | 'username' | 'password' | 'token' | 'group' | 'capacity';

export interface ServerDraft {
  kind?: 'SUI' | 'XUI';
  name?: string;
  baseUrl?: string;
  username?: string;
  password?: string;
  apiToken?: string;
  serverGroup?: string;
}

export interface AdminSession {
  lang?: BotLanguage;
  pending?: Pending;
  /** A refusal was sent to this non-admin chat once: later updates get silence. */
  refused?: boolean;
}

export interface AdminFlavor {
  staff: {
    /** The API acting for this admin (ADMIN_BOT key + X-Telegram-User-Id). */
    api: UserGraphqlClient;
    role: StaffRole;
    name: string;
  };
}

export type AdminContext = Context & I18nFlavor & SessionFlavor<AdminSession> & AdminFlavor;
