import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { imageToInput, modelBasePath, ocrModelBases } from '../../bff/src/engine/ocr/modelInput.js';

/** The library's own conversion, from a fresh copy of its module (the reader replaces it in the loaded one). */
const shipped = await import(`${pathToFileURL(modelBasePath()).href}?as-shipped`) as { ModelBase: Awaited<ReturnType<typeof ocrModelBases>>[number] };
const libraryConversion = shipped.ModelBase.prototype.imageToInput;

function noiseImage(width: number, height: number, seed: number): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(width * height * 4);
  let state = seed;
  for (let i = 0; i < data.length; i += 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    data[i] = state >> 23;
  }
  return { data, width, height };
}

describe("the OCR models' input", () => {
  it('is not already ours in the copy it is compared with', () => {
    expect(libraryConversion).not.toBe(imageToInput);
  });

  it('holds the values the library computes, blue plane first, for its default and for a mean and spread', () => {
    const image = noiseImage(37, 11, 7);
    for (const options of [{}, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }]) {
      const ours = imageToInput(image, options);
      const theirs = libraryConversion.call({}, image, options) as { data: number[]; width: number; height: number };
      expect(ours.width).toBe(37);
      expect(ours.height).toBe(11);
      expect(Array.from(ours.data)).toEqual(Array.from(Float32Array.from(theirs.data)));
    }
  });

  it('puts blue, green and red in their planes and leaves alpha out', () => {
    const image = { data: Uint8Array.from([255, 0, 51, 7, 0, 102, 255, 9]), width: 2, height: 1 };
    expect(Array.from(imageToInput(image).data)).toEqual([0.2, 1, 0, 0.4, 1, 0].map(Math.fround));
  });

  it('is what the reader gives both models once it is loaded, and the models call it', async () => {
    const { loadOcr, readTextLines } = await import('../../bff/src/engine/ocr/ocrReader.js');
    await loadOcr(1);
    const bases = await ocrModelBases();
    for (const base of bases) expect(base.prototype.imageToInput).toBe(imageToInput);
    const sizes: string[] = [];
    for (const base of bases) {
      base.prototype.imageToInput = (image, options) => {
        sizes.push(`${image.width}x${image.height}`);
        return imageToInput(image, options);
      };
    }
    try {
      const text = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="96"><rect width="100%" height="100%" fill="white"/><text x="16" y="60" font-size="40">2026 0512</text></svg>');
      const lines = await readTextLines(await sharp(text).png().toBuffer());
      expect(lines.map((line) => line.text.replace(/\s/g, '')).join('')).toContain('2026');
    } finally {
      for (const base of bases) base.prototype.imageToInput = imageToInput;
    }
    // The detection model's input (two thirds of the image read at 960 px, in multiples of 32), then one per line read.
    expect(sizes[0]).toBe('640x192');
    expect(sizes.length).toBeGreaterThanOrEqual(2);
  });
});
