import { readdirSync } from 'node:fs';
import { fluentMessageIds, readLocaleSources } from '../../../src/bots/common';
import { ADMIN_COMMANDS } from '../../../src/bots/admin/bot';
import { broadcastFeature } from '../../../src/bots/admin/broadcast';
import { codesFeature } from '../../../src/bots/admin/codes';
import { customersFeature } from '../../../src/bots/admin/customers';
import { dashboardFeature } from '../../../src/bots/admin/dashboard';
import { menuFeature } from '../../../src/bots/admin/menu';
import { paymentsFeature } from '../../../src/bots/admin/payments';
import { plansFeature } from '../../../src/bots/admin/plans';
import { serversFeature } from '../../../src/bots/admin/servers';
import { settingsFeature } from '../../../src/bots/admin/settings';
import { subscriptionsFeature } from '../../../src/bots/admin/subscriptions';
import { ticketsFeature } from '../../../src/bots/admin/tickets';
import { MENU_SECTIONS } from '../../../src/bots/admin/menu';
import { REJECT_REASONS } from '../../../src/bots/admin/payments';
import { BOT_SETTINGS } from '../../../src/bots/admin/settings';
import { ADMIN_LOCALES_DIR, createAdminTexts } from '../../../src/bots/admin/texts';

describe('admin bot texts', () => {
  it('Persian and English have the same feature files and the same message ids, each once', () => {
    expect(readdirSync(`${ADMIN_LOCALES_DIR}/fa`).sort()).toEqual(readdirSync(`${ADMIN_LOCALES_DIR}/en`).sort());
    const ids = (lang: 'fa' | 'en') => readLocaleSources(ADMIN_LOCALES_DIR, lang).flatMap((s) => fluentMessageIds(s.source));
    const fa = ids('fa');
    expect(new Set(fa).size).toBe(fa.length);
    expect([...fa].sort()).toEqual([...ids('en')].sort());
  });

  it('has a text for every id the bot builds at run time (menu, commands, reasons, settings)', () => {
    const texts = createAdminTexts();
    const built = [
      ...MENU_SECTIONS.map((s) => `menu-${s}`),
      ...ADMIN_COMMANDS.map((c) => `cmd-${c}`),
      ...REJECT_REASONS.map((r) => `pay-reason-${r}`),
      ...BOT_SETTINGS.flatMap((k) => [`set-${k.replace(/_/g, '-')}`, `set-hint-${k.replace(/_/g, '-')}`]),
      ...['all', 'active', 'expired', 'never-bought'].map((a) => `bc-aud-${a}`),
      ...['kind', 'name', 'url', 'username', 'password', 'token', 'group', 'capacity'].map((s) => `srv-ask-${s}`),
      ...['path', 'auth', 'unreachable', 'version', 'rejected', 'input'].map((f) => `srv-fail-${f}`),
      'role-admin',
      'role-support',
    ];
    expect(built.filter((id) => !texts.has(id))).toEqual([]);
  });

  it('lists in the Telegram command menu only commands the bot answers, including the wizards (/addplan, /codes, /addcode, /addserver)', () => {
    const features = [menuFeature, dashboardFeature, paymentsFeature, customersFeature, subscriptionsFeature, serversFeature, plansFeature, codesFeature, broadcastFeature(async () => Buffer.alloc(0)), settingsFeature, ticketsFeature];
    const handled = new Set(['cancel', ...features.flatMap((f) => Object.keys(f.commands ?? {}))]);
    expect(ADMIN_COMMANDS.filter((c) => !handled.has(c))).toEqual([]);
    expect(ADMIN_COMMANDS).toEqual(expect.arrayContaining(['addplan', 'codes', 'addcode', 'addserver']));
    // Telegram: 1–32 characters, lowercase letters, digits and underscores; at most 100 commands.
    expect(ADMIN_COMMANDS.every((c) => /^[a-z0-9_]{1,32}$/.test(c))).toBe(true);
    expect(ADMIN_COMMANDS.length).toBeLessThanOrEqual(100);
  });
});
