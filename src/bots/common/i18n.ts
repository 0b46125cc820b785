import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'grammy';
import { I18n, type I18nFlavor, type LocaleNegotiator } from '@grammyjs/i18n';
import type { BotLanguage } from './format';

/**
 * Texts of the bots: Fluent files per language (`fa.ftl`, `en.ftl`, or `fa/*.ftl`, `en/*.ftl`
 * sectioned by feature) through @grammyjs/i18n. A bot loads the common files (errors, navigation)
 * plus its own; all files of one language form one bundle, so ids must be unique across them.
 *
 * Placeables are not wrapped in Unicode isolation marks (`useIsolating: false`): Telegram shows
 * them as stray characters, and they would break a copied card number or amount.
 */

export const BOT_LANGUAGES: readonly BotLanguage[] = ['fa', 'en'];

/** This folder's locales (common texts). */
export const COMMON_LOCALES_DIR = localesDir(__dirname);

/**
 * The `locales` folder beside a module. The build (tsc) copies no .ftl files, so from `dist/src/…`
 * this resolves to the same folder under `src/…`.
 */
export function localesDir(moduleDir: string): string {
  const here = join(moduleDir, 'locales');
  if (existsSync(here)) return here;
  return join(moduleDir.replace(/([\\/])dist[\\/]src([\\/])/, '$1src$2'), 'locales');
}

/** Every Fluent source of one language in a locales folder, in a stable order. */
export function readLocaleSources(dir: string, lang: BotLanguage): Array<{ file: string; source: string }> {
  const out: Array<{ file: string; source: string }> = [];
  const single = join(dir, `${lang}.ftl`);
  if (existsSync(single)) out.push({ file: single, source: readFileSync(single, 'utf8') });
  const folder = join(dir, lang);
  if (existsSync(folder) && statSync(folder).isDirectory()) {
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.ftl')).sort()) {
      const file = join(folder, name);
      out.push({ file, source: readFileSync(file, 'utf8') });
    }
  }
  return out;
}

/** The message ids a Fluent source defines (terms `-x` excluded). */
export function fluentMessageIds(source: string): string[] {
  return [...source.matchAll(/^([a-zA-Z][a-zA-Z0-9_-]*)\s*=/gm)].map((m) => m[1]);
}

export interface BotTexts<C extends Context> {
  i18n: I18n<C & I18nFlavor>;
  /** Whether a message id exists (in Persian, the default; the parity test keeps en equal). */
  has(id: string): boolean;
  /** Translates outside an update (notifications, setMyCommands). */
  t(lang: BotLanguage, id: string, vars?: Record<string, string | number>): string;
}

/**
 * @grammyjs/i18n negotiates the bundles of a locale (@fluent/langneg over every loaded locale) on
 * every single `t()`; a bot screen translates a dozen texts. The answer depends only on the
 * locales asked for and the bundles loaded (all at start-up, before the first `t()`), so it is
 * kept per locale list.
 */
function memoizeBundleMatching(i18n: I18n<never>): void {
  const fluent = i18n.fluent as unknown as { matchBundles: (locales: string[]) => Set<unknown> };
  const match = fluent.matchBundles.bind(fluent);
  const known = new Map<string, Set<unknown>>();
  fluent.matchBundles = (locales) => {
    const key = locales.join('\n');
    let bundles = known.get(key);
    if (!bundles) {
      bundles = match(locales);
      if (known.size < 64) known.set(key, bundles);
    }
    return bundles;
  };
}

/** Builds the i18n of a bot from the common locales and the bot's own folders. */
export function createBotTexts<C extends Context>(dirs: string[], localeNegotiator: LocaleNegotiator<C & I18nFlavor>): BotTexts<C> {
  const i18n = new I18n<C & I18nFlavor>({
    defaultLocale: 'fa',
    useSession: false,
    localeNegotiator,
    fluentBundleOptions: { useIsolating: false },
  });
  memoizeBundleMatching(i18n);
  const ids = new Set<string>();
  for (const lang of BOT_LANGUAGES) {
    const sources = [COMMON_LOCALES_DIR, ...dirs].flatMap((d) => readLocaleSources(d, lang));
    const source = sources.map((s) => s.source).join('\n');
    i18n.loadLocaleSync(lang, { source, isDefault: lang === 'fa' });
    if (lang === 'fa') for (const id of fluentMessageIds(source)) ids.add(id);
  }
  return {
    i18n,
    has: (id) => ids.has(id),
    t: (lang, id, vars) => i18n.t(lang, id, vars),
  };
}
