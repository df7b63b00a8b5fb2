import { type FrameMeasures, type LivenessAction, type Point, ACTION_THRESHOLDS, followsChallenge, neutralOf } from '@shared';

/**
 * What the server reads in a live check's dense frame sequence, beyond the actions themselves:
 * that the motion is continuous (a slideshow of stills jumps from pose to pose), that a turning head
 * is three-dimensional (a print turned in the hand is a plane), and that the light of the screen's
 * colours falls on the face frame by frame (a screen, a pre-recorded video or injected frames do not
 * follow a colour sequence drawn a moment ago). Pure functions of per-frame readings: the engine
 * takes the readings, this decides.
 */

export interface FrameReading {
  /** Milliseconds since the check began, as the page timed it. */
  t: number;
  /** Index of the colour the screen showed when the frame was taken, or null. */
  colour: number | null;
  /** The face's 68 landmarks, when the frame was analysed and a face found. */
  landmarks: Point[] | null;
  /** Mean RGB (0-255) of the skin between the eyes and the mouth; null without landmarks nearby. */
  skin: [number, number, number] | null;
  /** Mean RGB of the frame's border, away from the face. */
  surround: [number, number, number];
}

/** How much of an action is under way in a frame: 1 at the action's threshold, 0 at rest. */
export function actionAmount(action: LivenessAction, frame: FrameMeasures, neutral: FrameMeasures): number {
  switch (action) {
    case 'turn_left':
      return (frame.yaw - neutral.yaw) / ACTION_THRESHOLDS.turn;
    case 'turn_right':
      return (neutral.yaw - frame.yaw) / ACTION_THRESHOLDS.turn;
    case 'blink':
      return (1 - frame.eyes / (neutral.eyes || 1)) / (1 - ACTION_THRESHOLDS.blink);
    case 'open_mouth':
      return (frame.mouth - neutral.mouth) / ACTION_THRESHOLDS.openMouth;
    case 'nod':
      return (frame.pitch - neutral.pitch) / ACTION_THRESHOLDS.nod;
  }
}

/** Actions too quick to be seen rising at a few frames a second: their onset is not judged. */
const INSTANT_ACTIONS: ReadonlySet<LivenessAction> = new Set(['blink']);

export interface Onset {
  action: LivenessAction;
  /** Frames seen with the action part-way (between a fifth and four fifths of its peak). */
  between: number;
  /** The last frame at rest before the action, and the first near its peak. */
  rest: number;
  full: number;
}

/** Shares of an action's own peak below which a frame is at rest, and above which it is full. */
const REST_SHARE = 0.2;
const FULL_SHARE = 0.8;

/**
 * How each action began: the frames between the last one at rest and the first near the action's
 * own peak. A head turns through the poses between; a slideshow has none. Relative to the peak, not
 * the threshold: a wide turn crosses the threshold early in its course.
 */
export function onsets(actions: readonly LivenessAction[], measures: readonly FrameMeasures[]): Onset[] | null {
  const followed = followsChallenge(actions, measures);
  if (!followed.ok) return null;
  const neutral = neutralOf(measures);
  return actions.map((action, k) => {
    const reached = followed.frames[k] ?? 0;
    const amount = (i: number): number => actionAmount(action, measures[i]!, neutral);
    let peak = amount(reached);
    for (let i = reached + 1; i < measures.length && amount(i) >= 1; i += 1) peak = Math.max(peak, amount(i));
    let full = reached;
    while (full + 1 < measures.length && amount(full) < FULL_SHARE * peak) full += 1;
    let rest = Math.min(full, reached) - 1;
    while (rest > 0 && amount(rest) > REST_SHARE * peak) rest -= 1;
    return { action, rest, full, between: Math.max(0, full - rest - 1) };
  });
}

/** Whether every action that takes time was seen under way (a frame between rest and full). */
export function continuousOnsets(found: readonly Onset[]): boolean {
  return found.every((onset) => INSTANT_ACTIONS.has(onset.action) || onset.between >= 1);
}

/** Landmarks that lie on the face's surface (brows, nose, eyes, mouth), not its outline. */
const SURFACE_POINTS = Array.from({ length: 68 - 17 }, (_, i) => i + 17);

/** Solves A x = b (n x n) by Gaussian elimination with partial pivoting; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c += 1) {
    let pivot = c;
    for (let r = c + 1; r < n; r += 1) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    if (Math.abs(m[pivot]![c]!) < 1e-12) return null;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = 0; r < n; r += 1) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k += 1) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/**
 * How far a face's surface points are from lying on one plane between two frames: the residual of
 * the best homography from `from` to `to`, root mean square, in inter-ocular distances. A print
 * turned or tilted in the hand moves as a plane (residual near the landmarks' own noise); a head's
 * nose moves against its cheeks and eyes.
 */
export function planeResidual(from: readonly Point[], to: readonly Point[]): number {
  const iod = Math.hypot(from[45]![0] - from[36]![0], from[45]![1] - from[36]![1]) || 1;
  // Normalise both point sets (centred, unit scale) so the least squares are well conditioned.
  const norm = (pts: Point[]): { pts: Point[]; cx: number; cy: number; s: number } => {
    const cx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
    const cy = pts.reduce((s, p) => s + p[1], 0) / pts.length;
    const s = pts.reduce((acc, p) => acc + Math.hypot(p[0] - cx, p[1] - cy), 0) / pts.length || 1;
    return { pts: pts.map((p): Point => [(p[0] - cx) / s, (p[1] - cy) / s]), cx, cy, s };
  };
  const a = norm(SURFACE_POINTS.map((i) => from[i]!));
  const b = norm(SURFACE_POINTS.map((i) => to[i]!));
  // h = [h11 h12 h13 h21 h22 h23 h31 h32], h33 = 1: u = (h11 x + h12 y + h13) / (h31 x + h32 y + 1), same for v.
  const ata = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
  const atb = new Array<number>(8).fill(0);
  a.pts.forEach(([x, y], i) => {
    const [u, v] = b.pts[i]!;
    for (const [row, rhs] of [[[x, y, 1, 0, 0, 0, -u * x, -u * y], u], [[0, 0, 0, x, y, 1, -v * x, -v * y], v]] as const) {
      for (let r = 0; r < 8; r += 1) {
        atb[r]! += row[r]! * rhs;
        for (let c = 0; c < 8; c += 1) ata[r]![c]! += row[r]! * row[c]!;
      }
    }
  });
  const h = solve(ata, atb);
  if (!h) return Number.POSITIVE_INFINITY;
  let sum = 0;
  a.pts.forEach(([x, y], i) => {
    const w = h[6]! * x + h[7]! * y + 1;
    const du = (h[0]! * x + h[1]! * y + h[2]!) / w - b.pts[i]![0];
    const dv = (h[3]! * x + h[4]! * y + h[5]!) / w - b.pts[i]![1];
    sum += du * du + dv * dv;
  });
  return (Math.sqrt(sum / a.pts.length) * b.s) / iod;
}

export interface Reflection {
  /** Cosine between the face's change of colour and the screen's, over the colour steps (-1 to 1). */
  agreement: number;
  /** Root mean square of the face's change of chromaticity across the steps. */
  strength: number;
  /** Colour steps with frames late enough in the step to judge. */
  stepsSeen: number;
}

const chroma = ([r, g, b]: readonly number[]): [number, number] => {
  const sum = r! + g! + b! || 1;
  return [r! / sum, g! / sum];
};

/**
 * Share of each colour step the camera may lag by: only frames after it are judged. A phone's camera
 * shows a change of light 100-300 ms late, more on a slow or busy one.
 */
const STEP_SETTLE = 0.6;

/**
 * Whether the face took on the screen's colours: for each step, the face's chromaticity minus the
 * surround's (which cancels the camera's own white balance), against the screen colour's
 * chromaticity; both centred over the steps, and compared as vectors.
 */
export function reflection(frames: readonly FrameReading[], colours: readonly (readonly [number, number, number])[], colourMs: number): Reflection {
  const start = frames.find((f) => f.colour === 0)?.t;
  const seen: { face: [number, number]; screen: [number, number] }[] = [];
  colours.forEach((colour, index) => {
    const judged = frames.filter((f) => f.colour === index && f.skin && start !== undefined && f.t - start - index * colourMs >= STEP_SETTLE * colourMs);
    if (judged.length === 0) return;
    const face = judged.map((f) => {
      const skin = chroma(f.skin!);
      const around = chroma(f.surround);
      return [skin[0] - around[0], skin[1] - around[1]] as [number, number];
    });
    seen.push({
      face: [face.reduce((s, p) => s + p[0], 0) / face.length, face.reduce((s, p) => s + p[1], 0) / face.length],
      screen: chroma(colour),
    });
  });
  if (seen.length < 2) return { agreement: 0, strength: 0, stepsSeen: seen.length };
  const centre = (pick: 'face' | 'screen'): [number, number] => [
    seen.reduce((s, p) => s + p[pick][0], 0) / seen.length,
    seen.reduce((s, p) => s + p[pick][1], 0) / seen.length,
  ];
  const fc = centre('face');
  const sc = centre('screen');
  let dot = 0;
  let ff = 0;
  let ss = 0;
  for (const { face, screen } of seen) {
    const f = [face[0] - fc[0], face[1] - fc[1]];
    const s = [screen[0] - sc[0], screen[1] - sc[1]];
    dot += f[0]! * s[0]! + f[1]! * s[1]!;
    ff += f[0]! ** 2 + f[1]! ** 2;
    ss += s[0]! ** 2 + s[1]! ** 2;
  }
  return { agreement: ff > 0 && ss > 0 ? dot / Math.sqrt(ff * ss) : 0, strength: Math.sqrt(ff / seen.length), stepsSeen: seen.length };
}

/**
 * What the reflection must reach: agreement with the screen's colours, and a change big enough to be
 * light, not noise. A recording made under colours of a guess agrees by chance: with five steps of
 * the six colours, a cosine of 0.6 or more in 7.7 % of guesses, of 0.9 or more in 0.28 % (the palette's
 * own arithmetic; docs/EVALUATION.md). Genuine synthetic takes agree at 0.96-0.998.
 */
export const REFLECTION_LIMITS = { agreement: 0.9, strength: 0.004 } as const;

export type MotionVerdict =
  | { ok: true; onsets: Onset[]; reflection: Reflection }
  | { ok: false; reason: 'liveness_action_missing' | 'liveness_motion_broken' | 'liveness_reflection_missing' };

/**
 * The sequence judged as a whole: the actions in order, each one seen under way, and the screen's
 * colours reflected by the face. Frames without a face are left out of the motion, not of the
 * colours' timing.
 */
export function judgeSequence(actions: readonly LivenessAction[], readings: readonly FrameReading[], colours: readonly (readonly [number, number, number])[], colourMs: number, measure: (points: Point[]) => FrameMeasures): MotionVerdict {
  const measures = readings.filter((r) => r.landmarks).map((r) => measure(r.landmarks!));
  const found = onsets(actions, measures);
  if (!found) return { ok: false, reason: 'liveness_action_missing' };
  if (!continuousOnsets(found)) return { ok: false, reason: 'liveness_motion_broken' };
  const light = reflection(readings, colours, colourMs);
  if (light.stepsSeen < colours.length - 1 || light.agreement < REFLECTION_LIMITS.agreement || light.strength < REFLECTION_LIMITS.strength) {
    return { ok: false, reason: 'liveness_reflection_missing' };
  }
  return { ok: true, onsets: found, reflection: light };
}

/** Bits that differ between two hashes written in hex (of the same length). */
export function hammingHex(a: string, b: string): number {
  let bits = 0;
  for (let i = 0; i < a.length; i += 1) {
    let x = Number.parseInt(a[i] ?? '0', 16) ^ Number.parseInt(b[i] ?? '0', 16);
    for (; x; x >>= 1) bits += x & 1;
  }
  return bits;
}

/**
 * A 64-bit hash's four 16-bit bands, each named with its place: two hashes within 3 bits of each
 * other share at least one band, so near-duplicates are found by equality (on keyed digests of these).
 */
export function bandsOf(hash: string): string[] {
  return [0, 1, 2, 3].map((band) => `${band}:${hash.slice(band * 4, band * 4 + 4)}`);
}

/**
 * A frame matches when its hash is within `bits` and its skin's chromaticity within `chroma` (the
 * screen's colours on the face: a new take is lit by a new sequence); a sequence is a replay when
 * `share` of its frames match, in order.
 */
export const REPLAY_LIMITS = { bits: 4, chroma: 0.008, share: 0.85, window: 3 } as const;

/** What a frame is compared by: its perceptual hash, and the chromaticity (r, g) of its skin. */
export interface FrameSignature {
  h: string;
  c: [number, number] | null;
}

export function signatureOf(hash: string, skin: readonly number[] | null): FrameSignature {
  return { h: hash, c: skin ? chroma(skin) : null };
}

function sameFrame(a: FrameSignature, b: FrameSignature, limits: typeof REPLAY_LIMITS): boolean {
  if (hammingHex(a.h, b.h) > limits.bits) return false;
  return !a.c || !b.c || Math.abs(a.c[0] - b.c[0]) + Math.abs(a.c[1] - b.c[1]) <= limits.chroma;
}

/**
 * Whether `sequence` is `earlier` sent again: frame after frame, each near the frame at about the same
 * place (a few frames of drift either way, for frames dropped or added). A person's perceptual hashes
 * barely change between two takes in the same chair; what differs is when the head moves and which
 * colours light the face.
 */
export function sameSequence(sequence: readonly FrameSignature[], earlier: readonly FrameSignature[], limits = REPLAY_LIMITS): boolean {
  if (sequence.length === 0 || earlier.length === 0) return false;
  const scale = earlier.length / sequence.length;
  let matched = 0;
  sequence.forEach((frame, i) => {
    const centre = Math.round(i * scale);
    for (let j = Math.max(0, centre - limits.window); j <= Math.min(earlier.length - 1, centre + limits.window); j += 1) {
      if (sameFrame(frame, earlier[j]!, limits)) {
        matched += 1;
        return;
      }
    }
  });
  return matched >= limits.share * sequence.length;
}
