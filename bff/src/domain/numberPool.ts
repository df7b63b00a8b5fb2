import { randomInt } from 'node:crypto';
import { MVNO_PREFIXES, luhnCheckDigit, validateIccid, validateMvnoNumber } from '@shared';

/** An activation code printed inside a SIM pack: only the person who opened the pack has it. */
export const PACK_CODE = /^\d{8}$/;

/**
 * The numbers a sandbox installation offers: `perPrefix` in each MVNO range, drawn at random on each
 * machine (a fixed list would let anyone name every number of every installation).
 */
export function randomNumberPool(perPrefix: number): string[] {
  const numbers = new Set<string>();
  for (const prefix of MVNO_PREFIXES) {
    const before = numbers.size;
    while (numbers.size < before + perPrefix) numbers.add(prefix + String(randomInt(1e8)).padStart(8, '0'));
  }
  return [...numbers].sort();
}

/** A SIM card in stock: its ICCID and the activation code printed in its pack. */
export interface StockCard {
  iccid: string;
  packCode: string;
}

/**
 * The SIM cards a sandbox installation has in stock: 20-digit ICCIDs (8986 and a Luhn check digit)
 * with their pack codes, drawn at random on each machine.
 */
export function randomSimStock(count: number): StockCard[] {
  const cards = new Map<string, string>();
  while (cards.size < count) {
    const body = `898601${String(randomInt(1e6)).padStart(6, '0')}${String(randomInt(1e7)).padStart(7, '0')}`;
    cards.set(`${body}${luhnCheckDigit(body)}`, String(randomInt(1e8)).padStart(8, '0'));
  }
  return [...cards].map(([iccid, packCode]) => ({ iccid, packCode })).sort((a, b) => a.iccid.localeCompare(b.iccid));
}

export interface StockLineProblem {
  line: number;
  reason: string;
}

/**
 * Parses an operator's stock file: one card per line, `<ICCID>,<pack code>`, or one number per line.
 * Lines that break the rules are reported by line number (never echoed) and skipped.
 */
export function parseStockFile(text: string, kind: 'sims'): { items: StockCard[]; problems: StockLineProblem[] };
export function parseStockFile(text: string, kind: 'numbers'): { items: string[]; problems: StockLineProblem[] };
export function parseStockFile(text: string, kind: 'sims' | 'numbers'): { items: (StockCard | string)[]; problems: StockLineProblem[] } {
  const items: (StockCard | string)[] = [];
  const problems: StockLineProblem[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [first = '', second = ''] = line.split(',').map((part) => part.trim());
    if (kind === 'numbers') {
      const number = validateMvnoNumber(first);
      if (!number.ok) problems.push({ line: index + 1, reason: number.reasons.join(', ') });
      else if (seen.has(number.value)) problems.push({ line: index + 1, reason: 'repeated' });
      else {
        seen.add(number.value);
        items.push(number.value);
      }
      return;
    }
    const iccid = validateIccid(first);
    if (!iccid.ok) problems.push({ line: index + 1, reason: iccid.reasons.join(', ') });
    else if (!PACK_CODE.test(second)) problems.push({ line: index + 1, reason: 'the pack code is 8 digits' });
    else if (seen.has(iccid.value)) problems.push({ line: index + 1, reason: 'repeated' });
    else {
      seen.add(iccid.value);
      items.push({ iccid: iccid.value, packCode: second });
    }
  });
  return { items, problems };
}
