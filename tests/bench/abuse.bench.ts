/**
 * One abusive client at full speed beside ten ordinary buyers. The buyers each make an order and
 * upload the portrait side, the emblem side and the hand-held photo, one after another, ten buyers at
 * once, from ten addresses behind the operator's proxy; the abuser (tests/bench/abuser.ts, a process
 * of its own), from one address, sends portrait photos on six connections as fast as the server
 * answers, retrying at once whatever it is told (at the lowest CPU priority: on this one machine its
 * own work must not take the server's cores).
 * Reports the buyers' upload latency (time until the upload was taken, retries after a 503 included),
 * without the abuser, with it under the default limits, and with its limits lifted (only the fair
 * vision queue between it and the buyers).
 *
 *   npm run bench
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CreatedOrder, Hold } from '@shared';
import { loadConfig } from '../../bff/src/config.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { type RunningServer, start } from '../../bff/src/server.js';
import { ApiClient } from '../support/api.js';
import { ROOMY_LIMITS, testEnv } from '../support/env.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES } from '../support/liveFrames.js';

const BUYERS = 10;
const KINDS = ['portrait', 'emblem', 'handheld'] as const;

const who = SANDBOX_IDENTITIES[0];
const card = await generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'bench-abuse' });
const photoDir = await mkdtemp(path.join(os.tmpdir(), 'sim-abuse-photo-'));
const photoFile = path.join(photoDir, 'portrait.jpg');
await writeFile(photoFile, card.images.portrait);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const p95 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))] ?? Number.NaN;

/** A client of the API from one address (the proxy in front of the BFF names it). */
function clientAt(server: RunningServer, address: string) {
  const api = new ApiClient(server.url);
  const headers = (token?: string): Record<string, string> => ({ 'x-forwarded-for': address, ...(token ? { authorization: `Bearer ${token}` } : {}) });
  const post = <T>(url: string, body: unknown, token?: string) =>
    api.json<T>(url, { method: 'POST', headers: { ...headers(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    async newOrder(): Promise<{ id: string; token: string }> {
      for (;;) {
        const { body } = await api.json<{ numbers: { msisdn: string }[] }>('/api/numbers?limit=50', { headers: headers() });
        const msisdn = body.numbers[Math.floor(Math.random() * body.numbers.length)]?.msisdn;
        const hold = await post<Hold>('/api/holds', { msisdn });
        if (hold.status !== 201) continue;
        const created = await post<CreatedOrder>('/api/orders', { holdId: hold.body.holdId, holdToken: hold.body.holdToken, deliveryPath: 'courier_verified' });
        if (created.status !== 201) throw new Error(`order: ${created.status}`);
        await post(`/api/orders/${created.body.order.id}/consent`, { identity: true, biometric: true, policyVersion: '2026-11' }, created.body.orderToken);
        return { id: created.body.order.id, token: created.body.orderToken };
      }
    },
    async upload(order: { id: string; token: string }, kind: (typeof KINDS)[number]): Promise<number> {
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(card.images[kind])], { type: 'image/jpeg' }), `${kind}.jpg`);
      const res = await fetch(`${server.url}/api/orders/${order.id}/evidence/${kind}`, { method: 'PUT', headers: headers(order.token), body: form });
      await res.arrayBuffer();
      return res.status;
    },
  };
}

interface Outcome {
  latencies: number[];
  buyerRetries: number;
  abuser: Map<number, number>;
}

async function scenario(name: string, abuser: 'none' | 'limited' | 'unlimited'): Promise<Outcome> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-abuse-'));
  // The default limits, behind a proxy on loopback; lifted only where the scenario says so.
  const defaults = Object.fromEntries(Object.keys(ROOMY_LIMITS).map((key) => [key, undefined]));
  const server = await start(loadConfig({
    ...testEnv(dir), ...defaults, LOG_LEVEL: 'error', TRUST_PROXY: 'loopback', NUMBERS_PER_PREFIX: '100',
    // Lifted: the rate limits only; the uploads in flight per client and the fair queue stay.
    ...(abuser === 'unlimited' ? Object.fromEntries(Object.entries(ROOMY_LIMITS).filter(([key]) => key.startsWith('LIMIT_'))) : {}),
  }));
  try {
    // Warm up: every thread has its models.
    const warm = clientAt(server, '192.0.2.250');
    const warmOrder = await warm.newOrder();
    await Promise.all(KINDS.map((kind) => warm.upload(warmOrder, kind)));

    // The abuser, in a process of its own, until the buyers are done.
    // Niced: on this one machine its own sending must not take the server's cores, as it would not
    // from a machine of its own; only what the server does with its requests is measured.
    // BENCH_ABUSER_NICE=0 lets it compete for the cores as an equal.
    const attacker = abuser === 'none' ? undefined
      : spawn('nice', ['-n', process.env.BENCH_ABUSER_NICE ?? '19', process.execPath, '--import', 'tsx', 'tests/bench/abuser.ts', server.url, photoFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let attackerOut = '';
    attacker?.stdout.on('data', (chunk: Buffer) => {
      attackerOut += chunk.toString();
    });
    if (attacker) {
      while (!attackerOut.includes('ready')) await sleep(100);
      await sleep(3000);
    }
    let done = 0;
    const progress = setInterval(() => {
      process.stderr.write(process.env.BENCH_VERBOSE ? `[${name}] uploads done ${done}\n` : '.');
    }, 10_000);

    const latencies: number[] = [];
    let buyerRetries = 0;
    await Promise.all(Array.from({ length: BUYERS }, async (_, i) => {
      const buyer = clientAt(server, `198.51.100.${10 + i}`);
      const order = await buyer.newOrder();
      for (const kind of KINDS) {
        const startedAt = performance.now();
        for (;;) {
          const status = await buyer.upload(order, kind);
          if (status === 200) break;
          if (status !== 503) throw new Error(`${name}: a buyer's ${kind} upload was answered ${status}`);
          buyerRetries += 1;
          await sleep(1000);
        }
        latencies.push(performance.now() - startedAt);
        done += 1;
      }
    }));
    clearInterval(progress);
    const answers = new Map<number, number>();
    if (attacker) {
      const exited = new Promise((resolve) => attacker.once('exit', resolve));
      attacker.kill('SIGTERM');
      await exited;
      const line = attackerOut.trim().split('\n').at(-1) ?? '{}';
      for (const [status, n] of Object.entries(JSON.parse(line) as Record<string, number>)) answers.set(Number(status), n);
    }
    return { latencies, buyerRetries, abuser: answers };
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`node ${process.version}, ${os.cpus().length} cores, 2 vision threads; ${BUYERS} buyers x ${KINDS.length} uploads, the abuser on 6 connections\n`);
console.log(['scenario', 'median ms', 'p95 ms', 'x alone', 'buyer 503s', '  abuser answers'].map((h, i) => (i === 0 ? h.padEnd(34) : h.padStart(14))).join(''));
let alone = Number.NaN;
const SCENARIOS = [['alone', 'none'], ['abuser, default limits', 'limited'], ['abuser, limits lifted (fair queue)', 'unlimited']] as const;
for (const [name, abuser] of SCENARIOS.filter(([, a]) => !process.env.BENCH_ONLY || a === 'none' || a === process.env.BENCH_ONLY)) {
  const outcome = await scenario(name, abuser);
  const m = median(outcome.latencies);
  if (abuser === 'none') alone = m;
  const answers = [...outcome.abuser.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}:${n}`).join(' ');
  console.log([name.padEnd(34), m.toFixed(0).padStart(14), p95(outcome.latencies).toFixed(0).padStart(14), (m / alone).toFixed(2).padStart(14),
    String(outcome.buyerRetries).padStart(14), `  ${answers || '-'}`].join(''));
}
await rm(photoDir, { recursive: true, force: true });
