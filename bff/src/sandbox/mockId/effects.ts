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
  /**
   * The photo shown on a screen and photographed from it (翻拍): `true`, or how many camera pixels one
   * screen pixel spans, the screen's tilt in degrees and the lens's defocus (a pitch near 1-3 is where
   * moiré shows; defocus softens it).
   */
  screen?: boolean | ScreenShot;
}

export interface ScreenShot {
  pitch: number;
  angle: number;
  /** Width in camera pixels over which the lens spreads a point before the sensor (defocus); 1 by default. */
  focus?: number;
}

/** A little soft, as a phone's photo of a screen mostly is: sharper moiré often defeats the OCR itself. */
const SCREEN_DEFAULT: ScreenShot = { pitch: 1.7, angle: 2, focus: 1.5 };
/** Samples across one camera pixel, each way: the sensor adds up the light falling on its area. */
const SENSOR_SAMPLES = 3;

/**
 * A screen showing \`jpeg\`, photographed: each screen pixel is three stripes (red, green, blue) with a
 * dark line under them, the camera's pixels add up what falls on them (no optical low-pass filter,
 * as in most phones, so the stripes alias into moiré), then a lens blur, the panel's colours (blacks
 * lifted, a cold white, less saturation) and the phone's JPEG.
 */
async function photographScreen(jpeg: Buffer, { pitch, angle, focus = 1 }: ScreenShot): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(jpeg).metadata();
  const sw = Math.max(1, Math.round(width / pitch));
  const sh = Math.max(1, Math.round(height / pitch));
  const screen = await sharp(jpeg).resize(sw, sh, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const out = Buffer.alloc(width * height * 3);
  const cos = Math.cos((angle * Math.PI) / 180);
  const sin = Math.sin((angle * Math.PI) / 180);
  const cx = width / 2;
  const cy = height / 2;
  const samples = Math.ceil(SENSOR_SAMPLES * focus);
  const step = focus / samples;
  const offset = 0.5 - focus / 2;
  const sum = [0, 0, 0];
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      sum[0] = 0;
      sum[1] = 0;
      sum[2] = 0;
      for (let j = 0; j < samples; j += 1) {
        for (let i = 0; i < samples; i += 1) {
          const px = x + offset + (i + 0.5) * step - cx;
          const py = y + offset + (j + 0.5) * step - cy;
          const u = (cos * px + sin * py) / pitch + sw / 2;
          const v = (-sin * px + cos * py) / pitch + sh / 2;
          const su = Math.floor(u);
          const sv = Math.floor(v);
          if (su < 0 || sv < 0 || su >= sw || sv >= sh || v - sv > 0.85) continue;
          const channel = Math.min(2, Math.floor((u - su) * 3));
          sum[channel]! += screen[(sv * sw + su) * 3 + channel]!;
        }
      }
      const o = (y * width + x) * 3;
      // Each stripe lights a third of the area: three times as bright, the panel's own gain after.
      for (let c = 0; c < 3; c += 1) out[o + c] = Math.min(255, (sum[c]! * 3) / (samples * samples) / 0.85);
    }
  }
  return sharp(out, { raw: { width, height, channels: 3 } })
    .blur(0.6)
    .modulate({ saturation: 0.85 })
    .recomb([[0.86, 0.04, 0.04], [0.03, 0.9, 0.05], [0.03, 0.05, 0.98]])
    .linear(0.88, 22)
    .jpeg({ quality: 88 })
    .toBuffer();
}

export async function applyEffects(jpeg: Buffer, effects: CaptureEffects): Promise<Buffer> {
  let image = jpeg;
  if (effects.screen) image = await photographScreen(image, effects.screen === true ? SCREEN_DEFAULT : effects.screen);
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
