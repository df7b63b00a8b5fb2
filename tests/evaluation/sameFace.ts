/**
 * The monitoring's same-face rule on live checks: each submission's live face (the descriptor of the
 * frame nearest the neutral pose, as the service keeps it) is compared with the faces submitted under
 * other ID numbers. Here every fixture photo of a person is a live check of its own (a synthetic take,
 * tests/support/motion), so two takes of one person stand for one person checking in twice (a card
 * farmer under two ID numbers), two people's takes for two honest buyers. The rule's threshold (the
 * face matcher's review bound) was set on photo pairs; these rendered takes, their pose, light and
 * camera noise, were never part of that.
 */
import { readSequence } from '../../bff/src/engine/face/frameSequence.js';
import { faceDistance } from '../../bff/src/engine/face/faceDistance.js';
import { facePhoto } from '../support/fixtures.js';
import { filmSession, sceneOf } from '../support/motion/session.js';
import { fixtureFiles } from './facePairs.js';
import { planOf } from './liveness.js';
import { type Rate, formatRate, rateOf } from './stats.js';

export interface SameFaceEvaluation {
  takes: number;
  missed: string[];
  thresholds: { threshold: number; falseAlerts: Rate; missed: Rate }[];
}

const THRESHOLDS = [0.4, 0.45, 0.48, 0.5, 0.55, 0.56, 0.6];
/** The rule's default (MONITOR_SAME_FACE_DISTANCE): the face matcher's review bound, 0.48 + 0.08. */
const DEFAULT = 0.56;

export async function evaluateSameFace({ seed = 'same-face', progress = (_: string): void => {} } = {}): Promise<SameFaceEvaluation> {
  const faces: { person: string; descriptor: number[] }[] = [];
  const missed: string[] = [];
  for (const { person, file } of await fixtureFiles()) {
    try {
      const scene = await sceneOf(await facePhoto(file));
      const session = await filmSession(scene, planOf(`${seed}:${file}`));
      const last = session.timeline.findLastIndex((f) => f.colour !== null);
      const reference = (await readSequence(session.frames, session.timeline.map((_, i) => i <= last))).described[0];
      if (reference) faces.push({ person, descriptor: reference.descriptor });
      else missed.push(file);
    } catch {
      missed.push(file);
    }
    progress(file);
  }
  const same: number[] = [];
  const different: number[] = [];
  faces.forEach((a, i) => faces.slice(i + 1).forEach((b) => (a.person === b.person ? same : different).push(faceDistance(a.descriptor, b.descriptor))));
  return {
    takes: faces.length,
    missed,
    thresholds: THRESHOLDS.map((threshold) => ({
      threshold,
      falseAlerts: rateOf(different.filter((d) => d <= threshold).length, different.length),
      missed: rateOf(same.filter((d) => d > threshold).length, same.length),
    })),
  };
}

export function sameFaceReport(e: SameFaceEvaluation): string[] {
  return [
    '## The same face under different ID numbers (monitoring)',
    '',
    `${e.takes} synthetic live checks, one per fixture photo (tests/fixtures/faces), each compared with every other by the descriptor the service keeps${e.missed.length > 0 ? `; no take of ${e.missed.join(', ')}` : ''}.`,
    'A false alert is two people\'s takes at or under the threshold; a miss, two takes of one person over it.',
    '',
    '| threshold | false alerts (different people) | missed (same person) |',
    '| --- | --- | --- |',
    ...e.thresholds.map((t) => `| ${t.threshold === DEFAULT ? `**${DEFAULT}**` : t.threshold} | ${formatRate(t.falseAlerts)} | ${formatRate(t.missed)} |`),
    '',
  ];
}
