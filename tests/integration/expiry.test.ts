import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, OrderView } from '@shared';
import { loadConfig } from '../../bff/src/config.js';
import { type VisionEngine, createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { type RunningServer, start } from '../../bff/src/server.js';
import { ApiClient } from '../support/api.js';
import { facePhoto } from '../support/fixtures.js';
import { testEnv } from '../support/testServer.js';

let dir: string;
let engine: VisionEngine;
let server: RunningServer;
let api: ApiClient;
let clock = Date.now();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sim-expiry-'));
  engine = createVisionEngine({ threads: 1, maxQueue: 4 });
  server = await start(
    loadConfig({ ...testEnv(dir), HOLD_MINUTES: '30' }),
    { engine, now: () => clock },
  );
  api = new ApiClient(server.url);
});

afterAll(async () => {
  await server.stop();
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

const evidenceFiles = async (): Promise<number> =>
  (await readdir(path.join(dir, 'data', 'evidence'), { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).length;

describe('abandoned drafts', () => {
  it('expire when their hold ends: number released, evidence purged, no more uploads', async () => {
    const order = await api.newOrder();
    expect((await api.upload(order.id, order.token, 'handheld', await facePhoto('photos/obama.jpg'))).status).toBe(200);
    expect(await evidenceFiles()).toBe(1);

    clock += 29 * 60_000;
    expect(await server.orders.expireDrafts()).toBe(0);
    clock += 2 * 60_000;
    expect(await server.orders.expireDrafts()).toBe(1);

    const view = await api.get<OrderView>(`/api/orders/${order.id}`, order.token);
    expect(view.body).toMatchObject({ state: 'expired', evidence: { portrait: false, emblem: false, handheld: false } });
    expect(await evidenceFiles()).toBe(0);
    expect((await server.db.transitionsOf(order.id)).at(-1)).toMatchObject({ from_state: 'draft', to_state: 'expired', actor: 'system' });

    const numbers = await api.get<{ numbers: { msisdn: string }[] }>(`/api/numbers?prefix=${order.msisdn.slice(0, 3)}&limit=50`);
    expect(numbers.body.numbers.map((n) => n.msisdn)).toContain(order.msisdn);

    const late = await api.upload<ErrorBody>(order.id, order.token, 'handheld', await facePhoto('photos/obama.jpg'));
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('order_closed');
  });

  it('refuses an order on a hold that has ended', async () => {
    const { body } = await api.get<{ numbers: { msisdn: string }[] }>('/api/numbers?limit=1');
    const hold = await api.post<{ holdId: string; holdToken: string }>('/api/holds', { msisdn: body.numbers[0]?.msisdn });
    clock += 31 * 60_000;
    const res = await api.post<ErrorBody>('/api/orders', { ...hold.body, deliveryPath: 'unactivated' });
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('hold_expired');
  });

  it('refuses an order on a hold with the wrong secret', async () => {
    const { body } = await api.get<{ numbers: { msisdn: string }[] }>('/api/numbers?limit=1');
    const hold = await api.post<{ holdId: string; holdToken: string }>('/api/holds', { msisdn: body.numbers[0]?.msisdn });
    const res = await api.post<ErrorBody>('/api/orders', { holdId: hold.body.holdId, holdToken: 'guess', deliveryPath: 'unactivated' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('hold_invalid');
  });
});
