import sharp from 'sharp';
import { type OcrLine, textTouchesEdge } from '../engine/ocr/cardText.js';

/** A rectangle as shares of the image (0-1). */
export interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Where the card is, as far as its printed text shows: the rectangle around every line read. The
 * card is larger (its photo, the emblem, the margins), but this part is surely card, never desk.
 */
export function textRegion(lines: readonly OcrLine[]): Region | undefined {
  if (lines.length === 0) return undefined;
  return lines.reduce<Region>(
    (r, { box }) => ({ x0: Math.min(r.x0, box.x0), y0: Math.min(r.y0, box.y0), x1: Math.max(r.x1, box.x1), y1: Math.max(r.y1, box.y1) }),
    { x0: 1, y0: 1, x1: 0, y1: 0 },
  );
}

/**
 * Share of blown-out pixels (every channel at 250 or more) inside the card's text: a reflection on
 * the laminate. Measured inside the card so that a white desk around it does not count.
 * Specimen cards: 1.0-1.1 % clean, 10-13 % with the generator's glare.
 */
export const GLARE_LIMIT = 0.04;

export async function glareShare(jpeg: Buffer, region: Region): Promise<number> {
  const image = sharp(jpeg);
  const { width = 0, height = 0 } = await image.metadata();
  const left = Math.max(0, Math.floor(region.x0 * width));
  const top = Math.max(0, Math.floor(region.y0 * height));
  const w = Math.max(1, Math.min(width - left, Math.ceil((region.x1 - region.x0) * width)));
  const h = Math.max(1, Math.min(height - top, Math.ceil((region.y1 - region.y0) * height)));
  const { data, info } = await image
    .extract({ left, top, width: w, height: h })
    .resize({ width: 400, withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let blown = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if ((data[i] ?? 0) >= 250 && (data[i + 1] ?? 0) >= 250 && (data[i + 2] ?? 0) >= 250) blown += 1;
  }
  return blown / (data.length / info.channels);
}

/**
 * What is wrong with a card side's photo as a photo of a card: not there (not one field of the side
 * read: any text in the picture is something else), cut off, or glaring.
 */
export async function cardPhotoProblems(jpeg: Buffer, lines: readonly OcrLine[], fieldsRead: number): Promise<('card_not_found' | 'card_cut_off' | 'card_glare')[]> {
  const region = textRegion(lines);
  if (!region || fieldsRead === 0) return ['card_not_found'];
  const problems: ('card_cut_off' | 'card_glare')[] = [];
  if (textTouchesEdge(lines)) problems.push('card_cut_off');
  if ((await glareShare(jpeg, region)) > GLARE_LIMIT) problems.push('card_glare');
  return problems;
}
