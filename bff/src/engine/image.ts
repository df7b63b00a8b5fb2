import sharp from 'sharp';

/**
 * Refuse decompression bombs before decoding: a 4000 x 6000 phone photo is 24 MP, nothing we accept is
 * larger than this.
 */
export const MAX_INPUT_PIXELS = 48_000_000;

export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
  /** Original (upright) width divided by the decoded width: multiply coordinates by it. */
  scale: number;
}

/** Decodes an upload (EXIF orientation applied) to packed RGB, its long side at most `maxSide`. */
export async function decodeRgb(image: Buffer, maxSide: number): Promise<RgbImage> {
  const decoder = sharp(image, { limitInputPixels: MAX_INPUT_PIXELS });
  const { autoOrient } = await decoder.metadata();
  const { data, info } = await decoder
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, scale: autoOrient.width / info.width };
}
