import sharp from 'sharp';
import { COLORS } from './layout.js';
import { svgDocument } from './svg.js';

/** Faults QA needs to reproduce: each turns a good capture into one the quality checks must catch. */
export interface CaptureEffects {
  /** Degrees, clockwise. */
  rotate?: number;
  /** Gaussian blur sigma in pixels. */
  blur?: number;
  /** A bright reflection over the left half of the image, as from a lamp on the laminate. */
  glare?: boolean;
  /** Long side in pixels the image is shrunk to. */
  lowResolution?: number;
  /** Share of the width cut off on the right, as when the card is not wholly in the frame. */
  crop?: number;
  /** A black-and-white photocopy photographed instead of the card: grey, with the toner's harder contrast. */
  photocopy?: boolean;
}

export async function applyEffects(jpeg: Buffer, effects: CaptureEffects): Promise<Buffer> {
  let image = jpeg;
  if (effects.photocopy) image = await sharp(image).greyscale().linear(1.35, -40).toColourspace('srgb').jpeg({ quality: 90 }).toBuffer();
  if (effects.glare) {
    const { width = 0, height = 0 } = await sharp(image).metadata();
    const spot = svgDocument(width, height, `<defs><radialGradient id="g" cx="0.5" cy="0.5" r="0.5">
      <stop offset="0" stop-color="#fff" stop-opacity="1"/><stop offset="0.55" stop-color="#fff" stop-opacity="0.9"/>
      <stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>
      <ellipse cx="${width * 0.33}" cy="${height * 0.45}" rx="${width * 0.2}" ry="${height * 0.28}" fill="url(#g)"/>`);
    image = await sharp(image).composite([{ input: spot, blend: 'screen' }]).jpeg({ quality: 92 }).toBuffer();
  }
  if (effects.crop) {
    const { width = 0, height = 0 } = await sharp(image).metadata();
    image = await sharp(image).extract({ left: 0, top: 0, width: Math.round(width * (1 - effects.crop)), height }).jpeg({ quality: 92 }).toBuffer();
  }
  if (effects.blur) image = await sharp(image).blur(effects.blur).jpeg({ quality: 92 }).toBuffer();
  if (effects.rotate) image = await sharp(image).rotate(effects.rotate, { background: COLORS.surface }).jpeg({ quality: 92 }).toBuffer();
  if (effects.lowResolution) {
    image = await sharp(image)
      .resize({ width: effects.lowResolution, height: effects.lowResolution, fit: 'inside' })
      .jpeg({ quality: 80 })
      .toBuffer();
  }
  return image;
}
