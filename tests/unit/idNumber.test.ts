import { describe, expect, it } from 'vitest';
import { composeIdNumber, idCheckCharacter, maskIdNumber, parseIdNumber } from '@shared';

const TODAY = { year: 2026, month: 11, day: 22 };

describe('resident ID number rules', () => {
  it.each([
    ['11010519491231002X', '110105', '1949-12-31', 'female'],
    ['440524188001010014', '440524', '1880-01-01', 'male'],
    ['11010519491231002x', '110105', '1949-12-31', 'female'],
    [' 11010519491231002X ', '110105', '1949-12-31', 'female'],
  ])('accepts %s and derives region %s, birth %s, %s', (raw, region, birth, sex) => {
    const result = parseIdNumber(raw, TODAY);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.number).toBe(raw.trim().toUpperCase());
    expect(result.value.regionCode).toBe(region);
    const { year, month, day } = result.value.birthDate;
    expect(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`).toBe(birth);
    expect(result.value.sex).toBe(sex);
  });

  it.each([
    ['110105194912310029', ['id_checksum']],
    ['1101051949123100', ['id_format']],
    ['1101051949123100211', ['id_format']],
    ['11010519491231002Y', ['id_format']],
    ['X10105194912310021', ['id_format']],
    ['', ['id_format']],
    // 990101 is not an address code; the check character is right for the digits.
    [composeIdNumber('990101', { year: 1990, month: 1, day: 1 }, '123'), ['id_region_unknown']],
    // 30 February, with a correct check character.
    [`11010519900230123${idCheckCharacter('11010519900230123')}`, ['id_birth_date_invalid']],
    [`11010518000101123${idCheckCharacter('11010518000101123')}`, ['id_birth_date_invalid']],
    [composeIdNumber('110105', { year: 2026, month: 11, day: 23 }, '123'), ['id_birth_date_future']],
    // Several faults at once are all reported.
    ['990101199002301230', ['id_checksum', 'id_region_unknown', 'id_birth_date_invalid']],
  ])('refuses %s with %j', (raw, reasons) => {
    expect(parseIdNumber(raw, TODAY)).toEqual({ ok: false, reasons });
  });

  it('accepts a birth date of today (a newborn)', () => {
    expect(parseIdNumber(composeIdNumber('110105', TODAY, '124'), TODAY).ok).toBe(true);
  });

  it('keeps historical address codes of abolished districts valid', () => {
    // 110103 崇文区 and 110104 宣武区 were merged into 东城区 and 西城区 in 2010.
    expect(parseIdNumber(composeIdNumber('110103', { year: 1980, month: 5, day: 1 }, '011'), TODAY).ok).toBe(true);
    expect(parseIdNumber(composeIdNumber('110104', { year: 1980, month: 5, day: 1 }, '011'), TODAY).ok).toBe(true);
  });

  it.each([
    ['001', 'male'], ['002', 'female'], ['999', 'male'], ['990', 'female'],
  ])('reads sex from the sequence %s as %s', (sequence, sex) => {
    const parsed = parseIdNumber(composeIdNumber('440305', { year: 1990, month: 3, day: 7 }, sequence), TODAY);
    expect(parsed.ok && parsed.value.sex).toBe(sex);
  });

  it('computes the MOD 11-2 check character, X for 10', () => {
    expect(idCheckCharacter('11010519491231002')).toBe('X');
    expect(idCheckCharacter('44052418800101001')).toBe('4');
    expect(() => idCheckCharacter('1234')).toThrow(RangeError);
  });

  it('masks the middle of a number', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });
});
