/**
 * The vision engine's work for one verification, stage by stage, on a specimen card and a live-check
 * take: first each stage in this thread (wall time and CPU time, the CPU of libvips' and
 * onnxruntime's own threads included), then the card sides and faces through the same worker-thread
 * interface the BFF uses. Prints medians of several runs.
 *
 *   npm run bench              # 9 runs per measure
 *   BENCH_RUNS=21 npm run bench
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { LIVENESS_TIMING } from '@shared';
import { detectFaces, loadFaceModels } from '../../bff/src/engine/face/faceModels.js';
import { readSequence } from '../../bff/src/engine/face/frameSequence.js';
import { loadOcr, readTextLines } from '../../bff/src/engine/ocr/ocrReader.js';
import { createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { cardPhotoProblems } from '../../bff/src/verification/cardRegion.js';
import { acceptFrame, acceptImage } from '../../bff/src/verification/intake.js';
import { portraitLooksPasted } from '../../bff/src/verification/pastedPortrait.js';
import { TEST_TODAY, facePhoto } from '../support/fixtures.js';
import { POSES, performFrames } from '../support/liveFrames.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const median = (values: number[]): number => quantile([...values].sort((a, b) => a - b), 0.5);

async function measure(label: string, fn: () => Promise<unknown>): Promise<void> {
  await fn(); // warm-up, not counted
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const row = [label.padEnd(48), quantile(times, 0.5).toFixed(0).padStart(7), quantile(times, 0).toFixed(0).padStart(7), quantile(times, 0.95).toFixed(0).padStart(7)];
  console.log(row.join(' '));
}

const card = await generateMockCard({ face: await facePhoto('photos/obama.jpg'), seed: 'bench', today: TEST_TODAY });
const sizes = `portrait ${card.images.portrait.length >> 10} KiB, handheld ${card.images.handheld.length >> 10} KiB`;
console.log(`node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${RUNS} runs each; ${sizes}`);

// A take answering a challenge of two turns, as the page sends it.
const take = await performFrames(POSES.sheldon, {
  actions: ['turn_left', 'turn_right'], colours: ['#ff0000', '#00ff00', '#0000ff', '#ffffff', '#ff0000'], colourMs: LIVENESS_TIMING.colourMs, frameMs: LIVENESS_TIMING.frameMs,
});
const still = take.timeline.map((frame) => frame.colour !== null);

console.log(`\nOne verification's stages in this thread (medians; CPU of every thread of the process; a take of ${take.frames.length} frames)`);
console.log(['stage'.padEnd(48), 'ms'.padStart(7), 'CPU ms'.padStart(7)].join(' '));
await loadOcr(1);
await loadFaceModels();
const stages = new Map<string, { wall: number[]; cpu: number[] }>();
async function stage<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await fn();
  const used = process.cpuUsage(cpu);
  const row = stages.get(name) ?? { wall: [], cpu: [] };
  row.wall.push(performance.now() - start);
  row.cpu.push((used.user + used.system) / 1000);
  stages.set(name, row);
  return result;
}
for (let run = 0; run <= RUNS; run += 1) {
  if (run === 1) stages.clear(); // the first round warms up
  const portrait = await stage('portrait side: taken (decoded, checked, stored)', () => acceptImage(card.images.portrait));
  const emblem = await stage('emblem side: taken', () => acceptImage(card.images.emblem));
  const handheld = await stage('hand-held photo: taken', () => acceptImage(card.images.handheld));
  const portraitText = await stage('portrait side: OCR (960 px)', () => readTextLines(portrait.jpeg));
  const printed = await stage('portrait side: face (card detector)', () => detectFaces(portrait.jpeg, 0.5, 'card'));
  await stage('portrait side: card checks (copy, screen, glare)', () => cardPhotoProblems(portrait.jpeg, portraitText, 6));
  const box = printed.faces[0]?.box;
  if (box) await stage('portrait side: pasted portrait', () => portraitLooksPasted(portrait.jpeg, box));
  const emblemText = await stage('emblem side: OCR (960 px)', () => readTextLines(emblem.jpeg));
  await stage('emblem side: card checks', () => cardPhotoProblems(emblem.jpeg, emblemText, 2));
  await stage('hand-held photo: face (SSD)', () => detectFaces(handheld.jpeg));
  await stage('hand-held photo: the card\'s number (OCR 960 px)', () => readTextLines(handheld.jpeg));
  const frames = await stage('live check: frames taken (decoded, re-encoded)', () => Promise.all(take.frames.map((frame) => acceptFrame(frame))));
  await stage('live check: frames read', () => readSequence(frames.map((frame) => frame.jpeg), still));
}
let wall = 0;
let cpu = 0;
for (const [name, row] of stages) {
  wall += median(row.wall);
  cpu += median(row.cpu);
  console.log([name.padEnd(48), median(row.wall).toFixed(0).padStart(7), median(row.cpu).toFixed(0).padStart(7)].join(' '));
}
console.log([`sum of the stages' medians`.padEnd(48), wall.toFixed(0).padStart(7), cpu.toFixed(0).padStart(7)].join(' '));

const loadStart = performance.now();
const engine = createVisionEngine({ threads: 1, maxQueue: 8 });
await engine.detectFaces(card.images.portrait);
await engine.readEmblemSide(card.images.emblem);
console.log(`\nengine start (thread, face + OCR models): ${(performance.now() - loadStart).toFixed(0)} ms`);
const rssWithEngine = process.memoryUsage().rss;
console.log(`RSS with one engine thread warm (the generator's models loaded here too): ${(rssWithEngine / 2 ** 20).toFixed(0)} MiB\n`);

console.log(['measure (ms)'.padEnd(48), 'median'.padStart(7), 'min'.padStart(7), 'p95'.padStart(7)].join(' '));
await measure('OCR portrait side (engine, fields read)', () => engine.readPortraitSide(card.images.portrait));
await measure('OCR emblem side (engine, fields read)', () => engine.readEmblemSide(card.images.emblem));
await measure('face + descriptor, portrait side (engine, card)', () => engine.detectFaces(card.images.portrait, undefined, 'card'));
await measure('face + descriptor, hand-held photo (engine)', () => engine.detectFaces(card.images.handheld));
await engine.close();

console.log(`\npeak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
