import { describe, expect, it } from 'vitest';
import { checkValidity, formatValidityPeriod, parseValidityPeriod, validityYearsForAge } from '@shared';

const TODAY = { year: 2026, month: 11, day: 22 };
const born = (year: number, month = 6, day = 15) => ({ year, month, day });

describe('validity period of the emblem side', () => {
  it.each([
    ['2016.06.17-2036.06.17', { start: { year: 2016, month: 6, day: 17 }, end: { year: 2036, month: 6, day: 17 } }],
    ['2016.06.17-长期', { start: { year: 2016, month: 6, day: 17 }, end: null }],
    ['2016.06.17—2036.06.17', { start: { year: 2016, month: 6, day: 17 }, end: { year: 2036, month: 6, day: 17 } }],
    ['2016.06.17 一 长期', { start: { year: 2016, month: 6, day: 17 }, end: null }],
  ])('parses %s', (raw, period) => {
    expect(parseValidityPeriod(raw)).toEqual({ ok: true, value: period });
  });

  it.each([
    ['2016-06-17 to 2036-06-17', 'validity_format'],
    ['2016.6.17-2036.6.17', 'validity_format'],
    ['2016.06.17-永久', 'validity_format'],
    ['2016.02.30-2036.02.28', 'validity_dates_invalid'],
    ['2036.06.17-2016.06.17', 'validity_dates_invalid'],
  ])('refuses %s with %s', (raw, reason) => {
    expect(parseValidityPeriod(raw)).toEqual({ ok: false, reasons: [reason] });
  });

  it.each([
    [0, 5], [15, 5], [16, 10], [25, 10], [26, 20], [45, 20], [46, null], [80, null],
  ])('gives a card issued at age %i a validity of %s years', (age, years) => {
    expect(validityYearsForAge(age)).toBe(years);
  });

  it.each([
    // [period, birth date, reasons]
    ['2020.01.10-2030.01.10', born(2000), []],
    ['2010.01.10-2030.01.10', born(1980), []],
    ['2010.01.10-长期', born(1960), []],
    ['2022.01.10-2027.01.10', born(2012), []],
    ['2026.11.22-2036.11.22', born(2005), []],
    ['2016.11.22-2026.11.22', born(1996), []],
    ['2016.11.21-2026.11.21', born(1996), ['validity_expired']],
    ['2026.11.23-2036.11.23', born(2005), ['validity_not_yet_valid']],
    ['2020.01.10-2040.01.10', born(2000), ['validity_length_mismatch']],
    ['2010.01.10-长期', born(1980), ['validity_length_mismatch']],
    ['2010.01.10-2030.01.10', born(1960), ['validity_length_mismatch']],
    ['2005.01.10-2015.01.10', born(1985), ['validity_expired']],
    ['2000.01.10-2020.01.10', born(1985), ['validity_expired', 'validity_length_mismatch']],
    ['1980.01.10-1990.01.10', born(1990), ['validity_expired', 'validity_length_mismatch']],
  ])('checks %s for someone born %j: %j', (raw, birth, reasons) => {
    const result = checkValidity(raw, birth, TODAY);
    if (reasons.length === 0) expect(result.ok).toBe(true);
    else expect(result).toEqual({ ok: false, reasons });
  });

  it('uses the age on the day of issue, birthday included', () => {
    // Turns 26 on the day of issue: 20 years, not 10.
    expect(checkValidity('2016.06.15-2036.06.15', born(1990, 6, 15), TODAY).ok).toBe(true);
    expect(checkValidity('2016.06.14-2026.06.14', born(1990, 6, 15), TODAY)).toEqual({ ok: false, reasons: ['validity_expired'] });
  });

  it('accepts either end date for a card issued on 29 February', () => {
    expect(checkValidity('2020.02.29-2030.02.28', born(2000), TODAY).ok).toBe(true);
    expect(checkValidity('2020.02.29-2030.03.01', born(2000), TODAY).ok).toBe(true);
    expect(checkValidity('2020.02.29-2030.03.02', born(2000), TODAY).ok).toBe(false);
  });

  it('formats a period back as printed', () => {
    expect(formatValidityPeriod({ start: { year: 2016, month: 6, day: 7 }, end: null })).toBe('2016.06.07-长期');
  });
});
