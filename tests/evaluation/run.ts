/**
 * The evaluation report: error rates of the live check and of face matching, measured by code in this
 * repository on data it generates or holds, written to docs/EVALUATION.md.
 *   npm run eval                     the full run (about a quarter of an hour on two cores)
 *   npm run eval -- --takes 2        fewer live-check takes per person
 *   npm run eval -- --seed other     another set of takes (and of cards for OCR)
 *   npm run eval -- --cards 24       fewer cards for OCR
 *   npm run eval -- --only pasted,ocr   only these parts (liveness, faces, sameface, forensics, pasted, ocr,
 *                                    passive), printed instead of written unless --out is given
 *   EVAL_RECORDINGS=dir npm run eval recorded live-check sessions judged beside the synthetic ones
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluateLiveness, livenessReport } from './liveness.js';
import { FRESH_FACES, evaluateCardForensics, forensicsReport } from './cardForensics.js';
import { faceMatchReport, scoreMethods } from './faceMatch.js';
import { loadSamples } from './facePairs.js';
import { evaluateOcr, ocrCases, ocrReport } from './ocr.js';
import { evaluatePassive, passiveReport } from './passive.js';
import { evaluatePastedPortrait, pastedReport } from './pastedPortrait.js';
import { evaluateRecordings, recordingsReport } from './recordings.js';
import { evaluateSameFace, sameFaceReport } from './sameFace.js';

const OUT = fileURLToPath(new URL('../../docs/EVALUATION.md', import.meta.url));

const PARTS = ['liveness', 'faces', 'sameface', 'forensics', 'pasted', 'ocr', 'passive'] as const;
const { values } = parseArgs({
  options: {
    takes: { type: 'string', default: '4' },
    seed: { type: 'string', default: 'eval' },
    cards: { type: 'string', default: '72' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const only = values.only?.split(',');
const unknown = only?.filter((part) => !(PARTS as readonly string[]).includes(part)) ?? [];
if (unknown.length > 0) throw new Error(`no such part: ${unknown.join(', ')} (the parts: ${PARTS.join(', ')})`);
const runs = (part: (typeof PARTS)[number]): boolean => !only || only.includes(part);
const out = values.out ?? (only ? undefined : OUT);
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const started = Date.now();
const sections: string[] = [];
if (runs('liveness')) {
  const liveness = await evaluateLiveness({ perIdentity: Number(values.takes), seed: values.seed, progress: (identity) => log(`live check: ${identity}`) });
  const recordings = process.env.EVAL_RECORDINGS;
  sections.push(...livenessReport(liveness), ...(recordings ? recordingsReport(recordings, await evaluateRecordings(recordings)) : []));
}
if (runs('faces')) {
  const { samples, missed } = await loadSamples();
  log(`face matching: ${samples.length} images`);
  sections.push(...faceMatchReport(samples, missed, await scoreMethods(samples)));
}
if (runs('sameface')) {
  sections.push(...sameFaceReport(await evaluateSameFace({ seed: `${values.seed}-same-face`, progress: (file) => log(`same face: ${file}`) })));
}
if (runs('forensics')) {
  log('card forensics');
  sections.push(...forensicsReport(await evaluateCardForensics(), await evaluateCardForensics(FRESH_FACES, undefined, 'forensics-fresh')));
}
if (runs('pasted')) {
  log('pasted portraits');
  sections.push(...pastedReport(await evaluatePastedPortrait(undefined, `${values.seed}-pasted`)));
}
if (runs('ocr')) {
  log('OCR');
  sections.push(...ocrReport(await evaluateOcr(ocrCases(Number(values.cards), `${values.seed}-ocr`))));
}
if (runs('passive')) {
  log('passive anti-spoofing');
  sections.push(...passiveReport(await evaluatePassive()));
}

const report = [
  '# Evaluation',
  '',
  'Written by `npm run eval` (tests/evaluation/run.ts); every figure below is measured by code in this',
  'repository, on data it generates (tests/support/motion, the specimen-card generator) or holds',
  '(tests/fixtures/faces). A rate is given as count/total (rate, ≤ its one-sided 95 % upper bound).',
  '',
  ...sections,
  `_Run took ${Math.round((Date.now() - started) / 1000)} s._`,
  '',
];
if (out) {
  await writeFile(out, report.join('\n'));
  log(`written to ${out}`);
} else {
  process.stdout.write(report.join('\n'));
}
