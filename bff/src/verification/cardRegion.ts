import sharp from 'sharp';
import { type OcrLine, textTouchesEdge } from '../engine/ocr/cardText.js';
import { MOIRE_TILE, moirePeak } from './moire.js';

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
  const read = lines.filter(({ text }) => text.length > 0);
  if (read.length === 0) return undefined;
  return read.reduce<Region>(
    (r, { box }) => ({ x0: Math.min(r.x0, box.x0), y0: Math.min(r.y0, box.y0), x1: Math.max(r.x1, box.x1), y1: Math.max(r.y1, box.y1) }),
    { x0: 1, y0: 1, x1: 0, y1: 0 },
  );
}

/** The card's text region of a photo, as raw pixels at a width of 400 or less, and its tiles for moiré at full resolution. */
interface RegionPixels {
  data: Buffer;
  channels: number;
  /** Grey tiles of MOIRE_TILE², spread over the region (none when it is smaller than a tile). */
  tiles: Float64Array[];
}

/**
 * Where the moiré tiles sit in the text region (shares of its width and height): on the printed fields
 * and the number, and off the portrait (on the right of the portrait side), whose photo may have a
 * regular texture of its own (a striped shirt, a flag).
 */
const TILE_PLACES = [[0.2, 0.3], [0.45, 0.5], [0.25, 0.75], [0.5, 0.85]] as const;

function greyTiles(data: Buffer, width: number, height: number, channels: number): Float64Array[] {
  const n = MOIRE_TILE;
  return TILE_PLACES.flatMap(([fx, fy]) => {
    const left = Math.round(fx * width - n / 2);
    const top = Math.round(fy * height - n / 2);
    if (left < 0 || top < 0 || left + n > width || top + n > height) return [];
    const tile = new Float64Array(n * n);
    for (let y = 0; y < n; y += 1) {
      for (let x = 0; x < n; x += 1) {
        const o = ((top + y) * width + left + x) * channels;
        tile[y * n + x] = 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
      }
    }
    return [tile];
  });
}

/** The region decoded once: the tiles from its own pixels, the rest from them shrunk. */
async function regionPixels(jpeg: Buffer, region: Region): Promise<RegionPixels> {
  const image = sharp(jpeg);
  const { width = 0, height = 0 } = await image.metadata();
  const left = Math.max(0, Math.floor(region.x0 * width));
  const top = Math.max(0, Math.floor(region.y0 * height));
  const w = Math.max(1, Math.min(width - left, Math.ceil((region.x1 - region.x0) * width)));
  const h = Math.max(1, Math.min(height - top, Math.ceil((region.y1 - region.y0) * height)));
  const full = await image.extract({ left, top, width: w, height: h }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { data, info } = await sharp(full.data, { raw: { width: full.info.width, height: full.info.height, channels: full.info.channels } })
    .resize({ width: 400, withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, channels: info.channels, tiles: greyTiles(full.data, full.info.width, full.info.height, full.info.channels) };
}

/**
 * Share of blown-out pixels (every channel at 250 or more) inside the card's text: a reflection on
 * the laminate. Measured inside the card so that a white desk around it does not count.
 * Specimen cards: 1.0-1.1 % clean, 10-13 % with the generator's glare.
 */
export const GLARE_LIMIT = 0.04;

function blownShare({ data, channels }: RegionPixels): number {
  let blown = 0;
  for (let i = 0; i < data.length; i += channels) {
    if ((data[i] ?? 0) >= 250 && (data[i + 1] ?? 0) >= 250 && (data[i + 2] ?? 0) >= 250) blown += 1;
  }
  return blown / (data.length / channels);
}

export async function glareShare(jpeg: Buffer, region: Region): Promise<number> {
  return blownShare(await regionPixels(jpeg, region));
}

/**
 * Share of the card's pixels whose colour stands apart from the card's own background: the blue
 * labels, the portrait, the red of a seal or mark. Measured in chromaticity (each channel's share of
 * the pixel's sum), so that a tint of the light or of the paper, which scales the channels alike
 * over a grey copy, moves nothing; pixels too dark to have a reliable colour are left out.
 * A black-and-white copy of a card has none. Specimen cards of three faces measured 1.6-19 % (tinted,
 * blurred, shrunk), their grey copies 0-0.1 % under the same light; the error rates on other faces
 * are in docs/EVALUATION.md (npm run eval).
 */
export const PHOTOCOPY_LIMIT = 0.005;
/** Chromaticity distance from the card's median that counts as a colour of its own. */
const COLOUR_APART = 0.04;
/** Pixels darker than this (sum of the three channels) have no colour to measure. */
const COLOUR_MIN_SUM = 90;
/** Share of the card's pixels that must be bright enough to measure for the measure to say anything. */
const COLOUR_MEASURABLE = 0.25;

/** Undefined when too little of the card is bright enough to tell (a dark photo is not a copy for that). */
function colourApartShare({ data, channels }: RegionPixels): number | undefined {
  const reds: number[] = [];
  const greens: number[] = [];
  for (let i = 0; i < data.length; i += channels) {
    const r = data[i] ?? 0;
    const g = data[i + 1] ?? 0;
    const sum = r + g + (data[i + 2] ?? 0);
    if (sum < COLOUR_MIN_SUM) continue;
    reds.push(r / sum);
    greens.push(g / sum);
  }
  if (reds.length < COLOUR_MEASURABLE * (data.length / channels)) return undefined;
  // A typed array sorts numbers as numbers, in a fraction of the time a comparator takes.
  const median = (values: number[]): number => Float64Array.from(values).sort()[values.length >> 1] ?? 0;
  const [r0, g0] = [median(reds), median(greens)];
  let apart = 0;
  for (let k = 0; k < reds.length; k += 1) if (Math.hypot((reds[k] ?? 0) - r0, (greens[k] ?? 0) - g0) >= COLOUR_APART) apart += 1;
  return apart / reds.length;
}

export async function colourShare(jpeg: Buffer, region: Region): Promise<number | undefined> {
  return colourApartShare(await regionPixels(jpeg, region));
}

/**
 * A card shown on a screen and photographed (翻拍): the strongest moiré peak of the card's tiles. The
 * limit is over twice the highest peak of specimen cards of three faces photographed as they are,
 * under a warm and a cold light, and blurred and shrunk (8-13); the error rates on other faces are
 * in docs/EVALUATION.md (npm run eval).
 */
export const RECAPTURE_LIMIT = 30;

function moireOf({ tiles }: RegionPixels): number {
  return tiles.reduce((most, tile) => Math.max(most, moirePeak(tile)), 0);
}

export async function moireScore(jpeg: Buffer, region: Region): Promise<number> {
  return moireOf(await regionPixels(jpeg, region));
}

export type CardPhotoProblem = 'card_not_found' | 'card_cut_off' | 'card_glare' | 'card_photocopy' | 'card_recaptured';

/**
 * What is wrong with a card side's photo as a photo of a card: not there (not one field of the side
 * read: any text in the picture is something else), cut off, glaring, a black-and-white copy, or a
 * screen showing the card.
 */
export async function cardPhotoProblems(jpeg: Buffer, lines: readonly OcrLine[], fieldsRead: number): Promise<CardPhotoProblem[]> {
  const region = textRegion(lines);
  if (!region || fieldsRead === 0) return ['card_not_found'];
  const problems: CardPhotoProblem[] = [];
  if (textTouchesEdge(lines)) problems.push('card_cut_off');
  const pixels = await regionPixels(jpeg, region);
  // A copy's white paper reads as glare: of a copy, only that it is one is worth saying.
  const colour = colourApartShare(pixels);
  if (colour !== undefined && colour < PHOTOCOPY_LIMIT) problems.push('card_photocopy');
  else if (moireOf(pixels) > RECAPTURE_LIMIT) problems.push('card_recaptured');
  else if (blownShare(pixels) > GLARE_LIMIT) problems.push('card_glare');
  return problems;
}
