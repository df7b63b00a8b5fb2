import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type VisionEngine, createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { type MockCard, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { PASTED_SIDE_LIMIT, looksPasted, portraitFrame, portraitLooksPasted } from '../../bff/src/verification/pastedPortrait.js';
import { facePhoto } from '../support/fixtures.js';

let engine: VisionEngine;
let genuine: MockCard[];
let forged: MockCard[];

/** Cards of a photo of a whole person (cut out on the card) and of a face alone (in an oval). */
const FACES = ['photos/biden2.jpg', 'people/amy/amy1.png'];

beforeAll(async () => {
  engine = createVisionEngine({ threads: 1, maxQueue: 8 });
  genuine = await Promise.all(FACES.map(async (face, i) => generateMockCard({ face: await facePhoto(face), seed: `pasted-${i}` })));
  // The holder's own card with the forger's photo glued over its portrait: a studio print on blue,
  // glued flush and a little askew, and a snapshot lying on the card with its shadow. (A white print
  // glued flush is mostly missed: docs/EVALUATION.md.)
  forged = await Promise.all(FACES.map(async (face, i) => generateMockCard({
    face: await facePhoto(face),
    seed: `pasted-${i}`,
    pasted: i === 0
      ? { face: await facePhoto('people/howard/howard1.png'), background: 'blue', turn: -1.2, shift: [0.02, -0.01] }
      : { face: await facePhoto('photos/obama2.jpg'), shadow: true, turn: 0.8 },
  })));
});

afterAll(async () => {
  await engine.close();
});

const faceOn = async (image: Buffer) => {
  const face = (await engine.detectFaces(image)).faces[0];
  if (!face) throw new Error('no face on the card');
  return face.box;
};

describe('a portrait pasted onto a card', () => {
  it.each([0, 1])('finds nothing straight beside the portrait the card printed itself (card %i)', async (i) => {
    const image = genuine[i]!.images.portrait;
    const frame = await portraitFrame(image, await faceOn(image));
    expect(frame).toBeDefined();
    expect(Math.max(frame!.left, frame!.right)).toBeLessThan(PASTED_SIDE_LIMIT);
    expect(await portraitLooksPasted(image, await faceOn(image))).toBe(false);
  });

  it.each([0, 1])('flags a photo glued over the portrait by its two straight sides (card %i)', async (i) => {
    const image = forged[i]!.images.portrait;
    const frame = await portraitFrame(image, await faceOn(image));
    expect(frame!.left).toBeGreaterThanOrEqual(0.9);
    expect(frame!.right).toBeGreaterThanOrEqual(0.9);
    expect(looksPasted(frame!)).toBe(true);
  });

  it('still flags it with the card turned 3° in a smaller photo, and measures alike at any resolution', async () => {
    const turned = await sharp(forged[0]!.images.portrait).rotate(3, { background: '#3b3d40' }).resize({ width: 1200 }).jpeg({ quality: 85 }).toBuffer();
    expect(await portraitLooksPasted(turned, await faceOn(turned))).toBe(true);
    const small = await sharp(genuine[0]!.images.portrait).resize({ width: 900 }).jpeg({ quality: 85 }).toBuffer();
    expect(await portraitLooksPasted(small, await faceOn(small))).toBe(false);
  });

  it('flags one straight side only when the other is straight too: a sleeve\'s edge or a collar is not a photo', async () => {
    const image = genuine[0]!.images.portrait;
    const box = await faceOn(image);
    const { width = 0, height = 0 } = await sharp(image).metadata();
    // A dark straight edge right of the face, as a sleeve's seam or a door frame would be.
    const x = Math.round(box.x + box.width * 1.5);
    const line = Buffer.from(`<svg width="${width}" height="${height}"><rect x="${x}" y="0" width="${width - x}" height="${height}" fill="#7a8088" fill-opacity="0.5"/></svg>`);
    const edged = await sharp(image).composite([{ input: line }]).jpeg({ quality: 90 }).toBuffer();
    const frame = await portraitFrame(edged, box);
    expect(frame!.right).toBeGreaterThanOrEqual(0.9);
    expect(frame!.left).toBeLessThan(PASTED_SIDE_LIMIT);
    expect(looksPasted(frame!)).toBe(false);
  });

  it('measures nothing where the face has no picture around it', async () => {
    const image = genuine[0]!.images.portrait;
    expect(await portraitFrame(image, { x: -500, y: -500, width: 2, height: 2 })).toBeUndefined();
  });
});
