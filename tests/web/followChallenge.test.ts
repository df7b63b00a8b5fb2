import { describe, expect, it } from 'vitest';
import type { FrameMeasures, LivenessAction } from '@shared';
import { type Look, type Prompt, followChallenge } from '../../web/src/liveness/followChallenge.js';

const NEUTRAL: FrameMeasures = { yaw: 0, pitch: 0.55, eyes: 0.3, mouth: 0.3 };
const POSE: Record<LivenessAction, Partial<FrameMeasures>> = {
  turn_left: { yaw: 0.6 },
  turn_right: { yaw: -0.6 },
  blink: { eyes: 0.05 },
  open_mouth: { mouth: 0.85 },
  nod: { pitch: 0.8 },
};

/** A camera that shows `script` one look after another (then neutral for ever), each look taking 100 ms of a fake clock. */
function camera(script: (LivenessAction | 'neutral' | 'nobody')[]) {
  let t = 0;
  let i = 0;
  const look = (): Promise<Look> => {
    t += 100;
    const shown = script[i] ?? 'neutral';
    i += 1;
    const measures = shown === 'nobody' ? null : { ...NEUTRAL, ...(shown === 'neutral' ? {} : POSE[shown]) };
    return Promise.resolve({ face: measures ? { measures } : null });
  };
  return { look, now: () => t };
}

describe('following a challenge on the device', () => {
  it('prompts each action in order, moving on once the face is back at rest', async () => {
    const cam = camera(['neutral', 'neutral', 'neutral', 'neutral', 'neutral', 'turn_left', 'neutral', 'neutral', 'open_mouth', 'neutral']);
    const prompts: Prompt[] = [];
    const result = await followChallenge(['turn_left', 'open_mouth'], cam.look, (p) => prompts.push(p), { actionTimeoutMs: 5000, now: cam.now });
    expect(result.missed).toBeUndefined();
    expect(cam.now()).toBe(1000);
    expect(prompts.filter((p) => p.kind === 'action').map((p) => p.kind === 'action' && p.action)).toEqual(['turn_left', 'open_mouth']);
  });

  it('learns the neutral pose only on a face at rest, not on an action already under way', async () => {
    // The camera first sees an open mouth (the buyer was talking): it must not become the baseline,
    // or opening the mouth later would never count.
    const cam = camera(['open_mouth', 'open_mouth', 'turn_left', 'neutral', 'neutral', 'neutral', 'neutral', 'open_mouth', 'neutral']);
    const result = await followChallenge(['open_mouth'], cam.look, () => undefined, { actionTimeoutMs: 5000, now: cam.now });
    expect(result.missed).toBeUndefined();
  });

  it('does not take another action for the one asked', async () => {
    // Asked to turn, the buyer opens their mouth instead.
    const cam = camera(['neutral', 'neutral', 'neutral', 'neutral', 'open_mouth']);
    const result = await followChallenge(['turn_left', 'open_mouth'], cam.look, () => undefined, { actionTimeoutMs: 1000, now: cam.now });
    expect(result.missed).toBe('turn_left');
  });

  it('gives up on a still picture after the time allowed', async () => {
    const cam = camera([]);
    const result = await followChallenge(['blink', 'nod'], cam.look, () => undefined, { actionTimeoutMs: 2000, now: cam.now });
    expect(result.missed).toBe('blink');
    expect(cam.now()).toBeLessThan(2000 + 1000 + 1000);
  });

  it('asks the buyer to come into view while no face is found', async () => {
    const cam = camera(['nobody', 'nobody', 'neutral', 'neutral', 'neutral', 'neutral', 'nod', 'neutral']);
    const prompts: Prompt[] = [];
    const result = await followChallenge(['nod'], cam.look, (p) => prompts.push(p), { actionTimeoutMs: 5000, now: cam.now });
    expect(prompts.slice(0, 3).map((p) => p.kind)).toEqual(['look', 'no_face', 'no_face']);
    expect(result.missed).toBeUndefined();
  });
});
