/**
 * One abusive client at full speed beside ten ordinary buyers. The buyers each make an order and
 * upload the portrait side, the emblem side and the hand-held photo, one after another, ten buyers at
 * once, from ten addresses behind the operator's proxy; the abuser, from one address, sends portrait
 * photos on six connections as fast as the server answers, retrying at once whatever it is told.
 * Reports the buyers' upload latency (time until the upload was taken, retries after a 503 included),
 * without the abuser, with it under the default limits, and with its limits lifted (only the fair
 * vision queue between it and the buyers).
 *
 *   npm run bench
 */
import { mkdtemp, rm } from 'node:fs/promises';
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
const ABUSER_CONNECTIONS = 6;
const KINDS = ['portrait', 'emblem', 'handheld'] as const;

const who = SANDBOX_IDENTITIES[0];
const card = await generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'bench-abuse' });

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
    ...(abuser === 'unlimited' ? ROOMY_LIMITS : {}),
  } as Record<string, string>));
  try {
    // Warm up: every thread has its models.
    const warm = clientAt(server, '192.0.2.250');
    const warmOrder = await warm.newOrder();
    await Promise.all(KINDS.map((kind) => warm.upload(warmOrder, kind)));

    const abuserStatuses = new Map<number, number>();
    let stop = false;
    const attacker = clientAt(server, '203.0.113.66');
    const attack = abuser === 'none' ? [] : Array.from({ length: ABUSER_CONNECTIONS }, async () => {
      const order = await attacker.newOrder();
      while (!stop) {
        const status = await attacker.upload(order, 'portrait');
        abuserStatuses.set(status, (abuserStatuses.get(status) ?? 0) + 1);
        // Full speed; a turn of the event loop so that refusals do not starve this process.
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    if (abuser !== 'none') await sleep(3000);

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
      }
    }));
    stop = true;
    await Promise.all(attack);
    return { latencies, buyerRetries, abuser: abuserStatuses };
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`node ${process.version}, ${os.cpus().length} cores, 2 vision threads; ${BUYERS} buyers x ${KINDS.length} uploads, abuser on ${ABUSER_CONNECTIONS} connections\n`);
console.log(['scenario', 'median ms', 'p95 ms', 'x alone', 'buyer 503s', 'abuser answers'].map((h, i) => (i === 0 ? h.padEnd(34) : h.padStart(14))).join(''));
let alone = Number.NaN;
for (const [name, abuser] of [['alone', 'none'], ['abuser, default limits', 'limited'], ['abuser, limits lifted (fair queue)', 'unlimited']] as const) {
  const outcome = await scenario(name, abuser);
  const m = median(outcome.latencies);
  if (abuser === 'none') alone = m;
  const answers = [...outcome.abuser.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}:${n}`).join(' ');
  console.log([name.padEnd(34), m.toFixed(0).padStart(14), p95(outcome.latencies).toFixed(0).padStart(14), (m / alone).toFixed(2).padStart(14),
    String(outcome.buyerRetries).padStart(14), `  ${answers || '-'}`].join(''));
}
