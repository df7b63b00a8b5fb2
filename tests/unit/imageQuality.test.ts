import { describe, expect, it } from 'vitest';
import { measureQuality } from '@shared';

const W = 64;
const H = 48;
const image = (pixel: (x: number, y: number) => number): Uint8Array => {
  const grey = new Uint8Array(W * H);
  for (let y = 0; y < H; y += 1) for (let x = 0; x < W; x += 1) grey[y * W + x] = pixel(x, y);
  return grey;
};

describe('photo quality measures (shared by browser and server)', () => {
  it('finds a sharp, well-lit photo fine', () => {
    const report = measureQuality(image((x, y) => ((x >> 2) + (y >> 2)) % 2 ? 200 : 60), W, H, 1280, 960);
    expect(report.problems).toEqual([]);
    expect(report.sharpness).toBeGreaterThan(1000);
  });

  it.each([
    ['blurred', image((x) => 100 + x), 1280, 960],
    ['too_dark', image((x, y) => ((x + y) % 2 ? 30 : 10)), 1280, 960],
    ['too_bright', image((x, y) => ((x + y) % 2 ? 255 : 245)), 1280, 960],
    ['too_small', image((x, y) => ((x >> 2) + (y >> 2)) % 2 ? 200 : 60), 400, 300],
  ])('reports %s', (problem, grey, width, height) => {
    expect(measureQuality(grey, W, H, width, height).problems).toContain(problem);
  });
});
