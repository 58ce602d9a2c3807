/**
 * Calendar days as the monitor counts them: dates in the Netherlands (Europe/Amsterdam) as
 * `YYYY-MM-DD` strings, compared and stepped as plain dates, so a stay's nights do not
 * depend on the server's time zone or on daylight saving time.
 */
const dateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The date in the Netherlands at this moment. */
export function dutchDate(at: Date): string {
  return dateFormat.format(at);
}

const DAY_MS = 86_400_000;
const utc = (date: string) => Date.parse(`${date}T00:00:00Z`);

export function addDays(date: string, days: number): string {
  return new Date(utc(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utc(to) - utc(from)) / DAY_MS);
}

/** `2026-03` */
export const monthOf = (date: string) => date.slice(0, 7);

export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The first day of the month after `month`. */
export function nextMonthStart(month: string): string {
  return addDays(`${month}-01`, daysInMonth(month));
}

/** The months from `from` to `to`, both included (`2025-01` .. `2026-03`). */
export function monthsFrom(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = from; m <= to; m = monthOf(nextMonthStart(m))) months.push(m);
  return months;
}

/**
 * Nights of a stay within the dates `from` (included) to `to` (excluded): one per calendar
 * day `d` with start <= d < end (the monitor's verblijfsdagen of a household). A stay still
 * going counts through `today`: the household sleeps there tonight.
 */
export function nightsIn(
  stay: { startDate: string; endDate: string | null },
  from: string,
  to: string,
  today: string,
): number {
  const end = stay.endDate ?? addDays(today, 1);
  const first = stay.startDate > from ? stay.startDate : from;
  const last = end < to ? end : to;
  return Math.max(0, daysBetween(first, last));
}
