/**
 * The live video check (在线视频实人认证), the parts that need no I/O: a random challenge, what each
 * action looks like in the 68 face landmarks of a frame, and whether a sequence of frames performed
 * the challenge's actions in order. Frames are in camera coordinates (not mirrored).
 */
export const LIVENESS_ACTIONS = ['turn_left', 'turn_right', 'blink', 'open_mouth', 'nod'] as const;
export type LivenessAction = (typeof LIVENESS_ACTIONS)[number];

export type Point = readonly [number, number];

/** Per-frame measures taken from the landmarks. */
export interface FrameMeasures {
  /**
   * Log of the nose tip's distance to the jaw's two ends (left over right in the image): 0 frontal,
   * positive when the person turns to their left. A ratio of distances survives the landmark model's
   * left-right bias better than the nose's offset from the jaw's middle (measured on mirrored photos).
   */
  yaw: number;
  /** Nose tip between the eye line (0) and the mouth (1): grows when the head nods down. */
  pitch: number;
  /** Mean eye aspect ratio (Soukupová & Čech 2016): about 0.25-0.35 open, below 0.15 closed. */
  eyes: number;
  /** Outer-lip height over width: about 0.25-0.4 closed, above 0.7 wide open. */
  mouth: number;
}

const dist = (a: Point | undefined, b: Point | undefined): number => (a && b ? Math.hypot(a[0] - b[0], a[1] - b[1]) : 0);
const mid = (a: Point | undefined, b: Point | undefined): Point => [((a?.[0] ?? 0) + (b?.[0] ?? 0)) / 2, ((a?.[1] ?? 0) + (b?.[1] ?? 0)) / 2];

function eyeAspectRatio(p: readonly Point[], start: number): number {
  const [p1, p2, p3, p4, p5, p6] = p.slice(start, start + 6);
  const width = dist(p1, p4);
  return width > 0 ? (dist(p2, p6) + dist(p3, p5)) / (2 * width) : 0;
}

/** Measures from the 68-point layout (iBUG 300-W) that face-api returns. */
export function measureFrame(points: readonly Point[]): FrameMeasures {
  if (points.length !== 68) throw new RangeError('expected 68 landmarks');
  const nose = points[30];
  const toLeft = dist(nose, points[0]);
  const toRight = dist(nose, points[16]);
  const yaw = toLeft > 0 && toRight > 0 ? Math.log(toLeft / toRight) : 0;

  const eyeLine = mid(points[39], points[42]);
  const mouthCentre = mid(points[62], points[66]);
  const span = mouthCentre[1] - eyeLine[1];
  const pitch = span !== 0 ? ((nose?.[1] ?? 0) - eyeLine[1]) / span : 0;

  const eyes = (eyeAspectRatio(points, 36) + eyeAspectRatio(points, 42)) / 2;
  const mouthWidth = dist(points[48], points[54]);
  const mouth = mouthWidth > 0 ? dist(points[51], points[57]) / mouthWidth : 0;
  return { yaw, pitch, eyes, mouth };
}

/**
 * A face turned further than this (|yaw|) is not frontal enough for a photo to compare: frontal
 * fixture photos measured up to 0.2, turned heads 0.4-0.9.
 */
export const FRONTAL_MAX_YAW = 0.45;

/** How far from the buyer's neutral pose a measure must move for an action to count. */
export const ACTION_THRESHOLDS = {
  /** Frontal photos and their mirror images differ by up to 0.2; a turned head measured 0.4-0.9. */
  turn: 0.3,
  /** Eyes closed: below this share of the neutral eye opening. */
  blink: 0.6,
  /** Closed mouths measured 0.24-0.38, a wide-open one 0.68-0.92. */
  openMouth: 0.3,
  nod: 0.15,
} as const;

/** Mouth opening above which a mouth is open in absolute terms (closed measured 0.24-0.38). */
const MOUTH_OPEN_ABSOLUTE = 0.5;

/**
 * Whether a frame could be the neutral pose at all: facing the camera, mouth closed. Taken before
 * any baseline exists, to keep an action under way out of the baseline.
 */
export function looksNeutral(frame: FrameMeasures): boolean {
  return Math.abs(frame.yaw) < ACTION_THRESHOLDS.turn && frame.mouth < MOUTH_OPEN_ABSOLUTE;
}

/** The buyer's neutral pose: the median of each measure over the frames. */
export function neutralOf(frames: readonly FrameMeasures[]): FrameMeasures {
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? 0;
  };
  return {
    yaw: median(frames.map((f) => f.yaw)),
    pitch: median(frames.map((f) => f.pitch)),
    eyes: median(frames.map((f) => f.eyes)),
    mouth: median(frames.map((f) => f.mouth)),
  };
}

export function performs(action: LivenessAction, frame: FrameMeasures, neutral: FrameMeasures): boolean {
  switch (action) {
    case 'turn_left':
      return frame.yaw - neutral.yaw > ACTION_THRESHOLDS.turn;
    case 'turn_right':
      return neutral.yaw - frame.yaw > ACTION_THRESHOLDS.turn;
    case 'blink':
      return frame.eyes < neutral.eyes * ACTION_THRESHOLDS.blink;
    case 'open_mouth':
      return frame.mouth - neutral.mouth > ACTION_THRESHOLDS.openMouth;
    case 'nod':
      return frame.pitch - neutral.pitch > ACTION_THRESHOLDS.nod;
  }
}

/** The frame nearest the neutral pose (no action under way): the one that stands for the person. */
export function mostNeutral(frames: readonly FrameMeasures[]): number {
  const neutral = neutralOf(frames);
  const away = (f: FrameMeasures): number =>
    Math.abs(f.yaw - neutral.yaw) + Math.abs(f.pitch - neutral.pitch) + Math.abs(f.eyes - neutral.eyes) + Math.abs(f.mouth - neutral.mouth);
  return frames.reduce((best, frame, i) => (away(frame) < away(frames[best] ?? frame) ? i : best), 0);
}

export type SequenceResult = { ok: true; frames: number[] } | { ok: false; missing: LivenessAction };

/**
 * Whether the frames show the actions in the order asked, each starting after the previous one.
 * The neutral pose is the median of all frames, so a sequence that is all action (or all still)
 * has nothing to stand out from.
 */
export function followsChallenge(actions: readonly LivenessAction[], frames: readonly FrameMeasures[]): SequenceResult {
  const neutral = neutralOf(frames);
  const found: number[] = [];
  let from = 0;
  for (const action of actions) {
    const index = frames.findIndex((frame, i) => i >= from && performs(action, frame, neutral));
    if (index < 0) return { ok: false, missing: action };
    found.push(index);
    // The next action must start after this one ends (back to neutral for that action).
    const end = frames.findIndex((frame, i) => i > index && !performs(action, frame, neutral));
    from = end < 0 ? frames.length : end;
  }
  return { ok: true, frames: found };
}

/** Actions that move the whole head: its motion is followed frame by frame, and one is always asked. */
export const HEAD_ACTIONS: readonly LivenessAction[] = ['turn_left', 'turn_right', 'nod'];

/**
 * Two or three different actions in random order, from a source of random integers and the actions
 * allowed (two at least; with only two, both are asked). One of them moves the head, where one is allowed.
 */
export function drawActions(randomInt: (max: number) => number, allowed: readonly LivenessAction[] = LIVENESS_ACTIONS): LivenessAction[] {
  const pool = [...new Set(allowed)];
  const count = Math.min(pool.length, 2 + randomInt(2));
  const chosen: LivenessAction[] = [];
  const heads = pool.filter((a) => HEAD_ACTIONS.includes(a));
  if (heads.length > 0) {
    const head = heads[randomInt(heads.length)]!;
    pool.splice(pool.indexOf(head), 1);
    chosen.push(head);
  }
  while (chosen.length < count && pool.length > 0) {
    const [action] = pool.splice(randomInt(pool.length), 1);
    if (action) chosen.push(action);
  }
  // The head's action takes a random place among the others.
  const at = randomInt(chosen.length);
  const [first] = chosen.splice(0, 1);
  if (first) chosen.splice(at, 0, first);
  return chosen;
}

/**
 * The colours the screen shows during the check (炫彩): far apart in hue, none so bright or dark
 * that a change between two of them is a flash in WCAG 2.3.1's sense (under two changes a second).
 */
export const LIVENESS_COLOURS = ['#e0483c', '#3cb44b', '#4363d8', '#c04bd0', '#2bb5b5', '#d8b62b'] as const;

/** The colour phase and the frames: how long each colour shows, how often a frame is taken, and the longest gap allowed. */
export const LIVENESS_TIMING = { colourSteps: 5, colourMs: 600, frameMs: 150, maxGapMs: 700 } as const;

/** A random colour sequence, no colour twice in a row. */
export function drawColours(randomInt: (max: number) => number, steps: number = LIVENESS_TIMING.colourSteps): string[] {
  const colours: string[] = [];
  while (colours.length < steps) {
    const next = LIVENESS_COLOURS[randomInt(LIVENESS_COLOURS.length)]!;
    if (next !== colours.at(-1)) colours.push(next);
  }
  return colours;
}
