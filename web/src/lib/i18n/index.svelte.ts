import { en } from './en';
import { nl, type MessageKey } from './nl';
import type { Cell } from '@opvangatlas/shared';
import type { Lang } from '$lib/format';

export type { MessageKey } from './nl';
export type { Lang } from '$lib/format';

export const dictionaries: Record<Lang, Record<MessageKey, string>> = { nl, en };

const STORAGE_KEY = 'opvangatlas.lang';

type Params = Record<string, string | number>;

/** The `{name}` placeholders of a message text, as a union of names. */
type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | Placeholders<Rest>
  : never;
/** The placeholders of a key's Dutch text (the source; en must use the same ones, below). */
export type ParamName<K extends MessageKey> = Placeholders<(typeof nl)[K]>;
/** Keys whose text has no placeholders: what a table of labels may hold (t(key) alone). */
export type PlainKey = {
  [K in MessageKey]: [ParamName<K>] extends [never] ? K : never;
}[MessageKey];
/** t()'s arguments after the key: none for a text without placeholders, else every one of them. */
type ParamArgs<Names extends string> = [Names] extends [never]
  ? []
  : [params: Record<Names, string | number>];

/**
 * Compile-time check that every English text has exactly the placeholders of the Dutch one:
 * a key listed in the error is one whose texts differ.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type PlaceholderMismatch = {
  [K in MessageKey]: Same<ParamName<K>, Placeholders<(typeof en)[K]>> extends true ? never : K;
}[MessageKey];
const placeholdersMatch: [PlaceholderMismatch] extends [never] ? true : PlaceholderMismatch = true;
void placeholdersMatch;

/**
 * Pure lookup with {placeholder} substitution; falls back to Dutch, then to the key.
 * Untyped params: for tests and texts whose values come from the server (error codes);
 * components use t() and tp(), which require every placeholder.
 */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = dictionaries[lang][key] ?? nl[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}

/** Keys with a singular and plural form: `x.one` / `x.other`. */
export type PluralBase = MessageKey extends infer K
  ? K extends `${infer B}.one`
    ? B
    : never
  : never;
/** The placeholders of both plural forms, but `{count}`, which tp() fills in. */
type PluralParamName<B extends PluralBase> = Exclude<
  ParamName<Extract<`${B}.one` | `${B}.other`, MessageKey>>,
  'count'
>;

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

/**
 * Translate in the current language; reactive in templates and $derived. Every `{name}` in
 * the text is a required parameter: `t('hold.until')` without `{ time }` does not compile.
 */
export function t<K extends MessageKey>(key: K, ...params: ParamArgs<ParamName<K>>): string {
  return translate(i18n.lang, key, params[0]);
}

/** Plural keys whose only placeholder is `{count}`: labels that need nothing but a number. */
export type CountPlural = {
  [B in PluralBase]: [PluralParamName<B>] extends [never] ? B : never;
}[PluralBase];

/** Built once: a list renders hundreds of plurals, and building the rules costs more than using them. */
const pluralRules = {
  nl: new Intl.PluralRules('nl-NL'),
  en: new Intl.PluralRules('en-GB'),
} as const;

/** Plural form by count; `{count}` is filled in, every other placeholder is required. */
export function tp<B extends PluralBase>(
  base: B,
  count: number,
  ...params: ParamArgs<PluralParamName<B>>
): string {
  const rule = pluralRules[i18n.lang].select(count);
  const key = `${base}.${rule === 'one' ? 'one' : 'other'}` as MessageKey;
  return translate(i18n.lang, key, { count, ...params[0] });
}

/**
 * tp() for a figure a municipality may see suppressed: a hidden one ("<5", "x") takes the
 * plural form with its label in place of the number, as the Gemeente tables show it.
 */
export function tpCell<B extends PluralBase>(
  base: B,
  cell: Cell,
  ...params: ParamArgs<PluralParamName<B>>
): string {
  if (typeof cell === 'number') return tp(base, cell, ...params);
  return translate(i18n.lang, `${base}.other` as MessageKey, { count: cell, ...params[0] });
}
