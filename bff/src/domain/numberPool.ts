import seedrandom from 'seedrandom';
import { MVNO_PREFIXES, luhnCheckDigit } from '@shared';

/**
 * The numbers a fresh installation offers: `perPrefix` in each MVNO range, the same on every
 * machine (seeded), so demos and tests can name them.
 */
export function seedNumberPool(perPrefix: number): string[] {
  const rng = seedrandom('number-pool');
  const numbers = new Set<string>();
  for (const prefix of MVNO_PREFIXES) {
    let added = 0;
    while (added < perPrefix) {
      const candidate = prefix + String(Math.floor(rng() * 1e8)).padStart(8, '0');
      if (!numbers.has(candidate)) {
        numbers.add(candidate);
        added += 1;
      }
    }
  }
  return [...numbers].sort();
}

/**
 * The SIM cards a fresh installation has in stock: 20-digit ICCIDs (8986 and a Luhn check digit),
 * the same on every machine (seeded).
 */
export function seedSimStock(count: number): string[] {
  const rng = seedrandom('sim-stock');
  const iccids = new Set<string>();
  while (iccids.size < count) {
    const body = `898601${String(Math.floor(rng() * 1e13)).padStart(13, '0')}`;
    iccids.add(`${body}${luhnCheckDigit(body)}`);
  }
  return [...iccids].sort();
}
