/**
 * Full verifications through the HTTP API, as a buyer's browser makes them: upload both card sides
 * (read by OCR), the hand-held photo, the live check (a challenge and a take of about 55 camera
 * frames: motion and the screen's colours), submit, wait for the decision (face matches, the card's
 * number in the hand-held photo, the mock national ID service). Reports the time per verification
 * (median, p95) and of each step, the CPU time it costs (every thread of the process), throughput
 * with the vision pool at 1 and at 2 threads, and peak memory. Each approved card is then shipped and checked at the door (the courier's photo of a
 * card is read and compared: the hand-over check, timed on its own) and refused, so it comes back.
 *
 *   npm run bench                 # 20 sequential verifications per pool size, then a concurrent batch
 *   BENCH_ORDERS=40 npm run bench
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../bff/src/config.js';
import { seededColours } from '../../bff/src/services/livenessService.js';
import type { FilmedSession } from '../support/motion/session.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { start } from '../../bff/src/server.js';
import { ApiClient } from '../support/api.js';
import { LIVENESS_TIMING, type LivenessAction, type OrderView } from '@shared';
import { SANDBOX_COURIERS } from '../../bff/src/sandbox/couriers.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, cameraFrame, performFrames } from '../support/liveFrames.js';
import { testEnv } from '../support/env.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 20);
const CONCURRENCY = 4;

const who = SANDBOX_IDENTITIES[0];
const card = await generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'bench' });
// The card shown at the door: someone else's, so the hand-over is refused and the order released.
const stranger = SANDBOX_IDENTITIES[1];
const atDoor = (await generateMockCard({ face: await facePhoto(POSES.penny.neutral), name: stranger?.name, idNumber: stranger?.idNumber, seed: 'bench-door' })).images.portrait;
const recipient = await cameraFrame(POSES.penny.neutral);

// Camera frames are made before timing starts, a fresh take for every check (the same bytes twice are a replay).
// The server draws its colours from a fixed seed here, so the takes can show them before the clock starts.
const COLOUR_SEED = 'bench';
const ORDERINGS: LivenessAction[][] = [['turn_left', 'turn_right'], ['turn_right', 'turn_left']];
const asked = (actions: LivenessAction[]) => ({ actions, colours: seededColours(COLOUR_SEED), colourMs: LIVENESS_TIMING.colourMs, frameMs: LIVENESS_TIMING.frameMs });
const takes: FilmedSession[][] = [];
for (let i = 0; i < 4 * ORDERS + 2; i += 1) takes.push(await Promise.all(ORDERINGS.map((actions) => performFrames(POSES.sheldon, asked(actions)))));

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

const UPLOADS = ['portrait', 'emblem', 'handheld'] as const;
type Upload = (typeof UPLOADS)[number];

interface Verification {
  ms: number;
  uploadMs: Record<Upload, number>;
  liveMs: number;
  decisionMs: number;
  handoverMs: number;
  state: string;
}

async function verifyOnce(api: ApiClient, settled: (id: string) => Promise<void>, release: (id: string, token: string) => Promise<number>): Promise<Verification> {
  const order = await api.newOrder();
  const take = takes.pop();
  if (!take) throw new Error('out of camera takes');
  const startedAt = performance.now();
  const uploadMs = { portrait: 0, emblem: 0, handheld: 0 };
  for (const kind of UPLOADS) {
    const uploadStart = performance.now();
    const res = await api.upload(order.id, order.token, kind, card.images[kind]);
    if (res.status !== 200) throw new Error(`upload ${kind}: ${res.status}`);
    uploadMs[kind] = performance.now() - uploadStart;
  }
  const liveStart = performance.now();
  const challenge = await api.startLiveness(order.id, order.token);
  const frames = take[challenge.body.actions[0] === 'turn_left' ? 0 : 1];
  if (!frames) throw new Error('no take');
  const live = await api.sendFrames(order.id, order.token, challenge.body.challengeId, frames);
  if (live.body.outcome !== 'passed') throw new Error(`live check: ${JSON.stringify(live.body.reasons)}`);
  const liveMs = performance.now() - liveStart;
  const submittedAt = performance.now();
  await api.submit(order.id, order.token);
  await settled(order.id);
  const decisionMs = performance.now() - submittedAt;
  const ms = performance.now() - startedAt;
  const view = await api.get<{ decision?: { outcome: string } }>(`/api/orders/${order.id}`, order.token);
  const handoverMs = await release(order.id, order.token);
  return { ms, uploadMs, liveMs, decisionMs, handoverMs, state: view.body.decision?.outcome ?? 'undecided' };
}

console.log(`node ${process.version}, ${os.cpus().length} cores; ${ORDERS} verifications per pool size, then ${ORDERS} more ${CONCURRENCY} at a time`);
console.log('a verification: portrait + emblem upload (OCR), hand-held upload, live check (a take of motion and colours), submit, face matches, held card, mock ID service');
console.log('medians in ms; CPU s: the CPU time of the whole process (BFF, vision threads, client) per sequential verification, its hand-over check included\n');
console.log(['threads', 'median', 'p95', 'portrait', 'emblem', 'hand-held', 'live check', 'decision', 'hand-over', 'CPU s', 'sequential/min', 'concurrent/min', 'approved'].map((h) => h.padStart(12)).join(''));

for (const threads of [1, 2]) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-bench-'));
  // One client makes every bench order: the per-client limits are lifted (the abuse bench measures them).
  const server = await start(loadConfig({
    ...testEnv(dir), LOG_LEVEL: 'error', LIVENESS_COLOUR_SEED: COLOUR_SEED, VISION_THREADS: String(threads), VISION_MAX_QUEUE: '64', NUMBERS_PER_PREFIX: String(ORDERS * 2),
  }));
  const api = new ApiClient(server.url);
  // Every bench order buys a card for the same sandbox identity; once decided, its card is shipped
  // and refused at the door, so it comes back and the five-card cap never stops the bench.
  const settled = (id: string): Promise<void> => server.orders.settled(id);
  const release = async (id: string, token: string): Promise<number> => {
    await server.fulfilment.ship(id);
    const { body } = await api.get<OrderView>(`/api/orders/${id}`, token);
    const startedAt = performance.now();
    const res = await api.handOver(body.delivery?.trackingNumber ?? '', SANDBOX_COURIERS[0].token, { code: body.delivery?.handoverCode ?? '', card: atDoor, face: recipient });
    if (res.body.outcome !== 'refused') throw new Error(`hand-over: ${JSON.stringify(res.body)}`);
    return performance.now() - startedAt;
  };
  await verifyOnce(api, settled, release); // warm-up: models load in every thread

  const times: number[] = [];
  const uploadTimes: Record<Upload, number[]> = { portrait: [], emblem: [], handheld: [] };
  const liveTimes: number[] = [];
  const decisionTimes: number[] = [];
  const handoverTimes: number[] = [];
  let approved = 0;
  const seqStart = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < ORDERS; i += 1) {
    const { ms, uploadMs, liveMs, decisionMs, handoverMs, state } = await verifyOnce(api, settled, release);
    for (const kind of UPLOADS) uploadTimes[kind].push(uploadMs[kind]);
    handoverTimes.push(handoverMs);
    times.push(ms);
    liveTimes.push(liveMs);
    decisionTimes.push(decisionMs);
    if (state === 'approved') approved += 1;
  }
  const seqMinutes = (performance.now() - seqStart) / 60_000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuPerVerification = (cpu.user + cpu.system) / 1e6 / ORDERS;

  const concStart = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < ORDERS) {
      next += 1;
      const { state } = await verifyOnce(api, settled, release);
      if (state === 'approved') approved += 1;
    }
  }));
  const concMinutes = (performance.now() - concStart) / 60_000;

  const median = (values: number[]): string => quantile([...values].sort((a, b) => a - b), 0.5).toFixed(0);
  console.log([
    threads, median(times), quantile([...times].sort((a, b) => a - b), 0.95).toFixed(0), ...UPLOADS.map((kind) => median(uploadTimes[kind])),
    median(liveTimes), median(decisionTimes), median(handoverTimes), cpuPerVerification.toFixed(2),
    (ORDERS / seqMinutes).toFixed(1), (ORDERS / concMinutes).toFixed(1), `${approved}/${2 * ORDERS}`,
  ].map((c) => String(c).padStart(12)).join(''));
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}

console.log(`\npeak RSS of the whole process (BFF, vision threads, this client): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
