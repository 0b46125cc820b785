import { Language } from '../../../src/entities/customer.entity';
import * as bot from '../../../src/bots/common/format';
import * as notices from '../../../src/services/format';

const GIB = 1024 ** 3;

describe('bot formatting', () => {
  it('shows Toman with separators, Persian digits in Persian and Latin digits in English', () => {
    expect(bot.formatMoney(1250000, 'fa')).toBe('۱٬۲۵۰٬۰۰۰ تومان');
    expect(bot.formatMoney(1250000, 'en')).toBe('1,250,000 Toman');
    expect(bot.formatPayableDigits(1250000)).toBe('1250000');
  });

  it('shows traffic in GB or MB and an unlimited quota as such', () => {
    expect(bot.formatBytes(30 * GIB, 'fa')).toBe('۳۰ گیگابایت');
    expect(bot.formatBytes(1.5 * GIB, 'en')).toBe('1.5 GB');
    expect(bot.formatBytes(512 * 1024 ** 2, 'en')).toBe('512 MB');
    expect(bot.formatQuota(0, 'fa')).toBe('نامحدود');
    expect(bot.formatQuota(0, 'en')).toBe('Unlimited');
  });

  it('shows dates in the Jalali calendar in Persian and the Gregorian one in English, Tehran time', () => {
    const nowruz = new Date('2025-03-20T21:00:00Z'); // 00:30 on 1 Farvardin 1404 in Tehran
    expect(bot.formatDate(nowruz, 'fa')).toBe('۱ فروردین ۱۴۰۴');
    expect(bot.formatDate(nowruz.toISOString(), 'en')).toBe('Mar 21, 2025');
    expect(bot.formatDateTime(nowruz, 'en')).toBe('Mar 21, 2025, 00:30');
  });

  it('agrees with the notification renderer on money, traffic and dates', () => {
    const at = new Date('2026-01-05T12:00:00Z');
    for (const [lang, l] of [['fa', Language.FA], ['en', Language.EN]] as const) {
      expect(bot.formatMoney(99000, lang)).toBe(notices.formatMoney(99000, l));
      expect(bot.formatQuota(0, lang)).toBe(notices.formatBytes(0, l));
      expect(bot.formatBytes(7 * GIB, lang)).toBe(notices.formatTraffic(7 * GIB, l));
      expect(bot.formatDateTime(at, lang)).toBe(notices.formatDateTime(at, l));
    }
  });

  it('reads digits typed in Persian or Arabic script, with separators, as ASCII', () => {
    expect(bot.normalizeDigits('۱۲٬۰۰۰')).toBe('12000');
    expect(bot.normalizeDigits('٣٤ 5,6')).toBe('3456');
    expect(bot.normalizeDigits('abc')).toBe('abc');
  });

  it('draws a usage bar and none for an unlimited quota', () => {
    expect(bot.usageBar(3, 10, 'en')).toBe('▰▰▰▱▱▱▱▱▱▱ 30%');
    expect(bot.usageBar(20, 10, 'fa')).toBe('▰▰▰▰▰▰▰▰▰▰ ۱۰۰٪');
    expect(bot.usageBar(5, 0, 'en')).toBe('');
  });

  it('counts whole days left, never negative', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(bot.daysLeft(new Date('2026-01-03T00:00:01Z'), now)).toBe(3);
    expect(bot.daysLeft('2025-12-01T00:00:00Z', now)).toBe(0);
  });

  it('escapes HTML in user-provided text and maps Telegram language codes', () => {
    expect(bot.escapeHtml('<b>"x" & y</b>')).toBe('&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;');
    expect(bot.toBotLanguage('en-US')).toBe('en');
    expect(bot.toBotLanguage('EN')).toBe('en');
    expect(bot.toBotLanguage('fa')).toBe('fa');
    expect(bot.toBotLanguage(undefined)).toBe('fa');
  });
});
