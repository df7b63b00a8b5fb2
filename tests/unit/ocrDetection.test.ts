import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { textImageOf } from '../../bff/src/engine/ocr/detection.js';
import { readTextLines } from '../../bff/src/engine/ocr/ocrReader.js';

const LIMIT = 40_000_000;

/** A white strip 320x96 with one line of digits from x = 16 to about x = 225. */
const strip = (): Promise<Buffer> => sharp(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="96"><rect width="100%" height="100%" fill="white"/><text x="16" y="60" font-size="40" font-family="DejaVu Sans">2026 0512</text></svg>')).png().toBuffer();

describe('text detection on a smaller copy of the picture read', () => {
  it('decodes the picture once at the side read and gives the detector two thirds of it, in multiples of 32', async () => {
    const picture = await textImageOf(await strip(), 960, LIMIT);
    expect([picture.source.width, picture.source.height]).toEqual([960, 288]);
    expect(picture.source.data.length).toBe(960 * 288 * 4);
    expect([picture.detect.width, picture.detect.height]).toEqual([640, 192]);
    expect(picture.detect.data.length).toBe(640 * 192 * 4);
    // An odd size is stretched to the nearest multiples, not padded.
    const odd = await textImageOf(await sharp({ create: { width: 1001, height: 517, channels: 3, background: 'white' } }).png().toBuffer(), 1001, LIMIT);
    expect([odd.detect.width, odd.detect.height]).toEqual([672, 352]);
  });

  it('places each line where it is on the picture read, not on the detector\'s smaller copy', async () => {
    const [line] = (await readTextLines(await strip(), 960)).filter((l) => l.text.replace(/\s/g, '').includes('2026'));
    expect(line).toBeDefined();
    // The digits run from 5 % to about 70 % of the width and sit in the middle of the height (a box
    // left in the detector's pixels would end at two thirds of that).
    expect(line!.box.x0).toBeGreaterThan(0.02);
    expect(line!.box.x0).toBeLessThan(0.08);
    expect(line!.box.x1).toBeGreaterThan(0.62);
    expect(line!.box.x1).toBeLessThan(0.8);
    expect((line!.box.y0 + line!.box.y1) / 2).toBeGreaterThan(0.4);
    expect((line!.box.y0 + line!.box.y1) / 2).toBeLessThan(0.65);
  });
});
