import type { IccidReason, MsisdnReason, Validation } from './reasons.js';

/** Number ranges allotted to mobile virtual network operators. */
export const MVNO_PREFIXES = ['170', '171', '162', '165', '167'] as const;
const MVNO_PATTERN = /^1(?:70|71|62|65|67)\d{8}$/;

/** Accepts spaces, dashes and a +86 / 0086 prefix as people write them. */
export function normaliseMsisdn(raw: string): string {
  return raw.replace(/[\s-]/g, '').replace(/^(?:\+86|0086)/, '');
}

export function validateMvnoNumber(raw: string): Validation<string, MsisdnReason> {
  const msisdn = normaliseMsisdn(raw);
  if (!/^1\d{10}$/.test(msisdn)) return { ok: false, reasons: ['msisdn_format'] };
  if (!MVNO_PATTERN.test(msisdn)) return { ok: false, reasons: ['msisdn_not_mvno'] };
  return { ok: true, value: msisdn };
}

/** Luhn (ISO/IEC 7812) check digit for the digits given. */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i += 1) {
    let digit = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** A Chinese SIM's ICCID: 19 or 20 digits, issuer prefix 8986, last digit a Luhn check digit. */
export function validateIccid(raw: string): Validation<string, IccidReason> {
  const iccid = raw.replace(/\s/g, '');
  if (!/^\d{19,20}$/.test(iccid)) return { ok: false, reasons: ['iccid_format'] };
  const reasons: IccidReason[] = [];
  if (!iccid.startsWith('8986')) reasons.push('iccid_prefix');
  if (luhnCheckDigit(iccid.slice(0, -1)) !== Number(iccid.at(-1))) reasons.push('iccid_checksum');
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, value: iccid };
}
