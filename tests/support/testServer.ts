import { sql } from 'kysely';
import { row } from './db.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { DeliveryPath, OrderState, OrderView } from '@shared';
import { loadConfig } from '../../bff/src/config.js';
import { type VisionEngine, createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { type RunningServer, type StartOverrides, start } from '../../bff/src/server.js';
import type { MockCard } from '../../bff/src/sandbox/mockId/index.js';
import type { OrdersDb } from '../../bff/src/providers/db/orders.db.js';
import { ApiClient } from './api.js';
import { databaseEnv, testEnv } from './env.js';

export { ROOMY_LIMITS, testEnv } from './env.js';
import { type FacePoses, passLiveCheck } from './liveFrames.js';

export interface TestServer {
  dir: string;
  dataDir: string;
  server: RunningServer;
  api: ApiClient;
  engine: VisionEngine;
  /** The server's clock, and moving it forward. */
  now(): number;
  advance(ms: number): void;
  stop(): Promise<void>;
}

/** The BFF on a free port, with its own data folder, its own clock and a vision engine of its own. */
export async function startTestServer(env: Record<string, string> = {}, overrides: StartOverrides = {}): Promise<TestServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-test-'));
  const dataDir = path.join(dir, 'data');
  const engine = overrides.engine ?? createVisionEngine({ threads: 1, maxQueue: 64 });
  let offset = 0;
  const config = loadConfig({ ...testEnv(dir), ...(await databaseEnv()), ...env });
  const server = await start(config, { engine, now: () => Date.now() + offset, ...overrides });
  return {
    dir, dataDir, server, engine, api: new ApiClient(server.url),
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
    async stop() {
      await server.stop();
      if (!overrides.engine) await engine.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An order with every photo of `card` and a live check by `poses`: ready to submit. */
export async function readyOrder(api: ApiClient, card: MockCard, poses: FacePoses, deliveryPath: DeliveryPath = 'courier_verified', agentSession?: string): Promise<{ id: string; token: string; msisdn: string }> {
  return completeDraft(api, await api.newOrder(deliveryPath, true, agentSession), card, poses);
}

/** Gives a draft (consent given) every photo of `card` and a live check by `poses`: ready to submit. */
export async function completeDraft<T extends { id: string; token: string }>(api: ApiClient, order: T, card: MockCard, poses: FacePoses): Promise<T> {
  for (const kind of ['portrait', 'emblem', 'handheld'] as const) {
    expect((await api.upload(order.id, order.token, kind, card.images[kind])).status).toBe(200);
  }
  const live = await passLiveCheck(api, order, poses);
  expect(live.outcome, JSON.stringify(live.reasons)).toBe('passed');
  return order;
}

/** Polls an order until it reaches `state` (background work: verification, shipping, activation). */
export async function waitForState(api: ApiClient, order: { id: string; token: string }, state: OrderState, timeoutMs = 30_000): Promise<OrderView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api.get<OrderView>(`/api/orders/${order.id}`, order.token);
    if (body.state === state) return body;
    if (Date.now() > until) throw new Error(`order ${order.id} is ${body.state}, not ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ShippedOrder {
  id: string;
  token: string;
  msisdn: string;
  view: OrderView;
  /** The ICCID printed on the card packed. */
  iccid: string;
}

/** An order bought with `card` by `poses`, submitted, approved and shipped on `deliveryPath`. */
export async function shippedOrder(t: TestServer, card: MockCard, poses: FacePoses, deliveryPath: DeliveryPath): Promise<ShippedOrder> {
  const order = await readyOrder(t.api, card, poses, deliveryPath);
  expect((await t.api.submit(order.id, order.token)).status).toBe(202);
  const view = await waitForState(t.api, order, deliveryPath === 'courier_verified' ? 'shipped' : 'shipped_unactivated');
  return { ...order, view, iccid: await iccidOf(t.server.db, order.id) };
}

/** The ICCID of the card packed for an order. */
export async function iccidOf(db: OrdersDb, orderId: string): Promise<string> {
  return (await row(db, sql<{ iccid: string }>`SELECT iccid FROM shipments WHERE order_id = ${orderId}`))?.iccid ?? '';
}
