import { type FrameMeasures, type LivenessAction, looksNeutral, performs } from '@shared';
import type { TrackedFace } from './faceTracker.js';

/** One look through the camera: what the tracker saw. */
export interface Look {
  face: TrackedFace | null;
}

export type Prompt =
  | { kind: 'look' }
  | { kind: 'no_face' }
  | { kind: 'colours' }
  | { kind: 'action'; action: LivenessAction; index: number; total: number };

export interface FollowOptions {
  /** How long the buyer has for each action. */
  actionTimeoutMs: number;
  now?: () => number;
}

export interface Followed {
  /** The first action not seen in time, if any (the server decides either way). */
  missed?: LivenessAction;
}

/** Neutral looks the baseline is taken from. */
const NEUTRAL_LOOKS = 4;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Paces the buyer through a challenge's actions with on-device tracking: a neutral face first, then
 * each action in turn, and the face back to neutral before the next. The frames the server judges
 * are recorded beside this, at a steady rate (recorder.ts); the device only decides when to prompt.
 */
export async function followChallenge(
  actions: readonly LivenessAction[],
  look: () => Promise<Look>,
  onPrompt: (prompt: Prompt) => void,
  { actionTimeoutMs, now = () => performance.now() }: FollowOptions,
): Promise<Followed> {
  const neutral: FrameMeasures[] = [];
  const lookDeadline = now() + actionTimeoutMs;
  onPrompt({ kind: 'look' });
  while (neutral.length < NEUTRAL_LOOKS && now() < lookDeadline) {
    const seen = await look();
    onPrompt(seen.face ? { kind: 'look' } : { kind: 'no_face' });
    // The baseline is learnt on a face at rest only: a head already turned or a mouth open is skipped.
    if (seen.face && looksNeutral(seen.face.measures)) neutral.push(seen.face.measures);
  }
  const baseline: FrameMeasures = {
    yaw: median(neutral.map((m) => m.yaw)),
    pitch: median(neutral.map((m) => m.pitch)),
    eyes: median(neutral.map((m) => m.eyes)),
    mouth: median(neutral.map((m) => m.mouth)),
  };

  let missed: LivenessAction | undefined = neutral.length < NEUTRAL_LOOKS ? actions[0] : undefined;
  for (const [index, action] of actions.entries()) {
    if (missed) break;
    onPrompt({ kind: 'action', action, index, total: actions.length });
    const deadline = now() + actionTimeoutMs;
    let done = false;
    while (!done && now() < deadline) {
      const seen = await look();
      if (!seen.face || !performs(action, seen.face.measures, baseline)) continue;
      // Then back to neutral: the next action only counts after this one ends.
      while (now() < deadline) {
        const after = await look();
        if (after.face && !performs(action, after.face.measures, baseline)) break;
      }
      done = true;
    }
    if (!done) missed = action;
  }
  return missed ? { missed } : {};
}
