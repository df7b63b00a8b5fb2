import sharp from 'sharp';
import type { FaceBox } from '../engine/face/faceModels.js';

/**
 * A portrait pasted onto a card (a photo of someone else glued over the holder's): the card prints
 * its portrait on its own pattern, the person cut out of the photo's background, so no straight edge
 * frames the head. A photo glued on is a rectangle: its sides run straight past the head, where the
 * card has nothing straight at all.
 *
 * The measure looks left and right of the face found on the card side, in bands where a glued
 * photo's sides fall, for the straightest line there: the share of its length along which the picture
 * has a step running the line's way (within a pixel). The head's outline, hair and the card's wavy
 * pattern are curved and score low (about a third, by chance); a photo's side scores near 1 where the
 * photo differs from the card. Above the head is left out: the specimen's stamp and the straight top
 * of a photo that is only a face are there, and a glued photo shows its two sides anyway.
 */

/** Pictures are measured with the face this wide (px): the same bands and tolerances at any resolution. */
const FACE_PX = 100;
/** Turns of the line tried (degrees): a card photographed a little turned, a photo glued a little askew. */
const MAX_TURN = 6;
/** A step of 1° moves a line's ends by half a pixel at most over its span: within the pixel it may stray. */
const TURN_STEP = 1;
/** A pixel is on an edge running the line's way when its gradient across the line is this strong (grey levels a pixel, after a light blur) ... */
const EDGE_STRENGTH = 5;
/** ... and at least this many times its gradient along it ... */
const EDGE_ACROSS = 1.5;
/** ... and its gradient at least this share of the sum of the gradients two pixels either side (a ramp's is about half). */
const STEP = 0.75;

/** Where a glued photo's sides fall, in face widths out from the face box's side. */
const SIDE_BAND = [0.15, 1.0] as const;
/** The stretch a side must run along, in face heights from the box's top. */
const SIDE_SPAN = [-0.3, 1.0] as const;

/**
 * The straight share over which a side counts. Both sides must: a straight collar, a door frame or a
 * sleeve's edge may give one line, a photo glued on gives two.
 */
export const PASTED_SIDE_LIMIT = 0.6;

export interface PortraitFrame {
  /** The straightest line's share of its length on a step: left of the face, and right of it. */
  left: number;
  right: number;
}

interface Grey {
  data: Float32Array;
  width: number;
  height: number;
}

/** The picture around the face, grey, scaled so that the face is FACE_PX wide, and where the face is in it. */
async function around(jpeg: Buffer, face: FaceBox): Promise<{ grey: Grey; face: FaceBox } | undefined> {
  const { width = 0, height = 0 } = await sharp(jpeg).metadata();
  const reach = { left: face.width * (SIDE_BAND[1] + 0.1), up: face.height * (-SIDE_SPAN[0] + 0.1), down: face.height * (SIDE_SPAN[1] - 1 + 0.1) };
  const x0 = Math.max(0, Math.floor(face.x - reach.left));
  const y0 = Math.max(0, Math.floor(face.y - reach.up));
  const x1 = Math.min(width, Math.ceil(face.x + face.width + reach.left));
  const y1 = Math.min(height, Math.ceil(face.y + face.height + reach.down));
  if (x1 - x0 < 8 || y1 - y0 < 8) return undefined;
  const scale = FACE_PX / face.width;
  const w = Math.max(8, Math.round((x1 - x0) * scale));
  const h = Math.max(8, Math.round((y1 - y0) * scale));
  const raw = await sharp(jpeg)
    .extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 })
    .resize(w, h, { fit: 'fill' })
    .greyscale()
    .blur(0.8)
    .raw()
    .toBuffer();
  return {
    grey: { data: Float32Array.from(raw), width: w, height: h },
    face: { x: (face.x - x0) * scale, y: (face.y - y0) * scale, width: face.width * scale, height: face.height * scale },
  };
}

/**
 * Where the picture has an edge running up and down (`vertical`) or across: one flag a pixel. An
 * edge is a step, the steepest point of its neighbourhood across it: a slow shade (a blurred
 * background, a cheek in soft light) is steep over many pixels and is none.
 */
function edges({ data, width, height }: Grey): Uint8Array {
  const gx = new Float32Array(width * height);
  const gy = new Float32Array(width * height);
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 1; x < width - 1; x += 1) {
      const at = (dx: number, dy: number): number => data[(y + dy) * width + x + dx]!;
      // Sobel, divided to grey levels a pixel.
      gx[y * width + x] = Math.abs(at(1, -1) + 2 * at(1, 0) + at(1, 1) - at(-1, -1) - 2 * at(-1, 0) - at(-1, 1)) / 8;
      gy[y * width + x] = Math.abs(at(-1, 1) + 2 * at(0, 1) + at(1, 1) - at(-1, -1) - 2 * at(0, -1) - at(1, -1)) / 8;
    }
  }
  const steps = new Uint8Array(width * height);
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 2; x < width - 2; x += 1) {
      const i = y * width + x;
      const g = gx[i]!;
      if (g >= EDGE_STRENGTH && g >= EDGE_ACROSS * gy[i]! && g >= gx[i - 1]! && g > gx[i + 1]! && g >= STEP * (gx[i - 2]! + gx[i + 2]!)) steps[i] = 1;
    }
  }
  return steps;
}

/** The straightest up-and-down line whose place at the span's middle row lies in `band` (columns): its share of the span on a step. */
function straightest(steps: Uint8Array, width: number, height: number, band: [number, number], span: [number, number]): number {
  const top = Math.max(0, Math.round(span[0]));
  const bottom = Math.min(height - 1, Math.round(span[1]));
  if (bottom - top < 8) return 0;
  const middle = (top + bottom) / 2;
  const step = (y: number, x: number): boolean => x >= 0 && x < width && steps[y * width + x] === 1;
  let best = 0;
  for (let turn = -MAX_TURN; turn <= MAX_TURN; turn += TURN_STEP) {
    const slope = Math.tan((turn * Math.PI) / 180);
    for (let at = Math.max(1, Math.round(band[0])); at <= Math.min(width - 2, Math.round(band[1])); at += 1) {
      let hits = 0;
      for (let y = top; y <= bottom; y += 1) {
        const x = Math.round(at + (y - middle) * slope);
        if (step(y, x) || step(y, x - 1) || step(y, x + 1)) hits += 1;
      }
      best = Math.max(best, hits / (bottom - top + 1));
    }
  }
  return best;
}

/** How straight the card's picture is either side of the face: undefined when there is too little picture around it. */
export async function portraitFrame(jpeg: Buffer, face: FaceBox): Promise<PortraitFrame | undefined> {
  const found = await around(jpeg, face);
  if (!found) return undefined;
  const { grey, face: f } = found;
  const steps = edges(grey);
  const span: [number, number] = [f.y + SIDE_SPAN[0] * f.height, f.y + SIDE_SPAN[1] * f.height];
  return {
    left: straightest(steps, grey.width, grey.height, [f.x - SIDE_BAND[1] * f.width, f.x - SIDE_BAND[0] * f.width], span),
    right: straightest(steps, grey.width, grey.height, [f.x + f.width + SIDE_BAND[0] * f.width, f.x + f.width + SIDE_BAND[1] * f.width], span),
  };
}

/** Whether a frame is a glued photo's: both sides straight. */
export function looksPasted(frame: PortraitFrame): boolean {
  return frame.left >= PASTED_SIDE_LIMIT && frame.right >= PASTED_SIDE_LIMIT;
}

/** Whether the portrait of a card side's photo, with its face at `face`, looks covered by a photo glued on. */
export async function portraitLooksPasted(jpeg: Buffer, face: FaceBox): Promise<boolean> {
  const frame = await portraitFrame(jpeg, face);
  return frame !== undefined && looksPasted(frame);
}
