import { z } from 'zod';

/**
 * The admin alert codes the services can emit. Each code has the facts it carries (validated when
 * the alert is rendered: outbox rows outlive deploys) and, in every language the admin bot speaks,
 * a title and a body built from those facts, so an alert reads whole in one language. An alert
 * code without both texts does not compile (and test/notifications/alert-codes.test.ts checks the
 * emit sites).
 */
export const ALERT_FACTS = {
  NO_CAPACITY: z.object({ plan: z.string(), group: z.string() }),
  PROVISIONING_FAILED: z.object({ reason: z.string() }),
  SERVER_DOWN: z.object({ failures: z.number().int(), error: z.string() }),
  SERVER_DEGRADED: z.object({ history: z.string(), latencyMs: z.number() }),
  SERVER_RECOVERED: z.object({ status: z.string(), latencyMs: z.number() }),
  DRIFT_DETECTED: z.object({
    /** Subscriptions with no client on the panel. */
    missing: z.number().int(),
    /** Clients whose limits, expiry, enabled flag, credentials or inbounds differ. */
    wrong: z.number().int(),
    duplicated: z.number().int(),
    /** Clients of our naming the panel holds but we do not want there. */
    orphans: z.number().int(),
    /** A few of the affected clients' names (usage sync). */
    sample: z.array(z.string()),
    /** Automatic repair: actions applied of planned (reconciliation with auto-repair on). */
    repaired: z.object({ applied: z.number().int(), planned: z.number().int() }).nullable(),
    /** Set when the report came from a reconciliation: the server to ask driftReport for. */
    serverId: z.string().nullable(),
  }),
  EVACUATION_COMPLETED: z.object({ moved: z.number().int(), leftovers: z.number().int() }),
  EVACUATION_FAILED: z.object({ moved: z.number().int(), failed: z.number().int(), total: z.number().int().nullable(), reason: z.string(), leftovers: z.number().int() }),
  /** A `moveSubscription` gave up: the subscription stays on its server (`serverName`). */
  SUBSCRIPTION_MOVE_FAILED: z.object({ subscriptionId: z.string(), target: z.string(), reason: z.string() }),
  /** The daily report at the hour of the `daily_report_hour_utc` setting ("today" is the UTC day so far). */
  DAILY_REPORT: z.object({
    customers: z.number().int(),
    customersToday: z.number().int(),
    ordersPaidToday: z.number().int(),
    revenueToday: z.number().int(),
    /** Optional: reports raised before it existed still render. */
    revenueLast7Days: z.number().int().optional(),
    revenueLast30Days: z.number().int(),
    activeSubscriptions: z.number().int(),
    receiptsWaiting: z.number().int(),
    failedOrders: z.number().int(),
    serversDown: z.number().int(),
  }),
} as const;

/** An admin alert code. */
export type AlertCode = keyof typeof ALERT_FACTS;

/** The facts an alert of code `C` carries. */
export type AlertFacts<C extends AlertCode> = z.infer<(typeof ALERT_FACTS)[C]>;

/** The languages alerts are written in. */
export type AlertLanguage = 'fa' | 'en';

/** Formatting the texts get from the renderer: numbers in the language's digits, text HTML-escaped. */
export interface AlertFormat {
  num(n: number): string;
  text(s: string, max?: number): string;
}

/** One language's text of one code. */
interface AlertText<C extends AlertCode> {
  title: string;
  body(f: AlertFacts<C>, x: AlertFormat): string;
}

type AlertTexts = { [C in AlertCode]: Record<AlertLanguage, AlertText<C>> };

/** The schemas, typed per code (so a parse of code `C` yields `AlertFacts<C>`). */
const FACT_SCHEMAS: { [C in AlertCode]: z.ZodType<AlertFacts<C>> } = ALERT_FACTS;

/** Ends a sentence built around a foreign text (a panel error) without a double full stop. */
function clause(text: string): string {
  return text.trim().replace(/[.。]+$/, '');
}

function driftCounts(f: AlertFacts<'DRIFT_DETECTED'>, x: AlertFormat, words: [string, string, string, string], separator: string): string {
  const parts: string[] = [];
  const counts = [f.missing, f.wrong, f.duplicated, f.orphans];
  counts.forEach((n, i) => {
    if (n > 0) parts.push(`${x.num(n)} ${words[i]}`);
  });
  return parts.join(separator);
}

const TEXTS: AlertTexts = {
  SUBSCRIPTION_MOVE_FAILED: {
    fa: {
      title: 'انتقال اشتراک انجام نشد',
      body: (f, x) => `اشتراک <code>${x.text(f.subscriptionId)}</code> به ${x.text(f.target)} منتقل نشد و روی سرور فعلی‌اش ماند.\nعلت: <code>${x.text(f.reason, 500)}</code>`,
    },
    en: {
      title: 'Subscription move failed',
      body: (f, x) => `Subscription <code>${x.text(f.subscriptionId)}</code> was not moved to ${x.text(f.target)}; it stays on its server.\nReason: <code>${x.text(f.reason, 500)}</code>`,
    },
  },
  DAILY_REPORT: {
    fa: {
      title: 'گزارش روزانه',
      body: (f, x) =>
        [
          `مشتری‌ها: ${x.num(f.customers)} (امروز ${x.num(f.customersToday)})`,
          `سفارش‌های پرداخت‌شده امروز: ${x.num(f.ordersPaidToday)}`,
          `درآمد امروز: ${x.num(f.revenueToday)}${f.revenueLast7Days === undefined ? '' : ` · ۷ روز: ${x.num(f.revenueLast7Days)}`} · ۳۰ روز: ${x.num(f.revenueLast30Days)}`,
          `اشتراک‌های فعال: ${x.num(f.activeSubscriptions)}`,
          `رسیدهای در انتظار: ${x.num(f.receiptsWaiting)} · سفارش‌های ناموفق: ${x.num(f.failedOrders)} · سرورهای قطع: ${x.num(f.serversDown)}`,
        ].join('\n'),
    },
    en: {
      title: 'Daily report',
      body: (f, x) =>
        [
          `Customers: ${x.num(f.customers)} (today ${x.num(f.customersToday)})`,
          `Orders paid today: ${x.num(f.ordersPaidToday)}`,
          `Revenue today: ${x.num(f.revenueToday)}${f.revenueLast7Days === undefined ? '' : ` · 7 days: ${x.num(f.revenueLast7Days)}`} · 30 days: ${x.num(f.revenueLast30Days)}`,
          `Active subscriptions: ${x.num(f.activeSubscriptions)}`,
          `Receipts waiting: ${x.num(f.receiptsWaiting)} · failed orders: ${x.num(f.failedOrders)} · servers down: ${x.num(f.serversDown)}`,
        ].join('\n'),
    },
  },
  NO_CAPACITY: {
    fa: { title: 'ظرفیت سرورها تکمیل است', body: (f, x) => `هیچ سروری برای پلن <code>${x.text(f.plan)}</code> (گروه <code>${x.text(f.group)}</code>) جا ندارد.` },
    en: { title: 'No server capacity left', body: (f, x) => `No server can host plan ${x.text(f.plan)} (group ${x.text(f.group)}).` },
  },
  PROVISIONING_FAILED: {
    fa: { title: 'ساخت اشتراک ناموفق بود', body: (f, x) => `ساخت اشتراک برای همیشه ناموفق ماند و مبلغ به کیف پول مشتری برگشت.\nعلت: <code>${x.text(f.reason, 300)}</code>` },
    en: { title: 'Provisioning failed', body: (f, x) => `Provisioning failed for good; the amount went back to the customer's wallet.\nReason: <code>${x.text(f.reason, 300)}</code>` },
  },
  SERVER_DOWN: {
    fa: {
      title: 'سرور از دسترس خارج شد',
      body: (f, x) => `پس از ${x.num(f.failures)} بررسی ناموفق پشت سر هم، سرور از دسترس خارج شد: <code>${x.text(clause(f.error), 500)}</code>\nاشتراک جدیدی روی آن ساخته نمی‌شود.`,
    },
    en: {
      title: 'Server is down',
      body: (f, x) => `DOWN after ${x.num(f.failures)} failed health probes in a row: ${x.text(clause(f.error), 500)}. New subscriptions are not placed on it.`,
    },
  },
  SERVER_DEGRADED: {
    fa: {
      title: 'سرور با مشکل کار می‌کند',
      body: (f, x) => `سرور کند یا ناپایدار است: بررسی‌های اخیر <code>${x.text(f.history || '-')}</code> (G خوب، S کند، F ناموفق)، تاخیر ${x.num(Math.round(f.latencyMs))} میلی‌ثانیه.`,
    },
    en: {
      title: 'Server is degraded',
      body: (f, x) => `DEGRADED (slow or flaky): last probes <code>${x.text(f.history || '-')}</code> (G good, S slow, F failed), latency ${x.num(Math.round(f.latencyMs))} ms.`,
    },
  },
  SERVER_RECOVERED: {
    fa: { title: 'سرور دوباره در دسترس است', body: (f, x) => `سرور دوباره <code>${x.text(f.status)}</code> است (بررسی ${x.num(Math.round(f.latencyMs))} میلی‌ثانیه).` },
    en: { title: 'Server is back', body: (f, x) => `${x.text(f.status)} again (probe ${x.num(Math.round(f.latencyMs))} ms).` },
  },
  DRIFT_DETECTED: {
    fa: {
      title: 'ناهمخوانی با پنل',
      body: (f, x) =>
        [
          `ناهمخوانی: ${driftCounts(f, x, ['بدون کلاینت روی پنل', 'با تنظیمات نادرست', 'تکراری', 'کلاینت اضافه'], '، ')}.`,
          f.sample.length > 0 ? `نمونه: <code>${x.text(f.sample.join(', '), 300)}</code>` : null,
          f.repaired ? `ترمیم خودکار: ${x.num(f.repaired.applied)} از ${x.num(f.repaired.planned)}.` : null,
          f.serverId
            ? `گزارش: <code>driftReport(serverId: "${x.text(f.serverId)}")</code>؛ ترمیم با repairDrift (اول با dryRun: true؛ کلاینت‌های اضافه فقط با deleteOrphans: true حذف می‌شوند).`
            : 'یک بررسی همخوانی (reconcile) اجرا کنید.',
        ]
          .filter((l) => l !== null)
          .join('\n'),
    },
    en: {
      title: 'Drift from the panel',
      body: (f, x) =>
        [
          `Drift: ${driftCounts(f, x, ['missing on the panel', 'wrong (limits, expiry, enabled, credentials or inbounds)', 'duplicated', 'orphans (our naming, not wanted here)'], ', ')}.`,
          f.sample.length > 0 ? `For example: <code>${x.text(f.sample.join(', '), 300)}</code>` : null,
          f.repaired ? `Repaired automatically: ${x.num(f.repaired.applied)} of ${x.num(f.repaired.planned)}.` : null,
          f.serverId
            ? `See <code>driftReport(serverId: "${x.text(f.serverId)}")</code>; repair with repairDrift (try dryRun: true first; orphans are deleted only with deleteOrphans: true).`
            : 'Run a reconciliation.',
        ]
          .filter((l) => l !== null)
          .join('\n'),
    },
  },
  EVACUATION_COMPLETED: {
    fa: {
      title: 'تخلیه سرور انجام شد',
      body: (f, x) =>
        `${x.num(f.moved)} اشتراک منتقل شد.` + (f.leftovers > 0 ? `\n${x.num(f.leftovers)} کلاینت هنوز از سرور مبدا حذف نشده؛ بررسی همخوانی وقتی سرور پاسخ دهد حذفشان می‌کند.` : ''),
    },
    en: {
      title: 'Evacuation completed',
      body: (f, x) =>
        `${x.num(f.moved)} subscriptions moved.` + (f.leftovers > 0 ? `\n${x.num(f.leftovers)} clients could not be deleted from the source yet; reconciliation deletes them when it answers.` : ''),
    },
  },
  EVACUATION_FAILED: {
    fa: {
      title: 'تخلیه سرور متوقف شد',
      body: (f, x) =>
        [
          f.total !== null
            ? `تخلیه پس از ${x.num(f.moved)} از ${x.num(f.total)} اشتراک متوقف شد.`
            : `${x.num(f.moved)} اشتراک منتقل شد و ${x.num(f.failed)} اشتراک منتقل نشد.`,
          `علت: <code>${x.text(f.reason, 500)}</code>`,
          'برای ادامه، evacuateServer را دوباره اجرا کنید.',
          f.leftovers > 0 ? `${x.num(f.leftovers)} کلاینت هنوز از سرور مبدا حذف نشده؛ بررسی همخوانی وقتی سرور پاسخ دهد حذفشان می‌کند.` : null,
        ]
          .filter((l) => l !== null)
          .join('\n'),
    },
    en: {
      title: 'Evacuation stopped',
      body: (f, x) =>
        [
          f.total !== null ? `Stopped after ${x.num(f.moved)} of ${x.num(f.total)} subscriptions.` : `${x.num(f.moved)} moved, ${x.num(f.failed)} could not be moved.`,
          `Reason: <code>${x.text(f.reason, 500)}</code>`,
          'Call evacuateServer again to continue.',
          f.leftovers > 0 ? `${x.num(f.leftovers)} clients could not be deleted from the source yet; reconciliation deletes them when it answers.` : null,
        ]
          .filter((l) => l !== null)
          .join('\n'),
    },
  },
};

function isAlertCode(code: string): code is AlertCode {
  return Object.prototype.hasOwnProperty.call(ALERT_FACTS, code);
}

/** Every code of the catalogue. */
export function alertCodes(): AlertCode[] {
  return Object.keys(ALERT_FACTS).filter(isAlertCode);
}

/** The title of an alert code; null for a code the catalogue does not know (e.g. an old row). */
export function alertTitle(code: string, lang: AlertLanguage): string | null {
  return isAlertCode(code) ? TEXTS[code][lang].title : null;
}

/**
 * The body of an alert in `lang` (HTML, every foreign text escaped by `x.text`); null when the
 * code is unknown or the facts do not match it (an old row: the renderer falls back to its
 * stored message).
 */
export function alertBody(code: string, facts: unknown, lang: AlertLanguage, x: AlertFormat): string | null {
  if (!isAlertCode(code)) return null;
  return bodyOf(code, facts, lang, x);
}

function bodyOf<C extends AlertCode>(code: C, facts: unknown, lang: AlertLanguage, x: AlertFormat): string | null {
  const parsed = FACT_SCHEMAS[code].safeParse(facts);
  if (!parsed.success) return null;
  const text: AlertText<C> = TEXTS[code][lang];
  return text.body(parsed.data, x);
}
