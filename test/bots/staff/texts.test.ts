import { readdirSync } from 'node:fs';
import { fluentMessageIds, readLocaleSources } from '../../../src/bots/common';
import { ADMIN_COMMANDS } from '../../../src/bots/admin/bot';
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
});
