import seedrandom from 'seedrandom';
import { MVNO_PREFIXES } from '@shared';

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
