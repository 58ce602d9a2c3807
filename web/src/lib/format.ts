// Locale-aware formatting helpers. Pure functions (the language is passed in) so they can be
// unit-tested without the i18n state.

export type Lang = 'nl' | 'en';

const localeOf = (lang: Lang) => (lang === 'nl' ? 'nl-NL' : 'en-GB');

/**
 * One formatter per language and kind: building an Intl formatter costs far more than using
 * one, and a list of 40 places formats a hundred times per render (a phone's first paint).
 */
function cached<T>(make: (locale: string) => T): (lang: Lang) => T {
  const made = new Map<Lang, T>();
  return (lang) => {
    let formatter = made.get(lang);
    if (!formatter) made.set(lang, (formatter = make(localeOf(lang))));
    return formatter;
  };
}
const timeFormat = cached(
  (l) => new Intl.DateTimeFormat(l, { hour: '2-digit', minute: '2-digit' }),
);
const dateTimeFormat = cached(
  (l) =>
    new Intl.DateTimeFormat(l, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    }),
);
const relativeFormat = cached((l) => new Intl.RelativeTimeFormat(l, { numeric: 'auto' }));
const kmFormat = cached((l) => new Intl.NumberFormat(l, { maximumFractionDigits: 0 }));
const percentFormat = cached(
  (l) => new Intl.NumberFormat(l, { style: 'percent', maximumFractionDigits: 0 }),
);

/** "03:12" */
export function formatTime(date: Date | string, lang: Lang): string {
  return timeFormat(lang).format(new Date(date));
}

/** "ma 3 mrt 03:12" for dates that are not today. */
export function formatDateTime(date: Date | string, lang: Lang, now: Date = new Date()): string {
  const d = new Date(date);
  if (d.toDateString() === now.toDateString()) return formatTime(d, lang);
  return dateTimeFormat(lang).format(d);
}

/** "3 uur geleden" / "3 hours ago"; "zojuist" below a minute. */
export function formatRelative(date: Date | string, now: Date, lang: Lang): string {
  const seconds = Math.round((new Date(date).getTime() - now.getTime()) / 1000);
  const rtf = relativeFormat(lang);
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(0, 'minute');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86400), 'day');
}

/**
 * Remaining time of a hold: "14:05" (minutes:seconds) or "1:02:03" above an hour.
 * Never negative: an expired hold reads "0:00".
 */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** "≈ 23 km"; distances under 1 km (the own region) read "0 km". */
export function formatDistance(km: number, lang: Lang): string {
  const n = kmFormat(lang).format(km);
  return `${n} km`;
}

/** 0.914 -> "91%" */
export function formatPercent(fraction: number, lang: Lang): string {
  return percentFormat(lang).format(fraction);
}
