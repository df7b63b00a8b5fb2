import { type FrameMeasures, type LivenessAction, looksNeutral, performs } from '@shared';
import type { TrackedFace } from './faceTracker.js';

/** One look through the camera: what the tracker saw, and that same picture as a JPEG on demand. */
export interface Look {
  face: TrackedFace | null;
  grab(): Promise<Blob>;
}

export type Prompt =
  | { kind: 'look' }
  | { kind: 'no_face' }
  | { kind: 'action'; action: LivenessAction; index: number; total: number };

export interface FollowOptions {
  /** How long the buyer has for each action. */
  actionTimeoutMs: number;
  now?: () => number;
}

export interface Followed {
  /** The frames to send, in the order taken: neutral ones, then each action and a return to neutral. */
  frames: Blob[];
  /** The first action not seen in time, if any (the server decides either way). */
  missed?: LivenessAction;
}

/** Neutral looks the baseline is taken from, and the least frames the server accepts. */
const NEUTRAL_LOOKS = 4;
const MIN_FRAMES = 4;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Guides the buyer through a challenge with on-device tracking, keeping the frames the server needs
 * to see the same: a neutral face, each action as it happens, and the face back to neutral between
 * actions. The device only paces the prompts; the server measures the frames again and decides.
 */
export async function followChallenge(
  actions: readonly LivenessAction[],
  look: () => Promise<Look>,
  onPrompt: (prompt: Prompt) => void,
  { actionTimeoutMs, now = () => performance.now() }: FollowOptions,
): Promise<Followed> {
  const frames: Blob[] = [];
  const neutral: FrameMeasures[] = [];
  const lookDeadline = now() + actionTimeoutMs;
  onPrompt({ kind: 'look' });
  while (neutral.length < NEUTRAL_LOOKS && now() < lookDeadline) {
    const seen = await look();
    onPrompt(seen.face ? { kind: 'look' } : { kind: 'no_face' });
    // The baseline is learnt on a face at rest only: a head already turned or a mouth open is skipped.
    if (!seen.face || !looksNeutral(seen.face.measures)) continue;
    neutral.push(seen.face.measures);
    if (neutral.length > NEUTRAL_LOOKS - 2) frames.push(await seen.grab());
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
      frames.push(await seen.grab());
      // Then back to neutral: the next action only counts after this one ends.
      while (now() < deadline) {
        const after = await look();
        if (after.face && !performs(action, after.face.measures, baseline)) {
          frames.push(await after.grab());
          break;
        }
      }
      done = true;
    }
    if (!done) missed = action;
  }
  while (frames.length < MIN_FRAMES) frames.push(await (await look()).grab());
  return { frames, ...(missed ? { missed } : {}) };
}
