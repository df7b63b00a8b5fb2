/**
 * Recorded live-check sessions as a data set for the evaluation: a folder (EVAL_RECORDINGS) with one
 * folder per session, each holding the frames as JPEG files (in the order of their names) and a
 * `session.json`:
 *
 *   { "label": "genuine",            // or the attack's name: "printed photo", "screen replay", ...
 *     "actions": ["turn_left", "nod"], "colours": ["#ff2a2a", ...], "colourMs": 600,
 *     "timeline": [{ "t": 0, "colour": null }, ...] }   // one entry per frame, as the page sends it
 *
 * The page's FrameRecorder (web/src/liveness/recorder.ts) gives frames and timeline in this form.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { LIVENESS_ACTIONS, livenessTimelineSchema } from '@shared';
import { judgeSession } from './liveness.js';
import { type Rate, formatRate, rateOf } from './stats.js';

const sessionSchema = z.object({
  label: z.string().min(1),
  actions: z.array(z.enum(LIVENESS_ACTIONS)).min(1),
  colours: z.array(z.string().regex(/^#[0-9a-f]{6}$/i)).min(1),
  colourMs: z.number().positive(),
  timeline: livenessTimelineSchema,
});

export interface RecordedResult {
  label: string;
  rate: Rate;
  outcomes: Record<string, number>;
}

/** Judges every recorded session under `dir`; per label, how many were decided wrongly. */
export async function evaluateRecordings(dir: string): Promise<RecordedResult[]> {
  const byLabel = new Map<string, string[]>();
  for (const entry of (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const folder = path.join(dir, entry.name);
    const session = sessionSchema.parse(JSON.parse(await readFile(path.join(folder, 'session.json'), 'utf8')));
    const names = (await readdir(folder)).filter((f) => /\.jpe?g$/i.test(f)).sort();
    if (names.length !== session.timeline.length) throw new Error(`${entry.name}: ${names.length} frames, ${session.timeline.length} timeline entries`);
    const frames = await Promise.all(names.map((f) => readFile(path.join(folder, f))));
    const { outcome } = await judgeSession({ frames, timeline: session.timeline }, session);
    byLabel.set(session.label, [...(byLabel.get(session.label) ?? []), outcome]);
  }
  return [...byLabel].map(([label, outcomes]) => {
    const counts: Record<string, number> = {};
    for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
    const wrong = label === 'genuine' ? outcomes.filter((o) => o !== 'passed').length : outcomes.filter((o) => o === 'passed').length;
    return { label, rate: rateOf(wrong, outcomes.length), outcomes: counts };
  });
}

export function recordingsReport(dir: string, results: RecordedResult[]): string[] {
  return [
    `### Recorded sessions (${dir})`,
    '',
    '| label | rate | outcomes |',
    '| --- | --- | --- |',
    ...results.map((r) => `| ${r.label} | ${r.label === 'genuine' ? 'BPCER' : 'APCER'} ${formatRate(r.rate)} | ${Object.entries(r.outcomes).map(([o, n]) => `${o} ${n}`).join(', ')} |`),
    '',
  ];
}
