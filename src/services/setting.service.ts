import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Plan } from '../entities/plan.entity';
import { Setting } from '../entities/setting.entity';
import { AppError } from '../errors';

/** `trial_plan_code` must name an existing trial plan: a paid plan there would be given away. */
async function checkTrialPlanCode(em: EntityManager, code: string | null): Promise<void> {
  if (code === null) return;
  const plan = await em.findOne(Plan, { code });
  if (!plan) throw new AppError('PLAN_NOT_FOUND', `No plan has the code "${code}".`, { field: 'value' });
  if (!plan.isTrial) throw new AppError('BAD_USER_INPUT', `Plan "${code}" is not a trial plan (isTrial is false); create a plan with isTrial true for the free trial.`, { field: 'value' });
}

/**
 * The runtime settings: each key with its type, default and meaning. Values are stored as JSON
 * in the `setting` table; a key without a row has its default.
 */
export const SETTINGS = {
  card_number: { schema: z.string().regex(/^[0-9 -]{0,32}$/), default: '', doc: 'Card number shown for card-to-card payments.' },
  card_holder: { schema: z.string().max(100), default: '', doc: 'Name of the card holder.' },
  payment_deadline_minutes: { schema: z.number().int().min(5).max(7 * 24 * 60), default: 60, doc: 'Minutes a card-to-card payment stays open.' },
  trial_plan_code: {
    schema: z.string().max(50).nullable(),
    default: null,
    doc: 'Code of the plan given as free trial (a plan with isTrial true); null = no trial.',
    check: checkTrialPlanCode,
  },
  support_handle: { schema: z.string().max(100), default: '', doc: 'Telegram handle of support, shown to users.' },
  currency: { schema: z.string().min(1).max(10), default: 'IRT', doc: 'Currency code of all prices (integer amounts).' },
  warning_traffic_percents: { schema: z.array(z.number().int().min(1).max(100)).max(5), default: [80, 100], doc: 'Usage warnings, in percent of the quota.' },
  warning_expiry_hours: { schema: z.array(z.number().int().min(1).max(24 * 30)).max(5), default: [72, 24], doc: 'Expiry warnings, in hours before expiry.' },
  grace_days: { schema: z.number().int().min(0).max(365), default: 3, doc: 'Days an expired or depleted subscription stays on the panel before it is deleted.' },
  usage_sync_minutes: { schema: z.number().int().min(1).max(1440), default: 5, doc: 'Minutes between usage syncs of each server.' },
  health_failures_to_down: { schema: z.number().int().min(1).max(60), default: 3, doc: 'Consecutive failed health probes (one a minute) that mark a server DOWN.' },
  health_successes_to_recover: { schema: z.number().int().min(1).max(60), default: 2, doc: 'Consecutive good health probes that bring a DOWN server back (and a slow one back to HEALTHY).' },
  health_degraded_latency_ms: { schema: z.number().int().min(50).max(120_000), default: 2000, doc: 'A health probe slower than this (ms) counts as slow; health_successes_to_recover slow probes in a row mark the server DEGRADED.' },
  health_flaky_failures: { schema: z.number().int().min(1).max(10), default: 2, doc: 'Separate failure episodes within the last 10 probes that mark a server DEGRADED (flaky).' },
  daily_report_hour_utc: {
    schema: z.number().int().min(0).max(23).nullable(),
    default: null,
    doc: 'UTC hour at which every admin gets the daily report (customers, sales, receipts waiting, failures); null = no report.',
  },
  reconcile_hour_utc: { schema: z.number().int().min(0).max(23), default: 3, doc: 'UTC hour of the nightly drift reconciliation of every server.' },
  reconcile_auto_repair: { schema: z.boolean(), default: false, doc: 'Nightly reconciliation also repairs missing, wrong and duplicated clients (never deletes orphans).' },
  reconcile_delete_ended_orphans: {
    schema: z.boolean(),
    default: true,
    doc: 'Nightly reconciliation deletes clients of our naming whose subscription ENDED (revoked, or failed and refunded), so nothing that was paid back keeps working.',
  },
  required_channel: { schema: z.string().max(100).nullable(), default: null, doc: 'Channel users must join before buying; null = none.' },
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SETTINGS)[K]['schema']>;

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTINGS, key);
}

/** One setting's current value (or its default). */
export async function getSetting<K extends SettingKey>(em: EntityManager, key: K): Promise<SettingValue<K>> {
  const row = await em.findOne(Setting, { key });
  return (row ? row.value : SETTINGS[key].default) as SettingValue<K>;
}

/** Every setting with its value, default and description. */
export async function listSettings(
  em: EntityManager,
): Promise<Array<{ key: SettingKey; value: unknown; defaultValue: unknown; description: string; updatedAt: Date | null }>> {
  const rows = await em.find(Setting, {});
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return (Object.keys(SETTINGS) as SettingKey[]).map((key) => {
    const row = byKey.get(key);
    return {
      key,
      value: row ? row.value : SETTINGS[key].default,
      defaultValue: SETTINGS[key].default,
      description: SETTINGS[key].doc,
      updatedAt: row?.updatedAt ?? null,
    };
  });
}

/** Validates and stores one setting. */
export async function updateSetting(em: EntityManager, key: string, value: unknown): Promise<unknown> {
  if (!isSettingKey(key)) throw new AppError('SETTING_NOT_FOUND', `Unknown setting "${key.slice(0, 60)}".`);
  const parsed = SETTINGS[key].schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('BAD_USER_INPUT', `Invalid value for ${key}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  const entry = SETTINGS[key];
  if ('check' in entry) await entry.check(em, parsed.data as never);
  const row = await em.findOne(Setting, { key });
  // The column holds JSON, never SQL NULL: null (only allowed where it is the default) removes the row.
  if (parsed.data === null) {
    if (row) em.remove(row);
  } else if (row) row.value = parsed.data;
  else em.create(Setting, { key, value: parsed.data });
  await em.flush();
  return parsed.data;
}
