/**
 * The evaluation report: error rates of the live check and of face matching, measured by code in this
 * repository on data it generates or holds, written to docs/EVALUATION.md.
 *   npm run eval                     the full run (about a quarter of an hour on two cores)
 *   npm run eval -- --takes 2        fewer live-check takes per person
 *   npm run eval -- --seed other     another set of takes (and of cards for OCR)
 *   npm run eval -- --cards 24       fewer cards for OCR
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
import { evaluateRecordings, recordingsReport } from './recordings.js';

const OUT = fileURLToPath(new URL('../../docs/EVALUATION.md', import.meta.url));

const { values } = parseArgs({ options: { takes: { type: 'string', default: '4' }, seed: { type: 'string', default: 'eval' }, cards: { type: 'string', default: '72' }, out: { type: 'string', default: OUT } } });
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const started = Date.now();
const liveness = await evaluateLiveness({ perIdentity: Number(values.takes), seed: values.seed, progress: (identity) => log(`live check: ${identity}`) });
const recordings = process.env.EVAL_RECORDINGS;
const recorded = recordings ? recordingsReport(recordings, await evaluateRecordings(recordings)) : [];
const { samples, missed } = await loadSamples();
log(`face matching: ${samples.length} images`);
const scored = await scoreMethods(samples);
log('card forensics');
const forensics = await evaluateCardForensics();
const freshForensics = await evaluateCardForensics(FRESH_FACES, undefined, 'forensics-fresh');
log('OCR');
const ocr = await evaluateOcr(ocrCases(Number(values.cards), `${values.seed}-ocr`));
log('passive anti-spoofing');
const passive = await evaluatePassive();

const report = [
  '# Evaluation',
  '',
  'Written by `npm run eval` (tests/evaluation/run.ts); every figure below is measured by code in this',
  'repository, on data it generates (tests/support/motion, the specimen-card generator) or holds',
  '(tests/fixtures/faces). A rate is given as count/total (rate, ≤ its one-sided 95 % upper bound).',
  '',
  ...livenessReport(liveness),
  ...recorded,
  ...faceMatchReport(samples, missed, scored),
  ...forensicsReport(forensics, freshForensics),
  ...ocrReport(ocr),
  ...passiveReport(passive),
  '## Not measured here yet',
  '',
  '- A portrait pasted onto a card: the product does not check for it yet.',
  '',
  `_Run took ${Math.round((Date.now() - started) / 1000)} s._`,
  '',
];
await writeFile(values.out, report.join('\n'));
log(`written to ${values.out}`);
