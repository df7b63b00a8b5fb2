import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type VisionEngine, createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { type MockCard, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { applyEffects } from '../../bff/src/sandbox/mockId/effects.js';
import { GLARE_LIMIT, PHOTOCOPY_LIMIT, RECAPTURE_LIMIT, cardPhotoProblems, colourShare, glareShare, moireScore, textRegion } from '../../bff/src/verification/cardRegion.js';
import { facePhoto } from '../support/fixtures.js';

let engine: VisionEngine;
let clean: MockCard;
let glaring: MockCard;
let copied: MockCard;
let onScreen: MockCard;

beforeAll(async () => {
  engine = createVisionEngine({ threads: 1, maxQueue: 8 });
  const face = await facePhoto('people/sheldon/sheldon1.png');
  clean = await generateMockCard({ face, seed: 'card-photo' });
  glaring = await generateMockCard({ face, seed: 'card-photo', effects: { glare: true }, effectsOn: ['portrait', 'emblem'] });
  copied = await generateMockCard({ face, seed: 'card-photo', effects: { photocopy: true }, effectsOn: ['portrait', 'emblem'] });
  onScreen = await generateMockCard({ face, seed: 'card-photo', effects: { screen: true }, effectsOn: ['portrait', 'emblem'] });
});

afterAll(async () => {
  await engine.close();
});

const problemsOf = async (image: Buffer, side: 'portrait' | 'emblem') => {
  const reading = side === 'portrait' ? await engine.readPortraitSide(image) : await engine.readEmblemSide(image);
  return cardPhotoProblems(image, reading.lines, Object.keys(reading.fields).length);
};

/** The card photographed on a white desk: the card a third of the picture, white all around. */
async function onWhiteDesk(image: Buffer): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(image).metadata();
  return sharp({ create: { width: width * 2, height: height * 2, channels: 3, background: '#ffffff' } })
    .composite([{ input: image, left: Math.round(width / 2), top: Math.round(height / 2) }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

describe('the card in a card photo', () => {
  it.each(['portrait', 'emblem'] as const)('finds no fault with a clean %s side', async (side) => {
    expect(await problemsOf(clean.images[side], side)).toEqual([]);
  });

  it.each(['portrait', 'emblem'] as const)('sees glare on the %s side, measured on the card', async (side) => {
    expect(await problemsOf(glaring.images[side], side)).toEqual(['card_glare']);
    const region = textRegion((await engine.readEmblemSide(glaring.images[side])).lines);
    if (!region) throw new Error('no text found');
    expect(await glareShare(glaring.images[side], region)).toBeGreaterThan(2 * GLARE_LIMIT);
  });

  it.each(['portrait', 'emblem'] as const)('tells a black-and-white copy of the %s side, under a warm or a cold light too', async (side) => {
    expect(await problemsOf(copied.images[side], side)).toEqual(['card_photocopy']);
    const region = textRegion((await engine.readEmblemSide(clean.images[side])).lines);
    if (!region) throw new Error('no text found');
    for (const [r, b] of [[1.1, 0.85], [0.9, 1.12]] as const) {
      const lit = async (image: Buffer) => sharp(image).recomb([[r, 0, 0], [0, 1, 0], [0, 0, b]]).jpeg({ quality: 85 }).toBuffer();
      // A light's tint scales the channels of a grey copy alike: it stays grey; the card keeps its colours.
      expect(await colourShare(await lit(copied.images[side]), region)).toBeLessThan(PHOTOCOPY_LIMIT);
      expect(await colourShare(await lit(clean.images[side]), region)).toBeGreaterThan(2 * PHOTOCOPY_LIMIT);
    }
  });

  it.each(['portrait', 'emblem'] as const)('tells the %s side photographed from a screen, tilted or not, shrunk to a phone\'s upload', async (side) => {
    expect(await problemsOf(onScreen.images[side], side)).toEqual(['card_recaptured']);
    const region = textRegion((await engine.readEmblemSide(clean.images[side])).lines);
    if (!region) throw new Error('no text found');
    expect(await moireScore(clean.images[side], region)).toBeLessThan(RECAPTURE_LIMIT / 2);
    for (const screen of [{ pitch: 2.4, angle: 0.3 }, { pitch: 1.4, angle: 5, focus: 1.5 }]) {
      const shot = await applyEffects(clean.images[side], { screen, lowResolution: 1100 });
      expect(await moireScore(shot, region), JSON.stringify(screen)).toBeGreaterThan(2 * RECAPTURE_LIMIT);
    }
  });

  it('does not take a photo too dark to show colours for a copy', async () => {
    const region = textRegion((await engine.readPortraitSide(clean.images.portrait)).lines);
    if (!region) throw new Error('no text found');
    const dark = await sharp(clean.images.portrait).linear(0.1, 0).jpeg({ quality: 90 }).toBuffer();
    expect(await colourShare(dark, region)).toBeUndefined();
    expect(await problemsOf(dark, 'portrait')).not.toContain('card_photocopy');
  });

  it('is not fooled by a white desk around a clean card', async () => {
    const desk = await onWhiteDesk(clean.images.portrait);
    const whole = { x0: 0, y0: 0, x1: 1, y1: 1 };
    // Over the whole picture most pixels are blown out; on the card, almost none.
    expect(await glareShare(desk, whole)).toBeGreaterThan(0.5);
    expect(await problemsOf(desk, 'portrait')).toEqual([]);
  });

  it('finds no card in a photo of a face', async () => {
    const face = await facePhoto('photos/obama.jpg');
    expect(await problemsOf(face, 'portrait')).toEqual(['card_not_found']);
    expect(await problemsOf(face, 'emblem')).toEqual(['card_not_found']);
  });
});
