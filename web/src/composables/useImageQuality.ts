import { QUALITY_ANALYSIS_SIDE, type QualityReport, measureQuality } from '@shared';

export type { QualityProblem, QualityReport } from '@shared';

/**
 * On-device check before sending: catches photos that cannot possibly pass (too small, black,
 * washed out, blurred through) so the buyer retakes at once. The server measures the same way.
 */
export async function checkImageQuality(image: Blob): Promise<QualityReport> {
  const bitmap = await createImageBitmap(image);
  const { width, height } = bitmap;
  const scale = Math.min(1, QUALITY_ANALYSIS_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return measureQuality([], 0, 0, width, height);
  context.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const { data } = context.getImageData(0, 0, w, h);
  const grey = new Uint8ClampedArray(w * h);
  for (let i = 0; i < w * h; i += 1) {
    grey[i] = 0.299 * (data[i * 4] ?? 0) + 0.587 * (data[i * 4 + 1] ?? 0) + 0.114 * (data[i * 4 + 2] ?? 0);
  }
  return measureQuality(grey, w, h, width, height);
}
