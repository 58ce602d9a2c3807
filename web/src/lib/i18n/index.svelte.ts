import { en } from './en';
import { nl, type MessageKey } from './nl';
import type { Lang } from '$lib/format';

export type { MessageKey } from './nl';
export type { Lang } from '$lib/format';

export const languages: readonly Lang[] = ['nl', 'en'];
export const dictionaries: Record<Lang, Record<MessageKey, string>> = { nl, en };

const STORAGE_KEY = 'opvangatlas.lang';

type Params = Record<string, string | number>;

/** Pure lookup with {placeholder} substitution; falls back to Dutch, then to the key. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = dictionaries[lang][key] ?? nl[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}

/** Keys with a singular and plural form: `x.one` / `x.other`. */
type PluralBase = MessageKey extends infer K ? (K extends `${infer B}.one` ? B : never) : never;

class I18n {
  lang = $state<Lang>('nl');

  /** Reads the stored choice; Dutch first, whatever the browser says. */
  init(): void {
    try {
      const stored = localStorage.getItem(STORAGE_KEY);
      if (stored === 'nl' || stored === 'en') this.lang = stored;
    } catch {
      // storage blocked (private mode): keep Dutch
    }
    this.#apply();
  }

  set(lang: Lang): void {
    this.lang = lang;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // not persisted; the choice still holds for this tab
    }
    this.#apply();
  }

  #apply(): void {
    if (typeof document !== 'undefined') document.documentElement.lang = this.lang;
  }
}

export const i18n = new I18n();

/** Translate in the current language; reactive in templates and $derived. */
export function t(key: MessageKey, params?: Params): string {
  return translate(i18n.lang, key, params);
}

/** Plural form by count; `{count}` is available in the text. */
export function tp(base: PluralBase, count: number, params?: Params): string {
  const rule = new Intl.PluralRules(i18n.lang === 'nl' ? 'nl-NL' : 'en-GB').select(count);
  const key = `${base}.${rule === 'one' ? 'one' : 'other'}` as MessageKey;
  return translate(i18n.lang, key, { count, ...params });
}
