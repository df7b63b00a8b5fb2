import {
  type CalendarDate,
  addYears,
  compareDates,
  formatDottedDate,
  fullYearsBetween,
  isRealDate,
  todayInChina,
} from './dates.js';
import type { Validation, ValidityReason } from './reasons.js';

/** The 有效期限 of the emblem side; `end` is null for 长期 (no expiry). */
export interface ValidityPeriod {
  start: CalendarDate;
  end: CalendarDate | null;
}

export const LONG_TERM = '长期';

/**
 * Readers print the separator in many ways (hyphen, en dash, the ideograph 一 in OCR output);
 * all of them mean the same range.
 */
const PERIOD_PATTERN = /^(\d{4})\.(\d{2})\.(\d{2})\s*[-–—一~至]\s*(?:(\d{4})\.(\d{2})\.(\d{2})|长期)$/;

export function parseValidityPeriod(raw: string): Validation<ValidityPeriod, ValidityReason> {
  const match = PERIOD_PATTERN.exec(raw.trim());
  if (!match) return { ok: false, reasons: ['validity_format'] };
  const [, sy, sm, sd, ey, em, ed] = match;
  const start = { year: Number(sy), month: Number(sm), day: Number(sd) };
  const end = ey === undefined ? null : { year: Number(ey), month: Number(em), day: Number(ed) };
  if (!isRealDate(start) || (end && (!isRealDate(end) || compareDates(end, start) <= 0))) {
    return { ok: false, reasons: ['validity_dates_invalid'] };
  }
  return { ok: true, value: { start, end } };
}

export function formatValidityPeriod({ start, end }: ValidityPeriod): string {
  return `${formatDottedDate(start)}-${end ? formatDottedDate(end) : LONG_TERM}`;
}

/**
 * Years of validity for a card issued at a given age (Resident Identity Card Law, art. 5):
 * under 16: 5 years; 16-25: 10; 26-45: 20; 46 and over: long-term (null).
 */
export function validityYearsForAge(ageAtIssue: number): number | null {
  if (ageAtIssue < 16) return 5;
  if (ageAtIssue <= 25) return 10;
  if (ageAtIssue <= 45) return 20;
  return null;
}

export interface ValidityCheck {
  period: ValidityPeriod;
  ageAtIssue: number;
  expectedYears: number | null;
}

/**
 * Checks a period on `today` (China time): started, not expired (the end date itself is the last valid
 * day), and as long as the law gives to someone born on `birthDate` at the start date.
 */
export function checkValidity(
  raw: string,
  birthDate: CalendarDate,
  today: CalendarDate = todayInChina(),
): Validation<ValidityCheck, ValidityReason> {
  const parsed = parseValidityPeriod(raw);
  if (!parsed.ok) return parsed;
  const { start, end } = parsed.value;
  const reasons: ValidityReason[] = [];
  if (compareDates(start, today) > 0) reasons.push('validity_not_yet_valid');
  if (end && compareDates(end, today) < 0) reasons.push('validity_expired');

  const ageAtIssue = fullYearsBetween(birthDate, start);
  const expectedYears = ageAtIssue < 0 ? undefined : validityYearsForAge(ageAtIssue);
  if (expectedYears === undefined || !lengthAgrees(start, end, expectedYears)) reasons.push('validity_length_mismatch');

  if (reasons.length > 0) return { ok: false, reasons };
  return { ok: true, value: { period: parsed.value, ageAtIssue, expectedYears: expectedYears ?? null } };
}

function lengthAgrees(start: CalendarDate, end: CalendarDate | null, years: number | null): boolean {
  if (years === null || end === null) return years === null && end === null;
  const expected = addYears(start, years);
  if (compareDates(expected, end) === 0) return true;
  // A card started on 29 February ends on 28 February or 1 March, depending on the issuing office.
  return start.month === 2 && start.day === 29 && end.month === 3 && end.day === 1 && end.year === expected.year;
}
