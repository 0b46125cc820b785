import { type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { SecretBox } from '../crypto';
import { Plan } from '../entities/plan.entity';
import { Reseller, ResellerStatus } from '../entities/reseller.entity';
import { AppError } from '../errors';
import { isUuid } from './ids';
import { validateWebhookUrl } from './webhook-url';
import { flushUnique } from './unique-violation';

/** What reseller account changes need from the process. */
export interface ResellerDeps {
  secrets: SecretBox;
  /** WEBHOOK_ALLOW_PRIVATE_URLS. */
  allowPrivateWebhooks: boolean;
}

const money = z.number().int().min(0).max(1_000_000_000);

const fields = {
  /** Unique display name. */
  name: z.string().trim().min(1).max(100),
  /** Percent off the shop price (0–100) for plans without an own price. */
  discountPercent: z.number().int().min(0).max(100),
  /** Own prices per plan (override discountPercent). */
  planPrices: z.array(z.object({ planId: z.uuid(), price: money })).max(500),
  /** How far below zero the balance may go. */
  creditLimit: money,
  /** Max subscriptions provisioning or active at once; 0 = unlimited. */
  maxActiveSubscriptions: z.number().int().min(0).max(1_000_000),
  /** Plans it may sell; empty = all. */
  allowedPlanIds: z.array(z.uuid()).max(500),
  /** Server groups its plans may be on; empty = any. */
  allowedServerGroups: z.array(z.string().trim().min(1).max(64)).max(100),
  /** Receiver of signed event webhooks; null clears it. */
  webhookUrl: z.string().trim().max(2000).nullable(),
  /** Secret the webhooks are signed with (16–200 characters); stored encrypted, never returned. */
  webhookSecret: z.string().min(16).max(200),
};

export const createResellerInput = z.object({
  name: fields.name,
  discountPercent: fields.discountPercent.default(0),
  planPrices: fields.planPrices.default([]),
  creditLimit: fields.creditLimit.default(0),
  maxActiveSubscriptions: fields.maxActiveSubscriptions.default(0),
  allowedPlanIds: fields.allowedPlanIds.default([]),
  allowedServerGroups: fields.allowedServerGroups.default([]),
  webhookUrl: fields.webhookUrl.nullish(),
  webhookSecret: fields.webhookSecret.nullish(),
});
export type CreateResellerInput = z.input<typeof createResellerInput>;

export const updateResellerInput = createResellerInput.partial().extend({
  name: fields.name.nullish(),
  discountPercent: fields.discountPercent.nullish(),
  planPrices: fields.planPrices.nullish(),
  creditLimit: fields.creditLimit.nullish(),
  maxActiveSubscriptions: fields.maxActiveSubscriptions.nullish(),
  allowedPlanIds: fields.allowedPlanIds.nullish(),
  allowedServerGroups: fields.allowedServerGroups.nullish(),
});
export type UpdateResellerInput = z.input<typeof updateResellerInput>;

async function assertPlansExist(em: EntityManager, ids: string[]): Promise<void> {
  if (!ids.length) return;
  const found = await em.find(Plan, { id: { $in: ids } }, { fields: ['id'] });
  const missing = ids.filter((id) => !found.some((p) => p.id === id));
  if (missing.length) throw new AppError('PLAN_NOT_FOUND', `No plan has the id(s) ${missing.join(', ')}.`);
}

/** Sets (or clears, with null) the webhook URL and secret; a URL needs a secret, given now or before. */
async function applyWebhook(r: Reseller, deps: ResellerDeps, url: string | null | undefined, secret: string | null | undefined): Promise<void> {
  if (secret) r.webhookSecretEnc = deps.secrets.encrypt(secret);
  if (url === undefined) return;
  if (url === null || url === '') {
    r.webhookUrl = null;
    return;
  }
  if (!r.webhookSecretEnc) throw new AppError('BAD_USER_INPUT', 'A webhook URL needs a webhookSecret (16–200 characters).');
  r.webhookUrl = await validateWebhookUrl(url, { allowPrivate: deps.allowPrivateWebhooks });
}

/** ADMIN: creates a reseller account (ACTIVE, balance 0). */
export async function createReseller(em: EntityManager, deps: ResellerDeps, input: CreateResellerInput): Promise<Reseller> {
  const d = createResellerInput.parse(input);
  await assertPlansExist(em, [...d.allowedPlanIds, ...d.planPrices.map((p) => p.planId)]);
  const r = em.create(Reseller, {
    name: d.name,
    discountPercent: d.discountPercent,
    planPrices: Object.fromEntries(d.planPrices.map((p) => [p.planId, p.price])),
    creditLimit: d.creditLimit,
    maxActiveSubscriptions: d.maxActiveSubscriptions,
    allowedPlanIds: d.allowedPlanIds,
    allowedServerGroups: d.allowedServerGroups,
  });
  await applyWebhook(r, deps, d.webhookUrl, d.webhookSecret);
  await flushUnique(em, 'RESELLER_NAME_TAKEN');
  return r;
}

/** ADMIN: changes the fields given (null/absent = unchanged; `webhookUrl: ""` clears the webhook). */
export async function updateReseller(em: EntityManager, deps: ResellerDeps, id: string, input: UpdateResellerInput): Promise<Reseller> {
  const d = updateResellerInput.parse(input);
  const r = await getResellerOrFail(em, id);
  await assertPlansExist(em, [...(d.allowedPlanIds ?? []), ...(d.planPrices ?? []).map((p) => p.planId)]);
  if (d.name) r.name = d.name;
  if (d.discountPercent !== null && d.discountPercent !== undefined) r.discountPercent = d.discountPercent;
  if (d.planPrices) r.planPrices = Object.fromEntries(d.planPrices.map((p) => [p.planId, p.price]));
  if (d.creditLimit !== null && d.creditLimit !== undefined) r.creditLimit = d.creditLimit;
  if (d.maxActiveSubscriptions !== null && d.maxActiveSubscriptions !== undefined) r.maxActiveSubscriptions = d.maxActiveSubscriptions;
  if (d.allowedPlanIds) r.allowedPlanIds = d.allowedPlanIds;
  if (d.allowedServerGroups) r.allowedServerGroups = d.allowedServerGroups;
  await applyWebhook(r, deps, d.webhookUrl === null ? undefined : d.webhookUrl, d.webhookSecret);
  await flushUnique(em, 'RESELLER_NAME_TAKEN');
  return r;
}

/** ADMIN: suspends (no new orders or customers; reads still work) or reactivates a reseller. */
export async function setResellerStatus(em: EntityManager, id: string, status: ResellerStatus): Promise<Reseller> {
  const r = await getResellerOrFail(em, id);
  r.status = status;
  await em.flush();
  return r;
}

/** Reseller (webhooks:manage) or ADMIN: sets the webhook receiver and, optionally, a new secret. */
export async function setResellerWebhook(
  em: EntityManager,
  deps: ResellerDeps,
  reseller: Reseller,
  input: { url: string | null; secret?: string | null },
): Promise<Reseller> {
  const secret = input.secret === null || input.secret === undefined ? undefined : fields.webhookSecret.parse(input.secret);
  await applyWebhook(reseller, deps, input.url ?? '', secret);
  await em.flush();
  return reseller;
}

export async function getResellerOrFail(em: EntityManager, id: string): Promise<Reseller> {
  const r = isUuid(id) ? await em.findOne(Reseller, { id }) : null;
  if (!r) throw new AppError('RESELLER_NOT_FOUND');
  return r;
}

/** Every reseller, by name. */
export async function listResellers(em: EntityManager): Promise<Reseller[]> {
  return em.find(Reseller, {}, { orderBy: { name: 'asc' } });
}

/** Refuses new business from a suspended reseller. */
export function assertResellerActive(r: Reseller): void {
  if (r.status !== ResellerStatus.ACTIVE) throw new AppError('RESELLER_SUSPENDED');
}
