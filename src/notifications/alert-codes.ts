/**
 * The admin alert codes the services can emit, each with its title in every language the admin
 * bot speaks. `NotificationParams['ADMIN_ALERT'].code` is typed by this catalogue, so an alert code
 * without titles does not compile (and test/notifications/alert-codes.test.ts checks the emit sites).
 */
export const ALERT_TITLES = {
  NO_CAPACITY: { fa: 'ظرفیت سرورها تکمیل است', en: 'No server capacity left' },
  PROVISIONING_FAILED: { fa: 'ساخت اشتراک ناموفق بود', en: 'Provisioning failed' },
  PANEL_UNAVAILABLE: { fa: 'پنل در دسترس نیست', en: 'Panel unreachable' },
  PANEL_AUTH_FAILED: { fa: 'ورود به پنل ناموفق بود', en: 'Panel login failed' },
  PANEL_REJECTED: { fa: 'پنل درخواست را نپذیرفت', en: 'Panel refused a request' },
  SERVER_DOWN: { fa: 'سرور از دسترس خارج شد', en: 'Server is down' },
  SERVER_DEGRADED: { fa: 'سرور با مشکل کار می‌کند', en: 'Server is degraded' },
  SERVER_RECOVERED: { fa: 'سرور دوباره در دسترس است', en: 'Server is back' },
  DRIFT_DETECTED: { fa: 'ناهمخوانی با پنل', en: 'Drift from the panel' },
  EVACUATION_COMPLETED: { fa: 'تخلیه سرور انجام شد', en: 'Evacuation completed' },
  EVACUATION_FAILED: { fa: 'تخلیه سرور متوقف شد', en: 'Evacuation stopped' },
} as const satisfies Record<string, { fa: string; en: string }>;

/** An admin alert code. */
export type AlertCode = keyof typeof ALERT_TITLES;

/** The languages alert titles are written in. */
export type AlertLanguage = 'fa' | 'en';

function isAlertCode(code: string): code is AlertCode {
  return Object.prototype.hasOwnProperty.call(ALERT_TITLES, code);
}

/** Every code of the catalogue. */
export function alertCodes(): AlertCode[] {
  return Object.keys(ALERT_TITLES).filter(isAlertCode);
}

/** The title of an alert code; null for a code the catalogue does not know (e.g. an old row). */
export function alertTitle(code: string, lang: AlertLanguage): string | null {
  return isAlertCode(code) ? ALERT_TITLES[code][lang] : null;
}
