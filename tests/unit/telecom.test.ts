import { describe, expect, it } from 'vitest';
import { luhnCheckDigit, validateIccid, validateMvnoNumber } from '@shared';

describe('MVNO numbers', () => {
  it.each([
    ['17012345678', '17012345678'],
    ['171 2345 6789', '17123456789'],
    ['+86 162-1234-5678', '16212345678'],
    ['008616512345678', '16512345678'],
    ['16712345678', '16712345678'],
  ])('accepts %s as %s', (raw, msisdn) => {
    expect(validateMvnoNumber(raw)).toEqual({ ok: true, value: msisdn });
  });

  it.each([
    ['13812345678', 'msisdn_not_mvno'],
    ['16612345678', 'msisdn_not_mvno'],
    ['1701234567', 'msisdn_format'],
    ['27012345678', 'msisdn_format'],
    ['170123456789', 'msisdn_format'],
    ['1701234567a', 'msisdn_format'],
  ])('refuses %s with %s', (raw, reason) => {
    expect(validateMvnoNumber(raw)).toEqual({ ok: false, reasons: [reason] });
  });
});

describe('ICCIDs', () => {
  const payload19 = '898601123456789012';
  const valid19 = payload19 + luhnCheckDigit(payload19);
  const payload20 = '8986031234567890123';
  const valid20 = payload20 + luhnCheckDigit(payload20);

  it('computes the Luhn digit of a known number', () => {
    // 7992739871 -> 3 is the textbook example of ISO/IEC 7812.
    expect(luhnCheckDigit('7992739871')).toBe(3);
  });

  it.each([valid19, valid20, `${valid19.slice(0, 4)} ${valid19.slice(4)}`])('accepts %s', (raw) => {
    expect(validateIccid(raw).ok).toBe(true);
  });

  it.each([
    [`${payload19}${(luhnCheckDigit(payload19) + 1) % 10}`, ['iccid_checksum']],
    ['1234567890123456789', ['iccid_prefix', 'iccid_checksum']],
    ['898601', ['iccid_format']],
    ['89860112345678901234567', ['iccid_format']],
    ['8986011234567890ABC', ['iccid_format']],
  ])('refuses %s with %j', (raw, reasons) => {
    expect(validateIccid(raw)).toEqual({ ok: false, reasons });
  });

  it('refuses a right prefix with a non-8986 issuer', () => {
    const payload = '898501123456789012';
    expect(validateIccid(payload + luhnCheckDigit(payload))).toEqual({ ok: false, reasons: ['iccid_prefix'] });
  });
});
