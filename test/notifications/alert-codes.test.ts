import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { alertCodes, alertTitle } from '../../src/notifications/alert-codes';
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
 * Every alert code written at an emit site: the literals inside `notifyAdmins(…, 'ADMIN_ALERT', …)`,
 * `alertOnce(…)` and `alerts.raise(…)` calls, and the members of `…AlertCode` union types (codes
 * chosen at run time, like server-health's).
 */
function emittedCodes(): Map<string, string> {
  const found = new Map<string, string>();
  const emit = /\b(notifyAdmins|alertOnce|\.raise)\s*\(/g;
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
});
