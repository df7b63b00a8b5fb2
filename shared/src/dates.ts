/** A calendar date without time zone, as printed on the card. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function isRealDate({ year, month, day }: CalendarDate): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Whole years from `from` to `to` (the age on `to` of someone born on `from`). */
export function fullYearsBetween(from: CalendarDate, to: CalendarDate): number {
  const years = to.year - from.year;
  const beforeAnniversary = to.month < from.month || (to.month === from.month && to.day < from.day);
  return beforeAnniversary ? years - 1 : years;
}

/** The same day `years` later; 29 February becomes 28 February in a common year. */
export function addYears(date: CalendarDate, years: number): CalendarDate {
  const year = date.year + years;
  return { year, month: date.month, day: Math.min(date.day, daysInMonth(year, date.month)) };
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Today's date in China Standard Time, which is what every date on the card refers to. */
export function todayInChina(now: Date = new Date()): CalendarDate {
  const shifted = new Date(now.getTime() + 8 * 3600_000);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** The first millisecond of a day (`YYYY-MM-DD`) in China Standard Time. */
export function startOfDayInChina(day: string): number {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  return Date.UTC(year, month - 1, date) - 8 * 3600_000;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `1990-03-07` */
export function formatIsoDate(d: CalendarDate): string {
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}

/** `1990.03.07`, as on the emblem side. */
export function formatDottedDate(d: CalendarDate): string {
  return `${pad(d.year, 4)}.${pad(d.month)}.${pad(d.day)}`;
}

/** `19900307`, as inside the ID number. */
export function formatCompactDate(d: CalendarDate): string {
  return `${pad(d.year, 4)}${pad(d.month)}${pad(d.day)}`;
}

/** A time in milliseconds (a number, or the string PostgreSQL gives a bigint as) as ISO 8601. */
export const isoFromMs = (ms: number | string): string => new Date(Number(ms)).toISOString();
