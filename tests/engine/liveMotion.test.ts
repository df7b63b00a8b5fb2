import { LIVENESS_COLOURS, LIVENESS_TIMING, measureFrame } from '@shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFrame, readSequence } from '../../bff/src/engine/face/frameSequence.js';
import { judgeSequence } from '../../bff/src/verification/liveMotion.js';
import { facePhoto } from '../support/fixtures.js';
import { noReflection, screenReplay, turnedPrint } from '../support/motion/attacks.js';
import type { LiftedPhoto } from '../support/motion/faceMesh.js';
import { type FilmedSession, type SessionPlan, filmSession, sceneOf } from '../support/motion/session.js';

const COLOURS = [...LIVENESS_COLOURS];
const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
const PLAN: SessionPlan = { actions: ['turn_left', 'nod', 'turn_right'], colours: COLOURS, colourMs: LIVENESS_TIMING.colourMs, frameMs: LIVENESS_TIMING.frameMs, seed: 'live-motion' };

async function judge(session: FilmedSession, plan = PLAN): Promise<string> {
  const { frames: reads } = await readSequence(session.frames, session.timeline.map((f) => f.colour !== null));
  const verdict = judgeSequence(plan.actions, reads.map((r, i) => ({ ...session.timeline[i]!, landmarks: r.landmarks, skin: r.skin, surround: r.surround })),
    plan.colours.map(rgb), plan.colourMs, measureFrame);
  return verdict.ok ? 'passed' : verdict.reason;
}

// The attacks judged on the service's whole path (a slideshow, frames without the poses between) are
// in tests/integration/liveness.test.ts; their rates over many takes, in docs/EVALUATION.md.
describe('the live check judged on a dense frame sequence (synthetic motion of a real photo)', () => {
  let scene: LiftedPhoto;
  let genuine: FilmedSession;
  beforeAll(async () => {
    scene = await sceneOf(await facePhoto('people/penny/penny5.png'));
    genuine = await filmSession(scene, PLAN);
  }, 120_000);

  it('passes a person who turns and nods through the poses between, lit by the screen', async () => {
    expect(await judge(genuine)).toBe('passed');
  }, 120_000);

  it('refuses a print turned in the hand: a plane does not turn a face', async () => {
    expect(await judge(await turnedPrint(scene, PLAN))).toBe('liveness_action_missing');
  }, 120_000);

  it('refuses a recording played on a screen, and moving frames without the screen colours on the face', async () => {
    expect(await judge(await screenReplay(scene, PLAN))).toBe('liveness_reflection_missing');
    expect(await judge(await noReflection(scene, PLAN))).toBe('liveness_reflection_missing');
  }, 240_000);
});

describe('perceptual hashes of frames', () => {
  const hamming = (a: string, b: string): number => {
    let d = 0;
    for (let i = 0; i < a.length; i += 1) {
      let x = Number.parseInt(a[i]!, 16) ^ Number.parseInt(b[i]!, 16);
      while (x) {
        d += x & 1;
        x >>= 1;
      }
    }
    return d;
  };

  it('find a re-encoded replay near its original, frame for frame', async () => {
    const { reencoded } = await import('../support/motion/attacks.js');
    const scene = await sceneOf(await facePhoto('photos/obama.jpg'));
    const plan: SessionPlan = { ...PLAN, colours: COLOURS.slice(0, 2) };
    const first = await filmSession(scene, plan);
    const again = await reencoded(first);
    const hashes = async (s: FilmedSession): Promise<string[]> => Promise.all(s.frames.map(async (f) => (await readFrame(f)).hash));
    const [a, b] = await Promise.all([hashes(first), hashes(again)]);
    const distances = a.map((h, i) => hamming(h, b[i]!));
    // Not the same bytes, yet every frame within 4 of 64 bits of the frame it was made from.
    expect(first.frames.some((f, i) => f.equals(again.frames[i]!))).toBe(false);
    expect(Math.max(...distances)).toBeLessThanOrEqual(4);
  }, 120_000);
});
