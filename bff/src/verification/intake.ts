import { fileTypeFromBuffer } from 'file-type';
import sharp, { type Metadata } from 'sharp';
import { MIN_SHORT_SIDE, QUALITY_ANALYSIS_SIDE, type QualityProblem, measureQuality } from '@shared';
import { MAX_INPUT_PIXELS } from '../engine/image.js';
import { AppError } from '../errors.js';

/** Formats a phone camera or gallery gives us and sharp decodes. HEIC is not decodable here. */
const ACCEPTED = new Set(['image/jpeg', 'image/png', 'image/webp']);

/** Long side stored images are reduced to: enough for OCR and faces, far less than a 48 MP original. */
export const STORED_LONG_SIDE = 2400;

export interface AcceptedImage {
  jpeg: Buffer;
  width: number;
  height: number;
}

/**
 * Turns an upload into the image we keep: type sniffed from the bytes (the client's name and MIME
 * type are ignored), pixel count checked before decoding, EXIF orientation applied, metadata (GPS!)
 * stripped, long side capped, re-encoded as JPEG. Refusals are AppErrors with a stable code.
 */
export async function acceptImage(upload: Buffer): Promise<AcceptedImage> {
  const accepted = await decodeUpload(upload, MIN_SHORT_SIDE, STORED_LONG_SIDE);
  const problem = (await qualityOf(accepted.jpeg, accepted.sourceWidth, accepted.sourceHeight)).problems[0];
  if (problem) throw QUALITY_ERRORS[problem]();
  return accepted;
}

/** Short side a live-check frame needs at least: a face fills much of it. */
export const FRAME_MIN_SHORT_SIDE = 240;
/** Long side frames are reduced to (the frame detector reads them at 640 px). */
export const FRAME_LONG_SIDE = 640;

/** A live-check frame: the same sniffing and limits as a photo, smaller, no photo-quality gate. */
export function acceptFrame(upload: Buffer): Promise<AcceptedImage> {
  return decodeUpload(upload, FRAME_MIN_SHORT_SIDE, FRAME_LONG_SIDE);
}

/** A screenshot a reporter sends: sniffed, limited and re-encoded as a photo is (its metadata gone), no quality gate. */
export function acceptScreenshot(upload: Buffer): Promise<AcceptedImage> {
  return decodeUpload(upload, 200, 1600);
}

async function decodeUpload(upload: Buffer, minShortSide: number, longSide: number): Promise<AcceptedImage & { sourceWidth: number; sourceHeight: number }> {
  const type = await fileTypeFromBuffer(upload);
  if (!type || !type.mime.startsWith('image/')) {
    throw new AppError('upload_not_image', 'the file is not an image; take a photo or choose a JPEG or PNG', 415);
  }
  if (!ACCEPTED.has(type.mime)) {
    throw new AppError('upload_unsupported_type', `${type.ext.toUpperCase()} images are not accepted; use JPEG, PNG or WebP`, 415);
  }

  const decoder = sharp(upload, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'truncated' });
  let metadata: Metadata;
  try {
    metadata = await decoder.metadata();
  } catch (error) {
    throw decodeError(error);
  }
  const { width, height } = metadata.autoOrient;
  if (width * height > MAX_INPUT_PIXELS) {
    throw new AppError('upload_too_many_pixels', `the image has more than ${MAX_INPUT_PIXELS / 1e6} megapixels`, 413);
  }
  if (Math.min(width, height) < minShortSide) {
    throw new AppError('upload_too_small', `the image is too small (${width}x${height}); at least ${minShortSide} px on its short side`, 422);
  }

  try {
    const { data, info } = await decoder
      .rotate()
      .resize({ width: longSide, height: longSide, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 90, mozjpeg: false })
      .toBuffer({ resolveWithObject: true });
    return { jpeg: data, width: info.width, height: info.height, sourceWidth: width, sourceHeight: height };
  } catch (error) {
    throw decodeError(error);
  }
}

/** The browser's on-device measures, taken again on what the server keeps. */
export async function qualityOf(jpeg: Buffer, width: number, height: number) {
  const grey = await sharp(jpeg)
    .resize({ width: QUALITY_ANALYSIS_SIDE, height: QUALITY_ANALYSIS_SIDE, fit: 'inside', withoutEnlargement: true })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return measureQuality(grey.data, grey.info.width, grey.info.height, width, height);
}

const QUALITY_ERRORS: Record<QualityProblem, () => AppError> = {
  too_small: () => new AppError('upload_too_small', `the image is too small; at least ${MIN_SHORT_SIDE} px on its short side`, 422),
  blurred: () => new AppError('upload_blurred', 'the photo is blurred; hold still and take it again', 422),
  too_dark: () => new AppError('upload_too_dark', 'the photo is too dark; take it again in better light', 422),
  too_bright: () => new AppError('upload_too_bright', 'the photo is washed out or has glare; take it again away from direct light', 422),
};

/** sharp refuses over-large images by message only ("exceeds pixel limit"); everything else is damage. */
function decodeError(error: unknown): AppError {
  const message = error instanceof Error ? error.message : '';
  if (/pixel limit/i.test(message)) {
    return new AppError('upload_too_many_pixels', `the image has more than ${MAX_INPUT_PIXELS / 1e6} megapixels`, 413, { cause: error });
  }
  return new AppError('upload_truncated', 'the image could not be read; it may be damaged or incomplete', 422, { cause: error });
}
