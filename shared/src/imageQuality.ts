/** Problems a photo can have that the buyer fixes by taking it again. */
export const QUALITY_PROBLEMS = ['too_small', 'blurred', 'too_dark', 'too_bright'] as const;
export type QualityProblem = (typeof QUALITY_PROBLEMS)[number];

/** Shortest side below which no card text or face is legible. */
export const MIN_SHORT_SIDE = 480;
/** Long side of the grey copy the measures are taken on, in the browser and on the server alike. */
export const QUALITY_ANALYSIS_SIDE = 640;
/**
 * Variance of the Laplacian below which a photo is blurred through. Measured on specimen cards at
 * 640 px: sharp 1,900-2,400, Gaussian blur sigma 2: ~300, sigma 4: ~28; face photos 250-700.
 */
export const BLUR_LIMIT = 30;
const DARK_LIMIT = 35;
const BRIGHT_LIMIT = 235;

export interface QualityReport {
  width: number;
  height: number;
  /** Variance of the 4-neighbour Laplacian: low means no sharp edge anywhere. */
  sharpness: number;
  /** Mean grey level, 0-255. */
  brightness: number;
  problems: QualityProblem[];
}

/**
 * Measures a photo from a grey copy of it (`QUALITY_ANALYSIS_SIDE` on its long side), given the
 * original size. The browser runs it for guidance, the server again for the decision.
 */
export function measureQuality(grey: ArrayLike<number>, w: number, h: number, width: number, height: number): QualityReport {
  let sum = 0;
  for (let i = 0; i < w * h; i += 1) sum += grey[i] ?? 0;
  const brightness = sum / Math.max(1, w * h);

  const sharpness = laplacianVariance(grey, w, { x0: 0, y0: 0, x1: w, y1: h });

  const problems: QualityProblem[] = [];
  if (Math.min(width, height) < MIN_SHORT_SIDE) problems.push('too_small');
  if (brightness < DARK_LIMIT) problems.push('too_dark');
  else if (brightness > BRIGHT_LIMIT) problems.push('too_bright');
  else if (sharpness < BLUR_LIMIT) problems.push('blurred');
  return { width, height, sharpness, brightness, problems };
}

/**
 * Variance of the 4-neighbour Laplacian over the pixels of `region` (x1, y1 exclusive) that have
 * all four neighbours inside it, on a grey image `w` wide: low means no sharp edge there.
 */
export function laplacianVariance(grey: ArrayLike<number>, w: number, region: { x0: number; y0: number; x1: number; y1: number }): number {
  let lapSum = 0;
  let lapSq = 0;
  let n = 0;
  for (let y = region.y0 + 1; y < region.y1 - 1; y += 1) {
    for (let x = region.x0 + 1; x < region.x1 - 1; x += 1) {
      const i = y * w + x;
      const lap = (grey[i - 1] ?? 0) + (grey[i + 1] ?? 0) + (grey[i - w] ?? 0) + (grey[i + w] ?? 0) - 4 * (grey[i] ?? 0);
      lapSum += lap;
      lapSq += lap * lap;
      n += 1;
    }
  }
  return n > 0 ? lapSq / n - (lapSum / n) ** 2 : 0;
}
