/**
 * Timings of the vision engine on specimen cards, through the same worker-thread interface the BFF
 * uses: OCR of each card side and face detection with descriptors. Prints medians of several runs.
 *
 *   npm run bench              # 9 runs per measure
 *   BENCH_RUNS=21 npm run bench
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { readTextLines } from '../../bff/src/engine/ocr/ocrReader.js';
import { detectFaces } from '../../bff/src/engine/face/faceModels.js';
import { createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { TEST_TODAY, facePhoto } from '../support/fixtures.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

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

const loadStart = performance.now();
const engine = createVisionEngine({ threads: 1, maxQueue: 8 });
await engine.detectFaces(card.images.portrait);
await engine.readEmblemSide(card.images.emblem);
console.log(`engine start (thread, face + OCR models): ${(performance.now() - loadStart).toFixed(0)} ms`);
const rssWithEngine = process.memoryUsage().rss;
console.log(`RSS with one engine thread warm (the generator's models loaded here too): ${(rssWithEngine / 2 ** 20).toFixed(0)} MiB\n`);

console.log(['measure (ms)'.padEnd(48), 'median'.padStart(7), 'min'.padStart(7), 'p95'.padStart(7)].join(' '));
await measure('OCR portrait side (engine, fields read)', () => engine.readPortraitSide(card.images.portrait));
await measure('OCR emblem side (engine, fields read)', () => engine.readEmblemSide(card.images.emblem));
await measure('faces + descriptors, portrait side (engine)', () => engine.detectFaces(card.images.portrait));
await measure('faces + descriptors, hand-held photo (engine)', () => engine.detectFaces(card.images.handheld));
await engine.close();

// The same work in this thread, to show what the worker hand-off costs.
await measure('OCR portrait side, one pass (in-process)', () => readTextLines(card.images.portrait));
await measure('faces + descriptors, hand-held (in-process)', () => detectFaces(card.images.handheld));

console.log(`\npeak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
