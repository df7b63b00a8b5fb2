import { describe, expect, it } from 'vitest';
import { checkValidity, lookupRegion, parseIdNumber } from '@shared';
import { generateIdentity } from '../../bff/src/sandbox/mockId/identity.js';

const TODAY = { year: 2026, month: 11, day: 22 };
const birthOf = (iso: string) => {
  const [year, month, day] = iso.split('-').map(Number);
  return { year: year ?? 0, month: month ?? 0, day: day ?? 0 };
};

describe('specimen identities', () => {
  it('is the same for the same seed and differs between seeds', () => {
    expect(generateIdentity({ seed: 'a', today: TODAY })).toEqual(generateIdentity({ seed: 'a', today: TODAY }));
    expect(generateIdentity({ seed: 'a', today: TODAY }).portrait).not.toEqual(generateIdentity({ seed: 'b', today: TODAY }).portrait);
  });

  it.each(Array.from({ length: 40 }, (_, i) => `seed-${i}`))('passes every rule by default (%s)', (seed) => {
    const { portrait, emblem, expected } = generateIdentity({ seed, today: TODAY });
    const number = parseIdNumber(portrait.idNumber, TODAY);
    expect(number.ok).toBe(true);
    if (!number.ok) return;
    expect(number.value.sex === 'male' ? '男' : '女').toBe(portrait.sex);
    expect(checkValidity(emblem.validity, birthOf(portrait.birthDate), TODAY).ok).toBe(true);
    const region = lookupRegion(number.value.regionCode);
    expect(portrait.address.startsWith(`${region?.province}`)).toBe(true);
    expect(expected).toEqual({ today: '2026-11-22', idNumberReasons: [], validityReasons: [] });
  });

  it('prints a wrong check character when asked', () => {
    const { portrait, expected } = generateIdentity({ seed: 'c', today: TODAY, invalidChecksum: true });
    expect(parseIdNumber(portrait.idNumber, TODAY)).toEqual({ ok: false, reasons: ['id_checksum'] });
    expect(expected.idNumberReasons).toEqual(['id_checksum']);
  });

  it.each(['d', 'e', 'f'])('makes an expired card that is otherwise lawful (%s)', (seed) => {
    const { portrait, emblem, expected } = generateIdentity({ seed, today: TODAY, expired: true });
    expect(checkValidity(emblem.validity, birthOf(portrait.birthDate), TODAY)).toEqual({ ok: false, reasons: ['validity_expired'] });
    expect(expected.validityReasons).toEqual(['validity_expired']);
  });

  it.each(['g', 'h', 'i'])('makes a long-term card for someone 46 or older at issue (%s)', (seed) => {
    const { portrait, emblem } = generateIdentity({ seed, today: TODAY, longTerm: true });
    expect(emblem.validity).toMatch(/-长期$/);
    const check = checkValidity(emblem.validity, birthOf(portrait.birthDate), TODAY);
    expect(check.ok && check.value.ageAtIssue).toBeGreaterThanOrEqual(46);
  });

  it('prints a given name and number, deriving birth date and sex from the number', () => {
    const { portrait, emblem } = generateIdentity({ seed: 'j', today: TODAY, name: '测试员', idNumber: '11010519491231002x' });
    expect(portrait).toMatchObject({ name: '测试员', idNumber: '11010519491231002X', birthDate: '1949-12-31', sex: '女' });
    expect(portrait.address.startsWith('北京市')).toBe(true);
    expect(emblem.issuingAuthority).toBe('北京市公安局朝阳分局');
  });

  it('refuses an expired long-term card', () => {
    expect(() => generateIdentity({ seed: 'k', expired: true, longTerm: true })).toThrow(/长期/);
  });
});

describe('specimen identities for a given number', () => {
  const number = '11010519880312031X';
  it.each([
    ['valid', {}, []],
    ['expired', { expired: true }, ['validity_expired']],
  ] as const)('makes a %s card for a given birth date', (_case, options, reasons) => {
    for (const seed of ['p', 'q', 'r']) {
      const { portrait, emblem } = generateIdentity({ seed, today: TODAY, idNumber: number, ...options });
      const check = checkValidity(emblem.validity, birthOf(portrait.birthDate), TODAY);
      if (reasons.length === 0) expect(check.ok).toBe(true);
      else expect(check).toEqual({ ok: false, reasons });
    }
  });

  it('says when a long-term card cannot fit the birth date', () => {
    expect(() => generateIdentity({ seed: 's', today: TODAY, idNumber: '110105201001010011', longTerm: true })).toThrow(/no lawful validity period/);
  });
});
