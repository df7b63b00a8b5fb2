import { BLUR_LIMIT, laplacianVariance } from '@shared';

/** The card guide's place in the picture (the viewfinder's dashed outline: 8 % in from the sides, 18 % from top and bottom). */
export const CARD_GUIDE = { left: 0.08, top: 0.18, right: 0.92, bottom: 0.82 } as const;

/**
 * What a frame must show before the card side is taken by itself: the card's text and pattern in
 * the guide (edges on a good share of it: a wall or a hand has few), sharp well beyond what the
 * server refuses as blurred, little glare, and the picture steady for a while.
 */
export const AUTO_LIMITS = {
  /** Spread of grey levels in the guide (standard deviation): below it, nothing is there (a wall, a hand). */
  minContrast: 20,
  /** Share of the guide's pixels on an edge (a gradient of 48 grey levels or more). */
  minEdges: 0.04,
  /** Variance of the Laplacian, at the analysis size; the server's limit for "blurred through" is BLUR_LIMIT. */
  minSharpness: BLUR_LIMIT * 5,
  /** Share of the guide's pixels burnt out (250 or more). */
  maxGlare: 0.02,
  /** Mean change of a 32×20 thumbnail between two looks, in grey levels. */
  maxMotion: 3,
  /** How long the picture must stay steady. */
  steadyMs: 700,
} as const;

export type AutoState = 'searching' | 'blurred' | 'glare' | 'moving' | 'ready';

export interface FrameLook {
  contrast: number;
  edges: number;
  sharpness: number;
  glare: number;
  thumbnail: Uint8Array;
}

const THUMB_W = 32;
const THUMB_H = 20;

/** Measures a grey frame (`w` × `h`) inside the card guide. */
export function lookAt(grey: ArrayLike<number>, w: number, h: number, guide = CARD_GUIDE): FrameLook {
  const x0 = Math.round(guide.left * w);
  const x1 = Math.round(guide.right * w);
  const y0 = Math.round(guide.top * h);
  const y1 = Math.round(guide.bottom * h);
  let edges = 0;
  let glare = 0;
  let greySum = 0;
  let greySq = 0;
  let n = 0;
  for (let y = y0 + 1; y < y1 - 1; y += 1) {
    for (let x = x0 + 1; x < x1 - 1; x += 1) {
      const i = y * w + x;
      const c = grey[i] ?? 0;
      const gx = (grey[i + 1] ?? 0) - (grey[i - 1] ?? 0);
      const gy = (grey[i + w] ?? 0) - (grey[i - w] ?? 0);
      if (Math.abs(gx) + Math.abs(gy) >= 48) edges += 1;
      if (c >= 250) glare += 1;
      greySum += c;
      greySq += c * c;
      n += 1;
    }
  }
  const thumbnail = new Uint8Array(THUMB_W * THUMB_H);
  for (let ty = 0; ty < THUMB_H; ty += 1) {
    for (let tx = 0; tx < THUMB_W; tx += 1) {
      thumbnail[ty * THUMB_W + tx] = grey[Math.floor(((ty + 0.5) * h) / THUMB_H) * w + Math.floor(((tx + 0.5) * w) / THUMB_W)] ?? 0;
    }
  }
  const count = Math.max(1, n);
  const mean = greySum / count;
  return { contrast: Math.sqrt(Math.max(0, greySq / count - mean * mean)), edges: edges / count, glare: glare / count,
    sharpness: laplacianVariance(grey, w, { x0, y0, x1, y1 }), thumbnail };
}

const motionBetween = (a: Uint8Array, b: Uint8Array): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / Math.max(1, a.length);
};

/**
 * Follows the viewfinder look after look and says when the card side can be taken: each look is
 * judged, and `ready` comes only after the picture has held still and good for `steadyMs`.
 */
export class AutoCapture {
  #previous: FrameLook | undefined;
  #goodSince: number | undefined;
  /** Looks taken so far (the page shows that it is looking). */
  looks = 0;

  constructor(readonly limits = AUTO_LIMITS) {}

  next(look: FrameLook, at: number): AutoState {
    this.looks += 1;
    const moved = this.#previous ? motionBetween(this.#previous.thumbnail, look.thumbnail) > this.limits.maxMotion : true;
    this.#previous = look;
    // Blur first: a blurred card has few sharp edges, yet the buyer should hear "hold still, focus".
    const state: AutoState = look.contrast < this.limits.minContrast ? 'searching'
      : look.sharpness < this.limits.minSharpness ? 'blurred'
        : look.edges < this.limits.minEdges ? 'searching'
          : look.glare > this.limits.maxGlare ? 'glare'
            : moved ? 'moving' : 'ready';
    if (state !== 'ready') {
      this.#goodSince = undefined;
      return state;
    }
    this.#goodSince ??= at;
    return at - this.#goodSince >= this.limits.steadyMs ? 'ready' : 'moving';
  }
}
