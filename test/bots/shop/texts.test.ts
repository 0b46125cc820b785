import { fluentMessageIds, readLocaleSources } from '../../../src/bots/common';
import { createShopTexts, SHOP_LOCALES_DIR } from '../../../src/bots/shop/texts';
import { SHOP_COMMANDS } from '../../../src/bots/shop/bot';

const ids = (lang: 'fa' | 'en') => readLocaleSources(SHOP_LOCALES_DIR, lang).flatMap((s) => fluentMessageIds(s.source));

describe('shop bot texts', () => {
  it('Persian and English define the same message ids, each once, in sections', () => {
    const fa = ids('fa');
    const en = ids('en');
    expect(new Set(fa).size).toBe(fa.length);
    expect([...fa].sort()).toEqual([...en].sort());
    for (const lang of ['fa', 'en'] as const) {
      const sections = readLocaleSources(SHOP_LOCALES_DIR, lang)[0].source.match(/^## .+$/gm) ?? [];
      expect(sections.length).toBeGreaterThanOrEqual(8);
    }
  });

  it('has a command description in both languages for every command', () => {
    const texts = createShopTexts();
    for (const lang of ['fa', 'en'] as const) for (const c of SHOP_COMMANDS) expect(texts.t(lang, `cmd-${c}`)).not.toMatch(/^cmd-/);
  });
});
