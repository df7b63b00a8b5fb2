import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { type CalendarDate } from '@shared';
import type { FaceBox } from '../../engine/face/faceModels.js';
import { MAX_INPUT_PIXELS } from '../../engine/image.js';
import { type CaptureEffects, applyEffects } from './effects.js';
import { assertChineseFont } from './fonts.js';
import { foundFaces } from './foundFaces.js';
import { type IdentityOptions, type MockIdentity, generateIdentity } from './identity.js';
import { cropIdPhoto, pastePrint, photographCard, renderEmblemCard, renderHandheld, renderPortraitCard } from './render.js';
import { cutOut } from './silhouette.js';
import { svgDocument } from './svg.js';

export type { CaptureEffects } from './effects.js';
export type { IdentityOptions, MockIdentity } from './identity.js';

export const MOCK_IMAGE_KINDS = ['portrait', 'emblem', 'handheld'] as const;
export type MockImageKind = (typeof MOCK_IMAGE_KINDS)[number];

export interface MockCardOptions extends Omit<IdentityOptions, 'seed' | 'today'> {
  /** Photo of the person who holds the card in the hand-held photo (and, by default, on the card). */
  face: Buffer;
  /** Photo of another person to print on the card instead: a card that is not the holder's. */
  cardFace?: Buffer;
  seed?: string;
  today?: CalendarDate;
  effects?: CaptureEffects;
  /** Which images the effects apply to; all three by default. */
  effectsOn?: readonly MockImageKind[];
  /** A photo of someone glued over the card's portrait: a forged card. */
  pasted?: PastedPhoto;
}

export interface PastedPhoto {
  /** Photo of the person on the glued print. */
  face: Buffer;
  /**
   * The print's background: the photo's own (default), a studio's plain white, blue or red, or none
   * (the print cut out along the person's outline).
   */
  background?: 'photo' | 'white' | 'blue' | 'red' | 'none';
  /** Whether the print's edge casts a shadow on the card (a print lying on it), or lies flush. */
  shadow?: boolean;
  /** How askew it is glued, in degrees. */
  turn?: number;
  /** How far off the portrait's place, as shares of the portrait's width and height. */
  shift?: [number, number];
}

export interface MockCard {
  identity: MockIdentity;
  /** JPEG photographs of each side on a desk, and of the holder with the card. */
  images: Record<MockImageKind, Buffer>;
}

/** Photos are brought to this long side first, so tiny crops and huge photos give similar outputs. */
const SOURCE_SIDE = 1280;

interface PreparedSource {
  image: Buffer;
  face: FaceBox;
  /** Whether the photo was only a face, put on a blurred backdrop. */
  backdrop: boolean;
}

/** Sources prepared, by the photo's hash: the same few faces make many cards, and finding a face is most of the cost. */
const prepared = new Map<string, Promise<PreparedSource>>();
const PREPARED_KEPT = 32;

function prepareSource(photo: Buffer, role: string): Promise<PreparedSource> {
  const key = createHash('sha256').update(photo).digest('hex');
  let source = prepared.get(key);
  if (!source) {
    source = findSource(photo, key, role);
    // A photo without a face is not kept: the error is thrown again, from a fresh try, next time.
    source.catch(() => prepared.delete(key));
    if (prepared.size >= PREPARED_KEPT) prepared.delete(prepared.keys().next().value ?? '');
    prepared.set(key, source);
  }
  return source;
}

async function findSource(photo: Buffer, hash: string, role: string): Promise<PreparedSource> {
  const resized: Buffer = await sharp(photo, { limitInputPixels: MAX_INPUT_PIXELS })
    .rotate()
    .resize({ width: SOURCE_SIDE, height: SOURCE_SIDE, fit: 'inside' })
    .jpeg({ quality: 95 })
    .toBuffer();
  const key = `source-${SOURCE_SIDE}-faded-${hash}`;
  const known = await foundFaces()?.get(key).catch(() => undefined);
  if (known) return { image: known.backdrop ? await placeOnBackdrop(resized) : resized, backdrop: known.backdrop, face: known.face };
  // The face models load only when a face must be found (loading them is most of a first card's time).
  const { findFaceBoxes } = await import('../../engine/face/faceModels.js');
  let image = resized;
  let backdrop = false;
  let face = (await findFaceBoxes(image))[0];
  const { width = 0 } = await sharp(image).metadata();
  if (!face || face.width > width * 0.4) {
    // A tight face crop: the detector needs context around a face, and the hand-held photo needs room
    // for the card. Put the photo in front of a blurred, wider copy of itself.
    image = await placeOnBackdrop(image);
    backdrop = true;
    face = (await findFaceBoxes(image))[0];
  }
  if (!face) throw new Error(`no face found in the ${role} photo`);
  await foundFaces()?.set(key, { backdrop, face }).catch(() => undefined);
  return { image, backdrop, face };
}

async function placeOnBackdrop(image: Buffer): Promise<Buffer> {
  const side = Math.round(SOURCE_SIDE * 0.4);
  const portrait = await sharp(image).resize({ width: side, height: side, fit: 'inside' }).toBuffer({ resolveWithObject: true });
  const canvas = { width: SOURCE_SIDE, height: Math.round(SOURCE_SIDE * 1.2) };
  const backdrop = await sharp(image)
    .resize(canvas.width, canvas.height, { fit: 'cover' })
    .blur(40)
    .modulate({ brightness: 0.8 })
    .toBuffer();
  const { width, height } = portrait.info;
  // The crop's edges fade into the backdrop: a hard square edge around a face is no one's photo.
  const feather = Math.round(Math.min(width, height) * 0.02);
  const fade = await sharp(svgDocument(width, height, `<rect x="${feather}" y="${feather}" width="${width - 2 * feather}" height="${height - 2 * feather}" fill="#fff"/>`))
    .flatten({ background: '#000' })
    .blur(feather / 2)
    .extractChannel(0)
    .toBuffer();
  const faded = await sharp(portrait.data).joinChannel(fade).png().toBuffer();
  return sharp(backdrop)
    .composite([{ input: faded, left: Math.round((canvas.width - width) / 2), top: Math.round(canvas.height * 0.12) }])
    .jpeg({ quality: 95 })
    .toBuffer();
}

/**
 * A tight crop as a card prints it: no person to cut out of a face alone, so the framed photo fades
 * into the card in an oval (the face detector needs the crop's backdrop around the face).
 */
async function inOval(idPhoto: Buffer): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(idPhoto).metadata();
  const feather = Math.round(width * 0.02);
  const oval = svgDocument(width, height, `<ellipse cx="${width / 2}" cy="${height / 2}" rx="${width / 2 - feather}" ry="${height / 2 - feather}" fill="#fff"/>`);
  const alpha = await sharp(oval).flatten({ background: '#000' }).blur(feather / 2).extractChannel(0).toBuffer();
  // Without its alpha first: sharp removes an alpha channel after joining one, whatever the call order.
  const rgb = await sharp(idPhoto).removeAlpha().png().toBuffer();
  return sharp(rgb).joinChannel(alpha).png().toBuffer();
}

/**
 * The photo a card prints, framed as the photo standard asks, from any photo of the person: the
 * person cut out of the photo's background, as a card prints its portrait on the card's own pattern
 * (a PNG with transparency).
 */
export async function idPhotoFor(photo: Buffer, role = 'face'): Promise<Buffer> {
  const source = await prepareSource(photo, role);
  if (source.backdrop) return inOval(await cropIdPhoto(source.image, source.face));
  return cutOut(await cropIdPhoto(source.image, source.face));
}

const PRINT_BACKGROUNDS = { white: '#f3f3f1', blue: '#438edb', red: '#d2352e' } as const;

/**
 * A photo print of a person as a forger would glue it on a card: framed as an ID photo, with the
 * photo's own background or the plain white, blue or red of a photo studio's, or cut out along the
 * person's outline.
 */
async function photoPrint(photo: Buffer, background: PastedPhoto['background']): Promise<Buffer> {
  const source = await prepareSource(photo, 'pasted face');
  const framed = await cropIdPhoto(source.image, source.face);
  if (!background || background === 'photo') return framed;
  if (background === 'none') return cutOut(framed);
  const { width = 0, height = 0 } = await sharp(framed).metadata();
  return sharp({ create: { width, height, channels: 3, background: PRINT_BACKGROUNDS[background] } })
    .composite([{ input: await cutOut(framed) }])
    .png()
    .toBuffer();
}

/** Generates a specimen card (both sides), a hand-held photo and the identity printed on it. */
export async function generateMockCard(options: MockCardOptions): Promise<MockCard> {
  await assertChineseFont();
  const identity = generateIdentity({ ...options, seed: options.seed ?? 'specimen' });
  const holder = await prepareSource(options.face, 'face');
  let portraitCard = await renderPortraitCard(identity.portrait, await idPhotoFor(options.cardFace ?? options.face, options.cardFace ? 'card face' : 'face'));
  if (options.pasted) portraitCard = await pastePrint(portraitCard, await photoPrint(options.pasted.face, options.pasted.background), options.pasted);
  const emblemCard = await renderEmblemCard(identity.emblem);
  const images: Record<MockImageKind, Buffer> = {
    portrait: await photographCard(portraitCard),
    emblem: await photographCard(emblemCard),
    handheld: await renderHandheld(holder.image, holder.face, portraitCard),
  };
  if (options.effects) {
    for (const kind of options.effectsOn ?? MOCK_IMAGE_KINDS) images[kind] = await applyEffects(images[kind], options.effects);
  }
  return { identity, images };
}

export const MOCK_FILE_NAMES: Record<MockImageKind, string> = {
  portrait: 'portrait-side.jpg',
  emblem: 'emblem-side.jpg',
  handheld: 'handheld.jpg',
};

/** Writes the three images and identity.json (every printed field, plus what the rules must say). */
export async function writeMockCard(card: MockCard, outDir: string, meta: Record<string, unknown> = {}): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const kind of Object.keys(MOCK_FILE_NAMES) as MockImageKind[]) {
    const file = path.join(outDir, MOCK_FILE_NAMES[kind]);
    await writeFile(file, card.images[kind]);
    written.push(file);
  }
  const json = path.join(outDir, 'identity.json');
  await writeFile(json, `${JSON.stringify({ specimen: true, ...card.identity, ...meta }, null, 2)}\n`);
  written.push(json);
  return written;
}
