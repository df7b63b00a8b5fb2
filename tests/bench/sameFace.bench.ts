/**
 * The same-face rule's cost per submission: each submission's live face is compared with every face
 * of other identities kept over MONITOR_SAME_FACE_DAYS, opened from its seal the first time a process
 * meets it. Indexes of 1,000, 10,000 and 50,000 faces (random 128-d descriptors, other identities)
 * on an SQLite data folder; the time of one `faceSubmitted` (compared, then indexed itself): the
 * first of 7 runs per size (opening what was added since the last size), and the median and p95 of
 * the other six.
 *
 *   npm run bench
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../bff/src/config.js';
import { createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { sealedAs } from '../../bff/src/providers/db/sealed.js';
import { start } from '../../bff/src/server.js';
import { testEnv } from '../support/env.js';

const SIZES = [1_000, 10_000, 50_000];
const RUNS = 7;

const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-bench-face-'));
const engine = createVisionEngine({ threads: 1, maxQueue: 8 });
const server = await start(loadConfig(testEnv(dir)), { engine });
const db = server.db.db;
const descriptor = (): number[] => Array.from({ length: 128 }, () => (Math.random() - 0.5) * 0.3);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const p95 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))] ?? Number.NaN;

/** Orders (the index points at them) and their faces, under identities of their own. */
const orders = (ids: string[], at: number) => db.insertInto('orders').values(ids.map((id) => ({
  id, token_hash: id, state: 'verifying' as const, msisdn: '', delivery_path: 'courier_verified' as const, created_at: at, updated_at: at, hold_expires_at: at,
  channel_id: null, consent_at: at, consent_version: '2026-11', identity: null, checks: null, decision: null, holder_key: `bench-${id}`, channel_flag: null, purged_at: null,
}))).execute();

async function grow(count: number): Promise<void> {
  const at = Date.now();
  for (let done = 0; done < count; done += 500) {
    const ids = Array.from({ length: Math.min(500, count - done) }, () => randomUUID());
    await orders(ids, at);
    await db.insertInto('face_index').values(ids.map((id) => ({ order_id: id, holder_key: `bench-${id}`, face: server.envelope.sealJson(descriptor(), sealedAs.faceIndex(id)), at }))).execute();
  }
}

const lines: string[] = [];
let indexed = 0;
try {
  for (const size of SIZES) {
    await grow(size - indexed);
    indexed = size;
    const times: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const id = randomUUID();
      await orders([id], Date.now());
      const started = performance.now();
      await server.monitoring.faceSubmitted(id, `bench-new-${id}`, descriptor());
      times.push(performance.now() - started);
    }
    // The first run opens the faces grown since the last size from their seals; the others find them opened.
    const [first = Number.NaN, ...warm] = times;
    lines.push(`| ${size.toLocaleString('en')} | ${first.toFixed(0)} | ${median(warm).toFixed(1)} | ${p95(warm).toFixed(1)} |`);
    process.stderr.write(`${size} faces: first ${first.toFixed(0)} ms, then ${median(warm).toFixed(1)} ms\n`);
  }
} finally {
  await server.stop();
  await engine.close();
  await rm(dir, { recursive: true, force: true });
}
process.stdout.write(['| faces in the index | first run ms | median ms of the next | p95 ms |', '| --- | --- | --- | --- |', ...lines, ''].join('\n'));
