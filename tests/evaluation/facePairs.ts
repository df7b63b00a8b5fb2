/**
 * The fixture faces as comparison pairs, shared by the calibration (npm run calibrate) and the
 * evaluation (npm run eval). Each image is seen three ways, all through the product's detector:
 * - photo: as it is;
 * - mirrored: flipped left to right (a front camera's selfie);
 * - card: its face printed on a specimen card's portrait side and photographed, which is the
 *   comparison the product makes (the card's portrait against the hand-held photo and the live face).
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { type DetectedFace, type FaceDetector, detectFaces } from '../../bff/src/engine/face/faceModels.js';
import { generateIdentity } from '../../bff/src/sandbox/mockId/identity.js';
import { idPhotoFor } from '../../bff/src/sandbox/mockId/index.js';
import { photographCard, renderPortraitCard } from '../../bff/src/sandbox/mockId/render.js';

export const FACES = fileURLToPath(new URL('../fixtures/faces/', import.meta.url));

export type View = 'photo' | 'mirrored' | 'card';
export type PairKind = 'photo ~ photo' | 'mirrored ~ photo' | 'card ~ photo';
export const PAIR_KINDS: PairKind[] = ['photo ~ photo', 'mirrored ~ photo', 'card ~ photo'];

/** One fixture image: whose face it is, and the face the product's detector finds in each view. */
export interface FaceSample {
  person: string;
  file: string;
  views: Partial<Record<View, { image: Buffer; face: DetectedFace }>>;
}

export interface Pair {
  kind: PairKind;
  same: boolean;
  distance: number;
  a: string;
  b: string;
}

/** Tight crops get a neutral margin: the detector needs context around a face. */
async function prepare(file: string): Promise<Buffer> {
  const image = await readFile(file);
  const { width = 0 } = await sharp(image).metadata();
  if (width > 300) return image;
  const pad = Math.round(width * 0.6);
  return sharp(image).extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#7f7f7f' }).resize({ width: 600 }).png().toBuffer();
}

/** The largest face, found as the product finds it: a card's portrait with the card detector. */
const largestFace = async (image: Buffer, detector: FaceDetector = 'photo'): Promise<DetectedFace | undefined> => (await detectFaces(image, 0.2, detector)).faces[0];

/** The fixture images with one person in them (obama3.jpg and biden.jpg show both men and are left out). */
export async function fixtureFiles(): Promise<{ person: string; file: string }[]> {
  const files: { person: string; file: string }[] = [];
  for (const person of (await readdir(path.join(FACES, 'people'))).sort()) {
    for (const file of (await readdir(path.join(FACES, 'people', person))).sort()) files.push({ person, file: path.join('people', person, file) });
  }
  for (const [person, name] of [['obama', 'obama.jpg'], ['obama', 'obama2.jpg'], ['obama', 'obama-480p.jpg'], ['biden', 'biden2.jpg']] as const) {
    files.push({ person, file: path.join('photos', name) });
  }
  return files;
}

/** Every fixture image in its three views; `missed` lists the images whose face was not found. */
export async function loadSamples(files?: { person: string; file: string }[]): Promise<{ samples: FaceSample[]; missed: string[] }> {
  const samples: FaceSample[] = [];
  const missed: string[] = [];
  for (const { person, file } of files ?? (await fixtureFiles())) {
    const photo = await prepare(path.join(FACES, file));
    const face = await largestFace(photo);
    const mirroredImage = await sharp(photo).flop().png().toBuffer();
    const mirrored = await largestFace(mirroredImage);
    if (!face || !mirrored) {
      missed.push(file);
      continue;
    }
    const views: FaceSample['views'] = { photo: { image: photo, face }, mirrored: { image: mirroredImage, face: mirrored } };
    const { portrait } = generateIdentity({ seed: path.basename(file) });
    // Printed as the specimen generator prints a card's portrait (the person cut out, or a face alone
    // in an oval); a photo the generator finds no face in has no card view, as one whose card shows none.
    const idPhoto = await idPhotoFor(photo).catch(() => undefined);
    const cardImage = idPhoto && await photographCard(await renderPortraitCard(portrait, idPhoto));
    const onCard = cardImage && await largestFace(cardImage, 'card');
    if (cardImage && onCard) views.card = { image: cardImage, face: onCard };
    samples.push({ person, file, views });
  }
  return { samples, missed };
}

/**
 * Every pair of two images, in each kind: photo ~ photo once per unordered pair, the others in both
 * orders (a mirrored or printed `a` against the photo `b`). `describe` gives a view's descriptor.
 */
export function pairsOf<D>(samples: FaceSample[], describe: (sample: FaceSample, view: View) => D | undefined, distance: (a: D, b: D) => number): Pair[] {
  const out: Pair[] = [];
  for (const a of samples) {
    for (const b of samples) {
      if (a === b) continue;
      const same = a.person === b.person;
      const photoB = describe(b, 'photo');
      if (photoB === undefined) continue;
      const add = (kind: PairKind, view: View): void => {
        const d = describe(a, view);
        if (d !== undefined) out.push({ kind, same, distance: distance(d, photoB), a: a.file, b: b.file });
      };
      if (a.file < b.file) add('photo ~ photo', 'photo');
      add('mirrored ~ photo', 'mirrored');
      add('card ~ photo', 'card');
    }
  }
  return out;
}
