import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CalendarDate, checkValidity, parseIdNumber } from '@shared';
import { loadConfig } from '../../bff/src/config.js';
import { faceDistance } from '../../bff/src/engine/face/faceDistance.js';
import { textTouchesEdge } from '../../bff/src/engine/ocr/cardText.js';
import { type VisionEngine, createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { type MockCard, type MockCardOptions, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { CARD_PX, PHOTO_REGION } from '../../bff/src/sandbox/mockId/layout.js';
import { TEST_TODAY, facePhoto } from '../support/fixtures.js';

const THRESHOLD = loadConfig({}).faceMatchMaxDistance;
const birthOf = (iso: string): CalendarDate => {
  const [year = 0, month = 0, day = 0] = iso.split('-').map(Number);
  return { year, month, day };
};

let engine: VisionEngine;
beforeAll(() => {
  engine = createVisionEngine({ threads: 1, maxQueue: 64 });
});
afterAll(async () => {
  await engine.close();
});

async function card(face: string, options: Partial<MockCardOptions> = {}): Promise<MockCard> {
  return generateMockCard({ face: await facePhoto(face), today: TEST_TODAY, ...options });
}

/** Distance between the portrait printed on the card and the largest face of the hand-held photo. */
async function portraitToHolderDistance(mock: MockCard): Promise<number> {
  const onCard = await engine.detectFaces(mock.images.portrait);
  const holder = await engine.detectFaces(mock.images.handheld);
  expect(onCard.faces).toHaveLength(1);
  const [cardFace] = onCard.faces;
  const [holderFace] = holder.faces;
  if (!cardFace || !holderFace) throw new Error('face missing');
  return faceDistance(cardFace.descriptor, holderFace.descriptor);
}

describe('specimen cards read back by the product engine', () => {
  it.each([
    ['photos/obama.jpg', 'clean-1'],
    ['photos/biden2.jpg', 'clean-2'],
    ['photos/obama2.jpg', 'clean-3'],
    ['people/amy/amy1.png', 'clean-4'],
    ['people/leonard/leonard1.png', 'clean-5'],
  ])('OCR reads every printed field of a card made from %s (seed %s)', async (face, seed) => {
    const mock = await card(face, { seed });
    const portrait = await engine.readPortraitSide(mock.images.portrait);
    const emblem = await engine.readEmblemSide(mock.images.emblem);
    expect(portrait.fields).toEqual(mock.identity.portrait);
    expect(emblem.fields).toEqual(mock.identity.emblem);

    // What was read passes the rules, as generated.
    expect(parseIdNumber(portrait.fields.idNumber ?? '', TEST_TODAY).ok).toBe(true);
    expect(checkValidity(emblem.fields.validity ?? '', birthOf(portrait.fields.birthDate ?? ''), TEST_TODAY).ok).toBe(true);

    // The portrait on the card is the person holding it.
    expect(await portraitToHolderDistance(mock)).toBeLessThan(THRESHOLD);
  });

  it('reads a wrong check character, which the rules then refuse', async () => {
    const mock = await card('photos/obama.jpg', { seed: 'bad-checksum', invalidChecksum: true });
    const { fields } = await engine.readPortraitSide(mock.images.portrait);
    expect(fields.idNumber).toBe(mock.identity.portrait.idNumber);
    expect(parseIdNumber(fields.idNumber ?? '', TEST_TODAY)).toEqual({ ok: false, reasons: ['id_checksum'] });
  });

  it('reads an expired validity, which the rules then refuse', async () => {
    const mock = await card('photos/biden2.jpg', { seed: 'expired', expired: true });
    const { fields } = await engine.readEmblemSide(mock.images.emblem);
    expect(fields.validity).toBe(mock.identity.emblem.validity);
    expect(checkValidity(fields.validity ?? '', birthOf(mock.identity.portrait.birthDate), TEST_TODAY))
      .toEqual({ ok: false, reasons: ['validity_expired'] });
  });

  it('reads a long-term (长期) validity', async () => {
    const mock = await card('photos/obama2.jpg', { seed: 'long-term', longTerm: true });
    const { fields } = await engine.readEmblemSide(mock.images.emblem);
    expect(fields.validity).toMatch(/^\d{4}\.\d{2}\.\d{2}-长期$/);
    expect(fields).toEqual(mock.identity.emblem);
  });

  it.each([
    ['photos/obama.jpg', 'photos/biden2.jpg'],
    ['photos/biden2.jpg', 'photos/obama2.jpg'],
    ['people/penny/penny1.png', 'people/amy/amy1.png'],
    ['people/leonard/leonard1.png', 'photos/obama.jpg'],
  ])('tells that a card printed with another face is not %s holding it (card face %s)', async (holder, printed) => {
    const mock = await card(holder, { seed: 'impostor', cardFace: await facePhoto(printed) });
    expect(await portraitToHolderDistance(mock)).toBeGreaterThan(THRESHOLD);
  });
});

describe('a card cut off by the frame', () => {
  it('is seen from where the printed text ends, and a whole card is not', async () => {
    const whole = await card('photos/obama.jpg', { seed: 'cut' });
    const cut = await card('photos/obama.jpg', { seed: 'cut', effects: { crop: 0.2 }, effectsOn: ['portrait', 'emblem'] });
    for (const side of ['portrait', 'emblem'] as const) {
      const read = (image: Buffer) => (side === 'portrait' ? engine.readPortraitSide(image) : engine.readEmblemSide(image));
      expect(textTouchesEdge((await read(whole.images[side])).lines), `${side} whole`).toBe(false);
      expect(textTouchesEdge((await read(cut.images[side])).lines), `${side} cut`).toBe(true);
    }
  });
});

describe('the portrait as the card prints it', () => {
  /** The colour at a point of the card (shares of its width and height) in the photo of the portrait side. */
  async function colourAt(image: Buffer, x: number, y: number): Promise<[number, number, number]> {
    const margin = Math.round(CARD_PX.width * 0.06);
    const left = margin + Math.round(x * CARD_PX.width);
    const top = margin + Math.round(y * CARD_PX.height);
    const { data } = await sharp(image).extract({ left, top, width: 6, height: 6 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const mean = (c: number) => Math.round(Array.from({ length: 36 }, (_, i) => data[i * 3 + c]!).reduce((a, b) => a + b, 0) / 36);
    return [mean(0), mean(1), mean(2)];
  }

  it('drops the photo\'s own background, so the card\'s pattern shows beside the head; a glued print shows its own', async () => {
    // photos/obama.jpg stands before red curtains, left and right of the head.
    const genuine = await card('photos/obama.jpg');
    const forged = await card('photos/obama.jpg', { pasted: { face: await facePhoto('photos/obama.jpg') } });
    const beside = [PHOTO_REGION.x0 + 0.02, PHOTO_REGION.y0 + 0.12] as const;
    const [r, g, b] = await colourAt(genuine.images.portrait, ...beside);
    const [cardR, cardG, cardB] = await colourAt(genuine.images.portrait, 0.5, 0.05);
    expect(Math.abs(r - cardR) + Math.abs(g - cardG) + Math.abs(b - cardB)).toBeLessThan(30);
    const [fr, fg] = await colourAt(forged.images.portrait, ...beside);
    expect(fr - fg).toBeGreaterThan(60);
    // A studio print: the person on the studio's plain blue.
    const studio = await card('photos/obama.jpg', { pasted: { face: await facePhoto('photos/obama.jpg'), background: 'blue' } });
    const [sr, , sb] = await colourAt(studio.images.portrait, ...beside);
    expect(sb - sr).toBeGreaterThan(100);
    // The person stays: the face is found where it was.
    expect((await engine.detectFaces(genuine.images.portrait)).faces).toHaveLength(1);
  });

  it('fades a photo that is only a face into the card in an oval: nothing of its square left at the corners', async () => {
    const genuine = await card('people/sheldon/sheldon1.png');
    const [r, g, b] = await colourAt(genuine.images.portrait, PHOTO_REGION.x0 + 0.005, PHOTO_REGION.y0 + 0.01);
    const [cardR, cardG, cardB] = await colourAt(genuine.images.portrait, 0.5, 0.05);
    expect(Math.abs(r - cardR) + Math.abs(g - cardG) + Math.abs(b - cardB)).toBeLessThan(30);
    expect((await engine.detectFaces(genuine.images.portrait)).faces).toHaveLength(1);
  });
});
