import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { alertBody, alertCodes, alertTitle, type AlertCode, type AlertFacts, type AlertFormat } from '../../src/notifications/alert-codes';
import { EN_NOTIFICATIONS } from '../../src/notifications/messages/notification.en';
import { FA_NOTIFICATIONS } from '../../src/notifications/messages/notification.fa';

const src = path.resolve(__dirname, '..', '..', 'src');
const CODE = /'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

/** The text of the call whose opening parenthesis is at `open`, up to its matching close. */
function callText(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open, i + 1);
  }
  return text.slice(open);
}

/**
 * Every alert code written at an emit site: the literals inside `sendAlert(…)`, `raiseAlert(…)` and
 * `alerts.raise(…)` calls (and any `notifyAdmins(…, 'ADMIN_ALERT', …)`), and the members of
 * `…AlertCode` union types (codes chosen at run time, like server-health's).
 */
function emittedCodes(): Map<string, string> {
  const found = new Map<string, string>();
  const emit = /\b(notifyAdmins|sendAlert|raiseAlert|\.raise)\s*\(/g;
  for (const file of sourceFiles(src)) {
    if (file.includes(`${path.sep}notifications${path.sep}`)) continue;
    const text = readFileSync(file, 'utf8');
    const where = path.relative(src, file);
    for (const m of text.matchAll(emit)) {
      const call = callText(text, m.index + m[0].length - 1);
      if (m[1] === 'notifyAdmins' && !call.includes("'ADMIN_ALERT'")) continue;
      for (const c of call.matchAll(CODE)) if (c[1] !== 'ADMIN_ALERT') found.set(c[1], where);
    }
    for (const t of text.matchAll(/type \w*AlertCode = ([^;]+);/g)) {
      for (const c of t[1].matchAll(CODE)) found.set(c[1], where);
    }
  }
  return found;
}

describe('admin alert codes', () => {
  const emitted = emittedCodes();

  it('finds the emit sites of the services (the scan itself works)', () => {
    expect([...emitted.keys()]).toEqual(expect.arrayContaining(['NO_CAPACITY', 'SERVER_DOWN', 'SERVER_RECOVERED', 'DRIFT_DETECTED', 'EVACUATION_FAILED']));
  });

  it('gives every code the services can emit a Persian and an English title', () => {
    const missing = [...emitted].filter(([code]) => !alertTitle(code, 'fa') || !alertTitle(code, 'en')).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
    for (const code of alertCodes()) {
      expect(alertTitle(code, 'fa')).toMatch(/[\u0600-\u06FF]/);
      expect(alertTitle(code, 'en')).toMatch(/^[\x20-\x7E]+$/);
    }
  });

  it('titles a recovery alert as a recovery in both languages, not as a generic system event', () => {
    const view = { code: 'SERVER_RECOVERED', message: 'm', orderNumber: null, serverName: 'de-1' };
    expect(EN_NOTIFICATIONS.alert(view)).toContain('Alert: Server is back');
    expect(FA_NOTIFICATIONS.alert(view)).toContain('سرور دوباره در دسترس است');
    expect(EN_NOTIFICATIONS.alert(view)).not.toContain('System event');
  });

  /** A sample of every code's facts, with English technical text where a panel would give it. */
  const SAMPLES: { [C in AlertCode]: AlertFacts<C> } = {
    NO_CAPACITY: { plan: 'basic-30', group: 'default' },
    PROVISIONING_FAILED: { reason: 'PANEL_REJECTED: inbound not found' },
    SERVER_DOWN: { failures: 3, error: 'PANEL_UNAVAILABLE: the panel does not answer right now.' },
    SERVER_DEGRADED: { history: 'GGSFFG', latencyMs: 2400.4 },
    SERVER_RECOVERED: { status: 'HEALTHY', latencyMs: 120 },
    DRIFT_DETECTED: { missing: 2, wrong: 1, duplicated: 0, orphans: 3, sample: ['u-abc', 'u-def'], repaired: { applied: 2, planned: 3 }, serverId: 'c0ffee' },
    EVACUATION_COMPLETED: { moved: 26, leftovers: 4 },
    EVACUATION_FAILED: { moved: 10, failed: 2, total: 12, reason: 'PANEL_UNAVAILABLE: timeout', leftovers: 1 },
    SUBSCRIPTION_MOVE_FAILED: { subscriptionId: '7d0c5a3e-1b2f-4c6d-9e8f-0a1b2c3d4e5f', target: 'de-2', reason: 'PANEL_REJECTED: inbound not found' },
    DAILY_REPORT: { customers: 120, customersToday: 4, ordersPaidToday: 7, revenueToday: 1_050_000, revenueLast7Days: 7_200_000, revenueLast30Days: 30_000_000, activeSubscriptions: 88, receiptsWaiting: 2, failedOrders: 0, serversDown: 1 },
  };
  const format = (digits: 'fa' | 'en'): AlertFormat => ({
    num: (n) => (digits === 'fa' ? String(Math.trunc(n)).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]) : String(Math.trunc(n))),
    text: (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  });
  /** Text a reader sees outside `<code>` (identifiers, panel errors) and tags. */
  const prose = (html: string) => html.replace(/<code>[\s\S]*?<\/code>/g, ' ').replace(/<[^>]+>/g, ' ');
  /** API names the Persian text names as they are typed. */
  const API_WORDS = new Set(['driftReport', 'serverId', 'repairDrift', 'dryRun', 'true', 'deleteOrphans', 'evacuateServer']);

  it('renders every alert whole in one language: a Persian alert has no English sentence, an English one no Persian', () => {
    for (const code of alertCodes()) {
      const view = (lang: 'fa' | 'en') => ({ code, message: alertBody(code, SAMPLES[code], lang, format(lang))!, orderNumber: null, serverName: 'de-1' });
      const fa = FA_NOTIFICATIONS.alert(view('fa'));
      const en = EN_NOTIFICATIONS.alert(view('en'));
      const englishInFa = (prose(fa).match(/[A-Za-z]{3,}/g) ?? []).filter((w) => w !== code && !code.split('_').includes(w) && !API_WORDS.has(w));
      expect({ code, englishInFa }).toEqual({ code, englishInFa: [] });
      expect(prose(view('fa').message)).toMatch(/[\u0600-\u06FF]/);
      expect({ code, persianInEn: /[\u0600-\u06FF]/.test(en) }).toEqual({ code, persianInEn: false });
    }
  });

  it('renders an old alert row without facts from its stored text, and refuses facts of the wrong shape', () => {
    expect(alertBody('NO_CAPACITY', undefined, 'fa', format('fa'))).toBeNull();
    expect(alertBody('NO_CAPACITY', { plan: 1 }, 'en', format('en'))).toBeNull();
    expect(alertBody('RETIRED_CODE', {}, 'en', format('en'))).toBeNull();
  });

  it('shows revenue of today, 7 and 30 days in the daily report, and an older report without the 7 days still renders', () => {
    const facts = SAMPLES.DAILY_REPORT;
    expect(alertBody('DAILY_REPORT', facts, 'en', format('en'))).toContain('Revenue today: 1050000 · 7 days: 7200000 · 30 days: 30000000');
    expect(alertBody('DAILY_REPORT', facts, 'fa', format('fa'))).toContain('· ۷ روز: ۷۲۰۰۰۰۰ ·');
    const { revenueLast7Days: _dropped, ...older } = facts;
    expect(alertBody('DAILY_REPORT', older, 'en', format('en'))).toContain('Revenue today: 1050000 · 30 days: 30000000');
  });

  it('ends a DOWN alert around a panel error with one full stop', () => {
    const en = alertBody('SERVER_DOWN', SAMPLES.SERVER_DOWN, 'en', format('en'))!;
    expect(en).toContain('right now. New subscriptions');
    expect(en).not.toMatch(/\.\./);
  });
});
