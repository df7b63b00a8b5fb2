/**
 * A rate measured on a finite set, with what the set can prove: the count behind it and a one-sided
 * 95 % upper bound (Clopper-Pearson: the largest true rate under which seeing `k` or fewer of `n`
 * still has a 5 % chance). With none of n seen, the bound is about 3/n: 0 of 24 proves only "under
 * 11.7 %".
 */
export interface Rate {
  k: number;
  n: number;
  upper: number;
}

/** One-sided 95 % upper bound of a rate of `k` in `n` (bisection on the binomial tail). */
export function upperBound(k: number, n: number): number {
  if (n === 0) return 1;
  if (k >= n) return 1;
  const tail = (p: number): number => {
    let sum = 0;
    let term = (1 - p) ** n;
    for (let i = 0; i <= k; i += 1) {
      sum += term;
      term *= ((n - i) / (i + 1)) * (p / (1 - p));
    }
    return sum;
  };
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i += 1) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}

export const rateOf = (k: number, n: number): Rate => ({ k, n, upper: upperBound(k, n) });

const percent = (x: number): string => (x === 0 ? '0 %' : `${(100 * x).toFixed(x < 0.001 ? 3 : x < 0.1 ? 2 : 1)} %`);

/** "3/24 (12.5 %, ≤ 29.9 %)": the count, the rate, and its 95 % upper bound. */
export function formatRate({ k, n, upper }: Rate): string {
  return n === 0 ? 'no data' : `${k}/${n} (${percent(k / n)}, ≤ ${percent(upper)})`;
}
