import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderView } from '@shared';
import { loadConfig } from '../../bff/src/config.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { type RunningServer, start } from '../../bff/src/server.js';
import { ApiClient } from '../support/api.js';
import { facePhoto } from '../support/fixtures.js';
import { testEnv } from '../support/testServer.js';

let dir: string;
let server: RunningServer;
let api: ApiClient;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sim-overload-'));
  server = await start(loadConfig({ ...testEnv(dir), VISION_THREADS: '1', VISION_MAX_QUEUE: '1' }));
  api = new ApiClient(server.url);
});

afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a full vision queue', () => {
  it('answers 503 with Retry-After at once instead of queueing without end, and keeps nothing', async () => {
    const card = await generateMockCard({ face: await facePhoto('photos/obama.jpg'), seed: 'overload' });
    const orders = await Promise.all(Array.from({ length: 5 }, () => api.newOrder()));
    const results = await Promise.all(orders.map(async (order) => {
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(card.images.portrait)], { type: 'image/jpeg' }), 'portrait.jpg');
      const res = await fetch(`${server.url}/api/orders/${order.id}/evidence/portrait`, { method: 'PUT', headers: { authorization: `Bearer ${order.token}` }, body: form });
      return { order, status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error?: { code: string } } };
    }));
    const refused = results.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(r.body.error?.code).toBe('overloaded');
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      const view = await api.get<OrderView>(`/api/orders/${r.order.id}`, r.order.token);
      expect(view.body.evidence.portrait).toBe(false);
    }
  });
});
