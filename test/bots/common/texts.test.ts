import { ERROR_CODES } from '../../../src/errors';
import { API_UNAVAILABLE } from '../../../src/bots/common/graphql-client';
import { errorMessageId } from '../../../src/bots/common/error-boundary';
import { COMMON_LOCALES_DIR, fluentMessageIds, readLocaleSources } from '../../../src/bots/common/i18n';

function ids(lang: 'fa' | 'en'): string[] {
  return readLocaleSources(COMMON_LOCALES_DIR, lang).flatMap((s) => fluentMessageIds(s.source));
}

describe('common bot texts', () => {
  it('Persian and English define the same message ids, each once', () => {
    const fa = ids('fa');
    const en = ids('en');
    expect(new Set(fa).size).toBe(fa.length);
    expect(new Set(en).size).toBe(en.length);
    expect([...fa].sort()).toEqual([...en].sort());
  });

  it('every error code the API can return has a Persian and an English text', () => {
    const codes = [...Object.keys(ERROR_CODES), API_UNAVAILABLE];
    for (const lang of ['fa', 'en'] as const) {
      const defined = new Set(ids(lang));
      const missing = codes.filter((c) => !defined.has(errorMessageId(c)));
      expect({ lang, missing }).toEqual({ lang, missing: [] });
    }
  });
});
