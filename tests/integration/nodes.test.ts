import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, Hold, OrderView } from '@shared';
import { loadConfig } from '../../bff/src/config.js';
import { Envelope } from '../../bff/src/crypto/envelope.js';
import { Keyring } from '../../bff/src/crypto/keyring.js';
import type { OrdersDb } from '../../bff/src/providers/db/orders.db.js';
import { sealedAs } from '../../bff/src/providers/db/sealed.js';
import { FileKeySource } from '../../bff/src/providers/keys/file.keys.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { SANDBOX_COURIERS } from '../../bff/src/sandbox/couriers.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { holderKey } from '../../bff/src/services/orderService.js';
import type { ApiClient } from '../support/api.js';
import { admission } from '../support/agents.js';
import { copyDraft, openOrders } from '../support/db.js';
import { databaseEnv } from '../support/env.js';
import { type FakeVendor, fakeCarrierGateway, fakeProvisioningGateway } from '../support/fakeVendors.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, cameraFrame, performFrames } from '../support/liveFrames.js';
import { type Bff, kill, spawnBff, until } from '../support/processes.js';
import { type S3Store, startS3 } from '../support/s3.js';
import { testEnv, waitForState } from '../support/testServer.js';

/** The provisioning system takes this long: jobs are in flight when a process is killed. */
const PROVISIONING_MS = 3000;
const CLAIM_SECONDS = 6;
const OPERATOR_TOKEN = 'nodes-test-operator-token-0001';
const AGENT = 'AG-NODE-0001';
let agentSession: string;

let dir: string;
let s3: S3Store;
let provisioning: FakeVendor & { changes: string[]; keys: Map<string, Set<string>> };
let carrier: FakeVendor;
let hooks: Server;
/** Every notice the agent's storefront received, by delivery id. */
const received: string[] = [];
let nodes: Bff[] = [];
let db: OrdersDb;
let envelope: Envelope;
let turn = 0;
/** The next process, round robin: each request of a buyer may land on any of them. */
const next = (): ApiClient => {
  const live = nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  turn += 1;
  const node = live[turn % live.length];
  if (!node) throw new Error('no process running');
  return node.api;
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sim-nodes-'));
  s3 = await startS3();
  provisioning = await fakeProvisioningGateway('bss-token', { latencyMs: PROVISIONING_MS });
  carrier = await fakeCarrierGateway('carrier-token', 'SBX');
  hooks = createServer((req, res) => {
    received.push(String(req.headers['x-sim-delivery']));
    req.resume();
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  const database = await databaseEnv();
  // What every process shares: the database, the bucket, the keyring, the operator's token and the
  // operator's systems. Each has a data folder of its own (as each machine has its own disk).
  const shared = {
    ...database, ...s3.env, KEY_FILE: path.join(dir, 'keys.json'), OPERATOR_TOKEN,
    PROVISIONING_ADAPTER: 'http', PROVISIONING_HTTP_URL: provisioning.url, PROVISIONING_HTTP_TOKEN: 'bss-token', PROVISIONING_TIMEOUT_MS: String(PROVISIONING_MS + 2000),
    LOGISTICS_ADAPTER: 'http', LOGISTICS_HTTP_URL: carrier.url, LOGISTICS_HTTP_TOKEN: 'carrier-token', LOGISTICS_WEBHOOK_SECRET: 'carrier-signing-secret-0001',
    OUTBOX_CLAIM_SECONDS: String(CLAIM_SECONDS), SWEEP_INTERVAL_SECONDS: '1', VISION_THREADS: '1', VISION_MAX_QUEUE: '64',
  };
  const env = (n: number) => ({ ...testEnv(path.join(dir, `node${n}`)), ...shared });
  // The first makes the keyring and the schema; the others start together.
  nodes = [await spawnBff(env(1))];
  nodes.push(...await Promise.all([spawnBff(env(2)), spawnBff(env(3))]));
  db = await openOrders(loadConfig(env(1)).database);
  envelope = new Envelope(new Keyring(await new FileKeySource(shared.KEY_FILE, { create: false }).load()));
  const hook = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks`;
  const agent = await next().json<{ apiKey: string }>('/api/operator/channels', {
    method: 'POST', headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agentNumber: AGENT, name: '多节点代理商', licenceNumber: '91350100M000100Y43', scope: ['sim_sale'], origins: ['https://shop.example.cn'], webhookUrl: hook, admission: admission() }),
  });
  expect(agent.status).toBe(201);
  // Its admission approved (the second person's part is the channels suite's; here the nodes are the subject).
  await db.db.updateTable('channels').set({ status: 'active', approved_by: 'test', approved_at: Date.now() }).where('agent_number', '=', AGENT).execute();
  // Its server's session: a session made on one process names the agent on every other.
  agentSession = await next().agentSession(agent.body.apiKey, 'https://shop.example.cn');
}, 300_000);

afterAll(async () => {
  await Promise.all(nodes.map(kill));
  await db?.close();
  await new Promise((resolve) => hooks?.close(resolve));
  await Promise.all([provisioning?.close(), carrier?.close(), s3?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** A hold on any process and an order for the agent on another. */
async function newOrder(msisdn?: string): Promise<{ id: string; token: string; msisdn: string }> {
  // Buyers starting together see the same list: each tries it from a place of its own, as people pick different numbers.
  const listed = (await next().get<{ numbers: { msisdn: string }[] }>('/api/numbers?limit=50')).body.numbers.map((n) => n.msisdn);
  const start = Math.floor(Math.random() * listed.length);
  const numbers = msisdn ? [msisdn] : [...listed.slice(start), ...listed.slice(0, start)];
  for (const candidate of numbers) {
    const hold = await next().post<Hold>('/api/holds', { msisdn: candidate });
    if (hold.status !== 201) continue;
    const created = await next().post<CreatedOrder>('/api/orders', { holdId: hold.body.holdId, holdToken: hold.body.holdToken, deliveryPath: 'courier_verified', agentSession });
    expect(created.status).toBe(201);
    return { id: created.body.order.id, token: created.body.orderToken, msisdn: candidate };
  }
  throw new Error('no number could be held');
}

/** Another order ready to submit for the same card: its own hold, order and consent through the API, the first one's photos. */
async function sameCardAgain(source: string): Promise<{ id: string; token: string }> {
  const order = await newOrder();
  await next().post(`/api/orders/${order.id}/consent`, { identity: true, biometric: true, policyVersion: '2026-11' }, order.token);
  await copyDraft(db, envelope, source, order.id);
  return order;
}

describe('three BFF processes on one PostgreSQL and one S3 bucket', () => {
  const who = SANDBOX_IDENTITIES.find((s) => s.outcome === 'match' && !s.portrait && !s.existingCards);
  let source: { id: string; token: string; msisdn: string };
  let approved: string[] = [];

  it('continues a draft on whichever process a request lands: hold, order, consent, each photo, the live check and the submission', async () => {
    const card = await generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'nodes' });
    source = await newOrder();
    expect((await next().post(`/api/orders/${source.id}/consent`, { identity: true, biometric: true, policyVersion: '2026-11' }, source.token)).status).toBe(200);
    for (const kind of ['portrait', 'emblem', 'handheld'] as const) {
      expect((await next().upload(source.id, source.token, kind, card.images[kind])).status).toBe(200);
    }
    const challenge = await next().startLiveness(source.id, source.token);
    expect(challenge.status).toBe(201);
    const answer = await next().sendFrames(source.id, source.token, challenge.body.challengeId, await performFrames(POSES.sheldon, challenge.body));
    expect(answer.body).toMatchObject({ outcome: 'passed' });
    const view = (await next().get<OrderView>(`/api/orders/${source.id}`, source.token)).body;
    expect(view.identity?.portrait.idNumber).toBe(who?.idNumber);
    expect(view.liveness).toBe('passed');
  });

  it('ends 50 concurrent submissions for one ID number across the three with exactly five cards', async () => {
    const orders = [source, ...await Promise.all(Array.from({ length: 49 }, () => sameCardAgain(source.id)))];
    const answers = await Promise.all(orders.map((o) => next().submit(o.id, o.token)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(45);
    expect(await db.cardsOf(holderKey(envelope, who?.idNumber ?? ''))).toBe(5);
    approved = orders.filter((_o, i) => statuses[i] === 202).map((o) => o.id);
    for (const id of approved) {
      const order = orders.find((o) => o.id === id);
      if (order) await waitForState(next(), order, 'shipped', 120_000);
    }
  });

  it('hands out each of 20 numbers to one buyer only when 100 race for them', async () => {
    const pool = (await db.db.selectFrom('numbers').select('msisdn').where('status', '=', 'available').orderBy('msisdn').limit(20).execute()).map((n) => n.msisdn);
    expect(pool).toHaveLength(20);
    // Each buyer tries the twenty in an order of their own until one holds, then makes the order on another process.
    const buyers = await Promise.all(Array.from({ length: 100 }, async (_b, i) => {
      for (let k = 0; k < pool.length; k += 1) {
        const msisdn = pool[(i * 7 + k) % pool.length] ?? '';
        const hold = await next().post<Hold>('/api/holds', { msisdn });
        if (hold.status !== 201) continue;
        const created = await next().post<CreatedOrder>('/api/orders', { holdId: hold.body.holdId, holdToken: hold.body.holdToken, deliveryPath: 'courier_verified' });
        return created.status === 201 ? created.body.order.msisdn : undefined;
      }
      return undefined;
    }));
    const got = buyers.filter((m): m is string => m !== undefined);
    expect(got).toHaveLength(20);
    expect(new Set(got).size).toBe(20);
    const owners = await db.db.selectFrom('orders').select(['msisdn']).where('msisdn', 'in', pool).where('state', '=', 'draft').execute();
    expect(owners).toHaveLength(20);
  });

  it('activates every card exactly once when the process sending the activations is killed mid-way, and delivers every notice', async () => {
    const first = nodes[0];
    if (!first) throw new Error('no first process');
    const recipient = await cameraFrame(POSES.sheldon.neutral);
    const card = await generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'nodes' });
    const orders = await Promise.all(approved.map(async (id) => ({ id, shipment: await db.db.selectFrom('shipments').selectAll().where('order_id', '=', id).executeTakeFirstOrThrow() })));
    // Every hand-over on the first process: it takes each activation job at once, and the slow
    // provisioning system keeps them in flight.
    for (const { shipment } of orders) {
      const code = envelope.openJson(shipment.handover_code ?? Buffer.alloc(0), sealedAs.handoverCode(shipment.order_id)) as string;
      const handed = await first.api.handOver(shipment.tracking_number, SANDBOX_COURIERS[0].token, { code, card: card.images.portrait, face: recipient, confirmed: true });
      expect(handed.body).toMatchObject({ outcome: 'handed_over' });
    }
    await until(() => provisioning.keys.size > 0, 10_000, 'a job in flight');
    await kill(first);

    // The others take what it held once its claims run out, and the provisioning system's answer to a
    // key it has seen is the first answer: one change per card.
    for (const { id } of orders) {
      await until(async () => (await db.getOrder(id))?.state === 'activated', CLAIM_SECONDS * 1000 + 60_000, `order ${id} activated`);
      expect((await db.transitionsOf(id)).filter((x) => x.to_state === 'activated')).toHaveLength(1);
    }
    for (const { shipment } of orders) {
      expect(provisioning.changes.filter((c) => c === `activate ${shipment.iccid}`)).toHaveLength(1);
      expect(provisioning.keys.get(shipment.iccid)?.size).toBe(1);
    }

    // Every notice of the agent's orders reaches the storefront, each recorded delivered once; a
    // notice being sent when its process died may arrive twice (the storefront de-duplicates by id).
    const notices = await db.db.selectFrom('webhook_deliveries').select(['id', 'status', 'attempts']).execute();
    await until(async () => (await db.db.selectFrom('webhook_deliveries').select('id').where('status', '<>', 'delivered').execute()).length === 0, 60_000, 'every notice delivered');
    expect(notices.length).toBeGreaterThan(50);
    expect(new Set(received)).toEqual(new Set((await db.db.selectFrom('webhook_deliveries').select('id').execute()).map((n) => n.id)));
    expect(received.length - new Set(received).size).toBeLessThanOrEqual(1);
  });

  it('expires each lapsed draft once while every process sweeps every second', async () => {
    const drafts = await Promise.all(Array.from({ length: 6 }, () => newOrder()));
    await db.db.updateTable('orders').set({ hold_expires_at: Date.now() - 1000 }).where('id', 'in', drafts.map((d) => d.id)).execute();
    for (const draft of drafts) {
      await until(async () => (await db.getOrder(draft.id))?.state === 'expired', 30_000, `draft ${draft.id} expired`);
    }
    // Give the sweeps a few more rounds on all processes: nothing happens twice.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const draft of drafts) {
      expect((await db.transitionsOf(draft.id)).filter((x) => x.to_state === 'expired')).toHaveLength(1);
      expect((await db.db.selectFrom('numbers').select('order_id').where('msisdn', '=', draft.msisdn).executeTakeFirst())?.order_id ?? null).toBeNull();
    }
  });
});
