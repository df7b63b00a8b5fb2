import { describe, expect, it } from 'vitest';
import { AUTO_LIMITS, AutoCapture, lookAt } from '../../web/src/capture/autoCapture.js';

const W = 320;
const H = 200;
/** A card-like picture: lines of "text" (dark strokes on light) inside the guide, shifted by `dx`. */
function card(dx = 0, { blur = false, burnt = 0 } = {}): Uint8Array {
  const grey = new Uint8Array(W * H).fill(90);
  for (let y = 40; y < 160; y += 1) {
    for (let x = 30; x < 290; x += 1) {
      const stroke = (y % 12 < 3) && ((x + dx) % 9 < 5);
      grey[y * W + x] = stroke ? 40 : 220;
    }
  }
  for (let i = 0; i < burnt; i += 1) grey[(50 + Math.floor(i / 200)) * W + 40 + (i % 200)] = 255;
  if (!blur) return grey;
  // A wide box blur, as a camera out of focus.
  const out = new Uint8Array(grey.length);
  for (let y = 0; y < H; y += 1) {
    for (let x = 0; x < W; x += 1) {
      let sum = 0;
      let n = 0;
      for (let k = -6; k <= 6; k += 1) {
        for (let j = -6; j <= 6; j += 1) {
          const yy = Math.min(H - 1, Math.max(0, y + k));
          const xx = Math.min(W - 1, Math.max(0, x + j));
          sum += grey[yy * W + xx]!;
          n += 1;
        }
      }
      out[y * W + x] = sum / n;
    }
  }
  return out;
}

const follow = (frames: Uint8Array[], stepMs = 150) => {
  const auto = new AutoCapture();
  return frames.map((grey, i) => auto.next(lookAt(grey, W, H), i * stepMs));
};

describe('auto-capture of a card side', () => {
  it('takes a sharp card held steady, once it has held still for a while', () => {
    const states = follow(Array.from({ length: 8 }, () => card()));
    expect(states.indexOf('ready')).toBe(Math.ceil(AUTO_LIMITS.steadyMs / 150) + 1);
  });

  it('does not fire on a blurred card, a moving one, glare, or an empty view', () => {
    expect(new Set(follow(Array.from({ length: 10 }, () => card(0, { blur: true }))))).toEqual(new Set(['blurred']));
    expect(new Set(follow(Array.from({ length: 10 }, (_, i) => card(i * 3))))).toEqual(new Set(['moving']));
    expect(new Set(follow(Array.from({ length: 10 }, () => card(0, { burnt: 2000 }))))).toEqual(new Set(['glare']));
    expect(new Set(follow(Array.from({ length: 10 }, () => new Uint8Array(W * H).fill(128))))).toEqual(new Set(['searching']));
  });

  it('starts the wait again when the card moves', () => {
    const frames = [...Array.from({ length: 4 }, () => card()), card(4), ...Array.from({ length: 8 }, () => card(4))];
    const states = follow(frames);
    expect(states.slice(0, 5)).not.toContain('ready');
    expect(states.indexOf('ready')).toBeGreaterThan(5 + 3);
  });
});
