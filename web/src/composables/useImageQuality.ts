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
  return measureQuality(greyOf(context.getImageData(0, 0, w, h).data), w, h, width, height);
}

/** The grey levels (ITU-R BT.601 luma) of a canvas's RGBA pixels. */
export function greyOf(rgba: Uint8ClampedArray): Uint8ClampedArray {
  const grey = new Uint8ClampedArray(rgba.length / 4);
  for (let i = 0; i < grey.length; i += 1) {
    grey[i] = 0.299 * (rgba[i * 4] ?? 0) + 0.587 * (rgba[i * 4 + 1] ?? 0) + 0.114 * (rgba[i * 4 + 2] ?? 0);
  }
  return grey;
}
