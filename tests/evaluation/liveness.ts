/**
 * Error rates of the live check on synthetic sessions (tests/support/motion), in ISO/IEC 30107-3
 * terms: APCER for each attack species (attacks accepted), BPCER on genuine sessions (genuine
 * sessions refused), each with the count behind it and a 95 % upper bound. Run:
 *   node --import tsx tests/evaluation/liveness.ts [sessions per identity]
 */
import { LIVENESS_COLOURS, LIVENESS_TIMING, type LivenessAction, measureFrame } from '@shared';
import seedrandom from 'seedrandom';
import { readSequence } from '../../bff/src/engine/face/frameSequence.js';
import { judgeSequence } from '../../bff/src/verification/liveMotion.js';
import { facePhoto } from '../support/fixtures.js';
import { noReflection, screenReplay, slideshow, turnedPrint, withoutOnsets } from '../support/motion/attacks.js';
import { type FilmedSession, type SessionPlan, filmSession, sceneOf } from '../support/motion/session.js';

const IDENTITIES = ['people/penny/penny5.png', 'people/sheldon/sheldon1.png', 'people/amy/amy5.png', 'people/leonard/leonard1.png', 'photos/obama.jpg', 'photos/biden2.jpg'];
const PER = Number(process.argv[2] ?? 3);
const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** One-sided 95 % upper bound of a rate with `k` of `n` (Clopper-Pearson, by bisection on the binomial tail). */
function upperBound(k: number, n: number): number {
  const tail = (p: number): number => {
    let sum = 0;
    let term = (1 - p) ** n;
    for (let i = 0; i <= k; i += 1) {
      sum += term;
      term *= ((n - i) / (i + 1)) * (p / (1 - p));
    }
    return sum;
  };
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i += 1) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}

async function judge(session: FilmedSession, plan: SessionPlan): Promise<string> {
  const last = session.timeline.findLastIndex((f) => f.colour !== null);
  const read = await readSequence(session.frames, session.timeline.map((_, i) => i <= last));
  const verdict = judgeSequence(plan.actions, read.frames.map((f, i) => ({ ...session.timeline[i]!, landmarks: f.landmarks, skin: f.skin, surround: f.surround })),
    plan.colours.map(rgb), plan.colourMs, measureFrame);
  return verdict.ok ? 'passed' : verdict.reason;
}

const SPECIES: Record<string, (scene: Awaited<ReturnType<typeof sceneOf>>, plan: SessionPlan) => Promise<FilmedSession>> = {
  slideshow,
  'turned print': turnedPrint,
  'screen replay': screenReplay,
  'no reflection': noReflection,
  'chosen frames': async (scene, plan) => withoutOnsets(await filmSession(scene, plan)),
};

const results = new Map<string, string[]>();
const add = (key: string, outcome: string): void => {
  results.set(key, [...(results.get(key) ?? []), outcome]);
};
for (const identity of IDENTITIES) {
  const scene = await sceneOf(await facePhoto(identity));
  for (let i = 0; i < PER; i += 1) {
    const random = seedrandom(`${identity}:${i}`);
    const actions: LivenessAction[] = random() < 0.5 ? ['turn_left', 'nod', 'turn_right'] : ['turn_right', 'turn_left'];
    const colours = Array.from({ length: LIVENESS_TIMING.colourSteps }, () => LIVENESS_COLOURS[Math.floor(random() * LIVENESS_COLOURS.length)]!);
    const plan: SessionPlan = {
      actions, colours, colourMs: LIVENESS_TIMING.colourMs, frameMs: LIVENESS_TIMING.frameMs, seed: `${identity}:${i}`,
      pace: 0.7 + random() * 0.6, reflection: 0.08 + random() * 0.22, lagMs: 40 + random() * 260, noise: 1 + random() * 3,
    };
    add('genuine', await judge(await filmSession(scene, plan), plan));
    for (const [name, make] of Object.entries(SPECIES)) add(name, await judge(await make(scene, plan), plan));
  }
  process.stderr.write(`${identity} done\n`);
}
for (const [name, outcomes] of results) {
  const n = outcomes.length;
  const wrong = name === 'genuine' ? outcomes.filter((o) => o !== 'passed') : outcomes.filter((o) => o === 'passed');
  const reasons = [...new Set(outcomes)].map((o) => `${o} ${outcomes.filter((x) => x === o).length}`).join(', ');
  console.log(`| ${name} | ${name === 'genuine' ? 'BPCER' : 'APCER'} ${wrong.length}/${n} | ≤ ${(100 * upperBound(wrong.length, n)).toFixed(1)} % | ${reasons} |`);
}
