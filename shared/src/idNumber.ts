import { type CalendarDate, compareDates, formatCompactDate, isRealDate, todayInChina } from './dates.js';
import { isKnownRegionCode } from './regions.js';
import type { IdNumberReason, Validation } from './reasons.js';

/** GB 11643-1999 weights for the first 17 digits. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export type Sex = 'male' | 'female';

export interface IdNumberFacts {
  /** Normalised: upper-case X. */
  number: string;
  regionCode: string;
  birthDate: CalendarDate;
  sequence: string;
  sex: Sex;
}

/** Trims and upper-cases a typed or OCR-read number (a lower-case x is the same check character). */
export function normaliseIdNumber(raw: string): string {
  return raw.trim().toUpperCase();
}

/** The check character for the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('idCheckCharacter needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? '';
}

export function sexFromSequence(sequence: string): Sex {
  return Number(sequence.at(-1)) % 2 === 1 ? 'male' : 'female';
}

/** Builds a valid number from its parts (used by the specimen generator and tests). */
export function composeIdNumber(regionCode: string, birthDate: CalendarDate, sequence: string): string {
  const first17 = `${regionCode}${formatCompactDate(birthDate)}${sequence}`;
  return first17 + idCheckCharacter(first17);
}

/**
 * Parses an 18-character resident ID number and returns what it encodes, or every reason it is not
 * valid on `today` (China time).
 */
export function parseIdNumber(raw: string, today: CalendarDate = todayInChina()): Validation<IdNumberFacts, IdNumberReason> {
  const number = normaliseIdNumber(raw);
  if (!/^\d{17}[\dX]$/.test(number)) return { ok: false, reasons: ['id_format'] };

  const reasons: IdNumberReason[] = [];
  if (idCheckCharacter(number.slice(0, 17)) !== number[17]) reasons.push('id_checksum');

  const regionCode = number.slice(0, 6);
  if (!isKnownRegionCode(regionCode)) reasons.push('id_region_unknown');

  const birthDate = {
    year: Number(number.slice(6, 10)),
    month: Number(number.slice(10, 12)),
    day: Number(number.slice(12, 14)),
  };
  if (!isRealDate(birthDate) || birthDate.year < 1850) reasons.push('id_birth_date_invalid');
  else if (compareDates(birthDate, today) > 0) reasons.push('id_birth_date_future');

  if (reasons.length > 0) return { ok: false, reasons };
  const sequence = number.slice(14, 17);
  return { ok: true, value: { number, regionCode, birthDate, sequence, sex: sexFromSequence(sequence) } };
}

/** `440305********123X` style masking for screens that need to show which card, not the number. */
export function maskIdNumber(number: string): string {
  return number.length === 18 ? `${number.slice(0, 6)}********${number.slice(14)}` : '*'.repeat(number.length);
}
