import FFT from 'fft.js';

/**
 * Moiré: a screen's grid of red, green and blue stripes, photographed by a camera whose own grid of
 * pixels does not match it, folds into a regular pattern of fine waves. In a tile's spectrum that is a
 * narrow peak far above the frequencies around it; printed text, paper and a camera's noise spread
 * their energy instead.
 */

/** Side of the square tiles measured, at the photo's own resolution (no resampling: it would smooth the pattern away). */
export const MOIRE_TILE = 128;

const fft = new FFT(MOIRE_TILE);
const window = Array.from({ length: MOIRE_TILE }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (MOIRE_TILE - 1)));
/** Frequencies below this (cycles a pixel, up to 0.5) are the text's strokes and lines: not measured. */
const LOWEST = 0.12;
/** JPEG's 8-pixel blocks put energy on every eighth of the frequencies, and text on the two axes: not measured. */
const BLOCK = MOIRE_TILE / 8;
/** A peak is compared with the frequencies around it, up to this far, its own 3x3 left out. */
const AROUND = 3;

/** Power spectrum of one tile (its mean removed, a Hann window), row-major, MOIRE_TILE² values. */
function powerSpectrum(tile: Float64Array): Float64Array {
  const n = MOIRE_TILE;
  let mean = 0;
  for (const v of tile) mean += v;
  mean /= tile.length;
  const rows = new Float64Array(2 * n * n);
  const input = fft.createComplexArray() as number[];
  const output = fft.createComplexArray() as number[];
  for (let y = 0; y < n; y += 1) {
    for (let x = 0; x < n; x += 1) {
      input[2 * x] = (tile[y * n + x]! - mean) * window[x]! * window[y]!;
      input[2 * x + 1] = 0;
    }
    fft.transform(output, input);
    for (let k = 0; k < 2 * n; k += 1) rows[2 * y * n + k] = output[k]!;
  }
  const power = new Float64Array(n * n);
  for (let x = 0; x < n; x += 1) {
    for (let y = 0; y < n; y += 1) {
      input[2 * y] = rows[2 * (y * n + x)]!;
      input[2 * y + 1] = rows[2 * (y * n + x) + 1]!;
    }
    fft.transform(output, input);
    for (let y = 0; y < n; y += 1) power[y * n + x] = output[2 * y]! ** 2 + output[2 * y + 1]! ** 2;
  }
  return power;
}

/**
 * Sums of the power over squares, wrapped around the spectrum's edges (a summed-area table of the
 * spectrum padded by AROUND on every side): the neighbourhood of every frequency in constant time.
 */
function squareSums(power: Float64Array): (u: number, v: number, half: number) => number {
  const n = MOIRE_TILE;
  const side = n + 2 * AROUND + 1;
  const table = new Float64Array(side * side);
  for (let y = 1; y < side; y += 1) {
    let row = 0;
    for (let x = 1; x < side; x += 1) {
      row += power[(((y - 1 - AROUND) % n + n) % n) * n + (((x - 1 - AROUND) % n + n) % n)]!;
      table[y * side + x] = table[(y - 1) * side + x]! + row;
    }
  }
  return (u, v, half) => {
    const x0 = u + AROUND - half;
    const y0 = v + AROUND - half;
    const x1 = x0 + 2 * half + 1;
    const y1 = y0 + 2 * half + 1;
    return table[y1 * side + x1]! - table[y0 * side + x1]! - table[y1 * side + x0]! + table[y0 * side + x0]!;
  };
}

/**
 * How far the tile's strongest narrow peak stands above the frequencies around it: the ratio of its
 * power to the mean power of the frequencies up to AROUND away, its own 3x3 left out. Specimen cards
 * photographed: 8-13; the same cards on a screen: 16 to 4,500 where the limit was set, 10 to several
 * thousand in docs/EVALUATION.md. The lowest: a photo of the screen blurred and shrunk, or a screen
 * square to the camera and out of focus (its pattern then lies on an axis, which is not measured).
 */
export function moirePeak(tile: Float64Array): number {
  const n = MOIRE_TILE;
  const power = powerSpectrum(tile);
  const sum = squareSums(power);
  const ring = (2 * AROUND + 1) ** 2 - 9;
  let best = 0;
  // A real image's spectrum is symmetric: half of it is enough.
  for (let v = 0; v < n; v += 1) {
    const fv = v > n / 2 ? v - n : v;
    for (let u = 0; u <= n / 2; u += 1) {
      if (Math.hypot(u, fv) / n < LOWEST || u % BLOCK === 0 || fv % BLOCK === 0) continue;
      const around = (sum(u, v, AROUND) - sum(u, v, 1)) / ring;
      const ratio = power[v * n + u]! / Math.max(around, 1e-9);
      if (ratio > best) best = ratio;
    }
  }
  return best;
}
