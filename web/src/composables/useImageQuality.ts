/** Problems a photo can have that the buyer can fix by taking it again. */
export type QualityProblem = 'too_small' | 'blurred' | 'too_dark' | 'too_bright';

export interface QualityReport {
  width: number;
  height: number;
  /** Variance of the Laplacian on a 640 px grey copy: low means no sharp edges anywhere. */
  sharpness: number;
  brightness: number;
  problems: QualityProblem[];
}

/** Same minimum as the server's intake (it refuses smaller images with upload_too_small). */
export const MIN_SHORT_SIDE = 480;
const BLUR_LIMIT = 30;
const ANALYSIS_SIDE = 640;

/**
 * On-device check before sending: catches photos that cannot possibly pass (too small, black,
 * washed out, blurred through) so the buyer retakes at once. Guidance only: the server checks again.
 */
export async function checkImageQuality(image: Blob): Promise<QualityReport> {
  const bitmap = await createImageBitmap(image);
  const { width, height } = bitmap;
  const scale = Math.min(1, ANALYSIS_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return { width, height, sharpness: 0, brightness: 0, problems: [] };
  context.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const { data } = context.getImageData(0, 0, w, h);

  const grey = new Float32Array(w * h);
  let sum = 0;
  for (let i = 0; i < w * h; i += 1) {
    const value = 0.299 * (data[i * 4] ?? 0) + 0.587 * (data[i * 4 + 1] ?? 0) + 0.114 * (data[i * 4 + 2] ?? 0);
    grey[i] = value;
    sum += value;
  }
  const brightness = sum / (w * h);

  let lapSum = 0;
  let lapSq = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y += 1) {
    for (let x = 1; x < w - 1; x += 1) {
      const i = y * w + x;
      const lap = (grey[i - 1] ?? 0) + (grey[i + 1] ?? 0) + (grey[i - w] ?? 0) + (grey[i + w] ?? 0) - 4 * (grey[i] ?? 0);
      lapSum += lap;
      lapSq += lap * lap;
      n += 1;
    }
  }
  const sharpness = n > 0 ? lapSq / n - (lapSum / n) ** 2 : 0;

  const problems: QualityProblem[] = [];
  if (Math.min(width, height) < MIN_SHORT_SIDE) problems.push('too_small');
  if (brightness < 35) problems.push('too_dark');
  else if (brightness > 235) problems.push('too_bright');
  else if (sharpness < BLUR_LIMIT) problems.push('blurred');
  return { width, height, sharpness, brightness, problems };
}
