import { describe, expect, it } from 'vitest';
import { HEAD_ACTIONS, LIVENESS_ACTIONS, type LivenessAction, type Point, drawActions, followsChallenge, measureFrame } from '../../shared/src/liveness.js';

interface Pose { yaw?: number; pitch?: number; eyesOpen?: number; mouthOpen?: number }

/**
 * A synthetic 68-point face (iBUG layout) in a 200 px box: jaw arc, brows, nose, eyes with a given
 * openness, lips with a given gap; yaw shifts the nose and mouth sideways, pitch moves the nose down.
 */
function face({ yaw = 0, pitch = 0, eyesOpen = 1, mouthOpen = 0 }: Pose = {}): Point[] {
  const p: Point[] = [];
  for (let i = 0; i <= 16; i += 1) {
    const a = Math.PI * (i / 16);
    p.push([100 - 80 * Math.cos(a), 90 + 80 * Math.sin(a)]);
  }
  for (let i = 0; i < 10; i += 1) p.push([40 + i * 13, 60]);
  const noseX = 100 + yaw * 160;
  for (let i = 0; i < 4; i += 1) p.push([noseX, 70 + i * 10 + pitch * 40]);
  for (let i = 0; i < 5; i += 1) p.push([noseX - 16 + i * 8, 112 + pitch * 40]);
  const eye = (cx: number): void => {
    const h = 6 * eyesOpen;
    p.push([cx - 15, 80], [cx - 5, 80 - h], [cx + 5, 80 - h], [cx + 15, 80], [cx + 5, 80 + h], [cx - 5, 80 + h]);
  };
  eye(65);
  eye(135);
  const mx = 100 + yaw * 80;
  const gap = 20 * mouthOpen;
  for (let i = 0; i < 12; i += 1) {
    const a = (2 * Math.PI * i) / 12;
    p.push([mx - 30 * Math.cos(a), 140 - (9 + gap / 2) * Math.sin(a)]);
  }
  p.push([mx - 22, 140], [mx - 8, 140 - gap / 2], [mx, 140 - gap / 2], [mx + 8, 140 - gap / 2], [mx + 22, 140], [mx + 8, 140 + gap / 2], [mx, 140 + gap / 2], [mx - 8, 140 + gap / 2]);
  return p;
}

const POSES: Record<LivenessAction, Pose> = {
  turn_left: { yaw: 0.25 },
  turn_right: { yaw: -0.25 },
  blink: { eyesOpen: 0.1 },
  open_mouth: { mouthOpen: 1 },
  nod: { pitch: 0.6 },
};

/** Neutral frames around each action, as a buyer following prompts produces them. */
function performance(actions: LivenessAction[]): ReturnType<typeof measureFrame>[] {
  const frames: Point[][] = [face(), face(), face()];
  for (const action of actions) frames.push(face(POSES[action]), face(POSES[action]), face(), face(), face());
  return frames.map(measureFrame);
}

describe('what the landmarks say', () => {
  it('measures a frontal, open-eyed, closed-mouth face as neutral', () => {
    const m = measureFrame(face());
    expect(Math.abs(m.yaw)).toBeLessThan(0.01);
    expect(m.eyes).toBeGreaterThan(0.25);
    expect(m.mouth).toBeLessThan(0.35);
  });

  it.each([
    ['turn_left', (m: ReturnType<typeof measureFrame>) => m.yaw > 0.3],
    ['turn_right', (m: ReturnType<typeof measureFrame>) => m.yaw < -0.3],
    ['blink', (m: ReturnType<typeof measureFrame>) => m.eyes < 0.1],
    ['open_mouth', (m: ReturnType<typeof measureFrame>) => m.mouth > 0.6],
  ] as const)('sees %s', (action, holds) => {
    expect(holds(measureFrame(face(POSES[action])))).toBe(true);
  });

  it('refuses a landmark set that is not the 68-point layout', () => {
    expect(() => measureFrame(face().slice(0, 5))).toThrow(RangeError);
  });
});

describe('following a challenge', () => {
  it.each([
    [['turn_left', 'blink']],
    [['open_mouth', 'turn_right', 'nod']],
    [['blink', 'open_mouth']],
  ] as LivenessAction[][][])('accepts frames that perform %j in order', (actions) => {
    expect(followsChallenge(actions, performance(actions))).toMatchObject({ ok: true });
  });

  it('refuses the actions in another order', () => {
    expect(followsChallenge(['turn_left', 'blink'], performance(['blink', 'turn_left']))).toEqual({ ok: false, missing: 'blink' });
  });

  it('refuses frames recorded for another challenge', () => {
    expect(followsChallenge(['turn_right', 'open_mouth'], performance(['turn_left', 'blink'])).ok).toBe(false);
  });

  it('refuses a still photo held to the camera', () => {
    const still = Array.from({ length: 20 }, () => measureFrame(face()));
    expect(followsChallenge(['turn_left', 'blink'], still)).toEqual({ ok: false, missing: 'turn_left' });
  });
});

describe('drawing a challenge', () => {
  it('asks for two or three different actions, one of them moving the head, covering all of them over many draws', () => {
    let seed = 7;
    // A linear congruential generator's high bits (its low bits repeat with a short period).
    const randomInt = (max: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * max);
    };
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const actions = drawActions(randomInt);
      expect(actions.length).toBeGreaterThanOrEqual(2);
      expect(actions.length).toBeLessThanOrEqual(3);
      expect(new Set(actions).size).toBe(actions.length);
      expect(actions.some((a) => HEAD_ACTIONS.includes(a))).toBe(true);
      actions.forEach((a) => seen.add(a));
    }
    expect([...seen].sort()).toEqual([...LIVENESS_ACTIONS].sort());
  });
});
