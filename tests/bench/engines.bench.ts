/**
 * SQLite and PostgreSQL side by side, in one run:
 *   - the database's share of an order: every write and read an order makes from hold to shipment,
 *     straight through the data layer (one after another, and eight at a time);
 *   - a full verification through the HTTP API (uploads, live check, submission, decision);
 *   - verifications per minute with one BFF process and with two on the same database (each with
 *     one vision thread: the second process is a second node, on this machine's second core).
 * PostgreSQL is a throwaway cluster of the bench's own (fsync on, as in production).
 *
 *   node --import tsx tests/bench/engines.bench.ts
 *   BENCH_VERIFICATIONS=12 BENCH_DB_ORDERS=300 node --import tsx tests/bench/engines.bench.ts
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DatabaseTarget } from '../../bff/src/config.js';
import { sql } from 'kysely';
import { Database } from '../../bff/src/providers/db/database.js';
import { FulfilmentDb } from '../../bff/src/providers/db/fulfilment.db.js';
import { OrdersDb } from '../../bff/src/providers/db/orders.db.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import type { ApiClient } from '../support/api.js';
import { testEnv } from '../support/env.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, performFrames } from '../support/liveFrames.js';
import { freshDatabase, startPostgres } from '../support/postgres.js';
import { type Bff, kill, spawnBff } from '../support/processes.js';

const DB_ORDERS = Number(process.env.BENCH_DB_ORDERS ?? 200);
const VERIFICATIONS = Number(process.env.BENCH_VERIFICATIONS ?? 8);
const CONCURRENCY = 4;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const fmt = (n: number, digits = 1): string => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Every database step of one order, as the services make them (sealed values are opaque bytes here). */
async function oneOrder(orders: OrdersDb, fulfilment: FulfilmentDb, msisdn: string): Promise<void> {
  const now = Date.now();
  const sealed = Buffer.alloc(256, 7);
  const holdId = randomUUID();
  const client = `client-${randomUUID()}`;
  if (await orders.holdNumber({ msisdn, holdId, tokenHash: 'h', until: now + 60_000, client }, now, 3) !== 'held') throw new Error('not held');
  const id = randomUUID();
  const claim = await orders.createOrderOnHold({ id, tokenHash: 't', deliveryPath: 'courier_verified', channelId: null }, { holdId, tokenHash: 'h' }, now, now + 1_800_000);
  if (!claim.ok) throw new Error('no order');
  await orders.getOrder(id);
  await orders.setConsent(id, '2026-11', now);
  for (const kind of ['portrait', 'emblem', 'handheld'] as const) {
    await orders.getOrder(id);
    await orders.putEvidence({ order_id: id, kind, object_id: randomUUID(), uploaded_at: now, face: sealed, problems: '[]', card_numbers: kind === 'handheld' ? sealed : null });
    if (kind === 'portrait') await orders.setIdentity(id, sealed, now);
  }
  const challenge = randomUUID();
  await orders.challengesOf(id, 'purchase');
  await orders.insertChallenge({ id: challenge, order_id: id, actions: '["turn_left","turn_right"]', colours: '[]', issued_at: now, expires_at: now + 60_000, purpose: 'purchase' });
  await orders.claimChallenge(challenge, now);
  await orders.recordFrameDigests(challenge, Array.from({ length: 6 }, () => randomUUID()), now);
  await orders.recordLiveness(challenge, { outcome: 'passed', reasons: '[]', score: 0.3, object_id: randomUUID(), face: sealed });
  await orders.evidenceOf(id);
  await orders.currentLiveness(id);
  if (await orders.submitWithinCap(id, `holder-${randomUUID()}`, 5, now) !== 'submitted') throw new Error('not submitted');
  await orders.transition(id, 'submitted', 'verifying', 'verification started', 'system', now);
  await orders.evidenceOf(id);
  await orders.transition(id, 'verifying', 'approved', 'all checks passed', 'system', now, { checks: '[]', decision: '{}' });
  await orders.assignNumber(id);
  const iccid = await fulfilment.allotSimCard(id);
  if (iccid === undefined) throw new Error('no card');
  await fulfilment.recordShipment({ order_id: id, carrier: 'SBX', tracking_number: `T${iccid}`, iccid, handover_code: sealed, status: 'in_transit', created_at: now }, 'shipped');
  await orders.getOrder(id);
  await fulfilment.shipmentOf(id);
}

async function databaseTime(target: DatabaseTarget): Promise<{ sequentialMs: number; perSecond: number; bytesPerOrder: number }> {
  const database = await Database.open(target);
  const orders = new OrdersDb(database);
  const fulfilment = new FulfilmentDb(orders);
  const numbers = Array.from({ length: DB_ORDERS * 2 }, (_n, i) => `1709${String(i).padStart(7, '0')}`);
  await orders.seedNumbers(numbers);
  await fulfilment.addSimCards(numbers.map((_n, i) => ({ iccid: `898600${String(i).padStart(14, '0')}`, pack_code_hash: null, sandbox_pack_code: null, origin: 'sandbox' as const })));
  const times: number[] = [];
  for (let i = 0; i < DB_ORDERS; i += 1) {
    const began = performance.now();
    await oneOrder(orders, fulfilment, numbers[i] ?? '');
    times.push(performance.now() - began);
  }
  const began = performance.now();
  let nextIndex = DB_ORDERS;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (nextIndex < DB_ORDERS * 2) {
      const i = nextIndex;
      nextIndex += 1;
      await oneOrder(orders, fulfilment, numbers[i] ?? '');
    }
  }));
  const perSecond = DB_ORDERS / ((performance.now() - began) / 1000);
  // What the rows take on disk, indexes and the pool of numbers and cards included.
  const size = target.engine === 'postgres'
    ? Number((await sql<{ n: string }>`SELECT pg_database_size(current_database()) AS n`.execute(database.db)).rows[0]?.n ?? Number.NaN)
    : (await sql<{ n: number }>`SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()`.execute(database.db)).rows[0]?.n ?? Number.NaN;
  await database.close();
  return { sequentialMs: median(times), perSecond, bytesPerOrder: size / (DB_ORDERS * 2) };
}

const who = SANDBOX_IDENTITIES.find((s) => s.outcome === 'match' && !s.portrait && !s.existingCards);
const card = await generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'engines-bench' });

/** One buyer's whole verification, each request on the next process; milliseconds until the decision. */
async function verify(apis: ApiClient[], turn: { n: number }): Promise<number> {
  const api = (): ApiClient => apis[(turn.n += 1) % apis.length] as ApiClient;
  const order = await api().newOrder();
  const began = performance.now();
  for (const kind of ['portrait', 'emblem', 'handheld'] as const) {
    const res = await api().upload(order.id, order.token, kind, card.images[kind]);
    if (res.status !== 200) throw new Error(`upload ${kind}: ${res.status}`);
  }
  const challenge = await api().startLiveness(order.id, order.token);
  const live = await api().sendFrames(order.id, order.token, challenge.body.challengeId, await performFrames(POSES.sheldon, challenge.body));
  if (live.body.outcome !== 'passed') throw new Error(`live check: ${JSON.stringify(live.body.reasons)}`);
  await api().submit(order.id, order.token);
  for (;;) {
    const { body } = await api().get<{ state: string }>(`/api/orders/${order.id}`, order.token);
    if (!['submitted', 'verifying'].includes(body.state)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return performance.now() - began;
}

async function folderBytes(dir: string): Promise<number> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  let bytes = 0;
  for (const file of files) bytes += (await stat(path.join(file.parentPath, file.name))).size;
  return bytes;
}

async function processes(count: number, database: Record<string, string>, dir: string): Promise<Bff[]> {
  // One client stands for every buyer here: the per-client share of the vision queue is lifted.
  const shared = { ...database, KEY_FILE: path.join(dir, 'keys.json'), VISION_THREADS: '1', VISION_MAX_QUEUE: '64', VISION_MAX_PER_CLIENT: '64', LOG_LEVEL: 'error', NUMBERS_PER_PREFIX: '200' };
  const first = await spawnBff({ ...testEnv(path.join(dir, 'p1')), ...shared });
  const rest = await Promise.all(Array.from({ length: count - 1 }, (_p, i) => spawnBff({ ...testEnv(path.join(dir, `p${i + 2}`)), ...shared })));
  return [first, ...rest];
}

async function verifications(database: (run: string) => Promise<Record<string, string>>): Promise<{ medianMs: number; perMinute: number[]; evidenceBytes: number }> {
  const perMinute: number[] = [];
  let medianMs = Number.NaN;
  let evidenceBytes = Number.NaN;
  for (const count of [1, 2]) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-engines-'));
    const nodes = await processes(count, await database(dir), dir);
    const apis = nodes.map((n) => n.api);
    const turn = { n: 0 };
    try {
      await verify(apis, turn);
      if (count === 1) {
        const times: number[] = [];
        for (let i = 0; i < VERIFICATIONS; i += 1) times.push(await verify(apis, turn));
        medianMs = median(times);
      }
      const began = performance.now();
      let left = VERIFICATIONS * 2;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (left > 0) {
          left -= 1;
          await verify(apis, turn);
        }
      }));
      perMinute.push((VERIFICATIONS * 2) / ((performance.now() - began) / 60_000));
      if (count === 1) evidenceBytes = (await folderBytes(path.join(dir, 'data', 'evidence'))) / (1 + VERIFICATIONS * 3);
    } finally {
      await Promise.all(nodes.map(kill));
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { medianMs, perMinute, evidenceBytes };
}

console.log(`node ${process.version}, ${os.cpus().length} cores; ${DB_ORDERS} orders through the data layer, ${VERIFICATIONS} verifications one after another, ${VERIFICATIONS * 2} ${CONCURRENCY} at a time\n`);
const postgres = await startPostgres({ durable: true });
const rows: string[][] = [];
try {
  for (const engine of ['sqlite', 'postgres'] as const) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-engines-db-'));
    const target: DatabaseTarget = engine === 'sqlite' ? { engine, file: path.join(dir, 'orders.db') } : { engine, url: await freshDatabase(postgres.url) };
    const db = await databaseTime(target);
    await rm(dir, { recursive: true, force: true });
    // The processes share one data folder (one machine: the evidence folder too); PostgreSQL holds the orders in its runs.
    const full = await verifications(async (run): Promise<Record<string, string>> => ({
      DATA_DIR: path.join(run, 'data'), ...(engine === 'postgres' ? { DATABASE_URL: await freshDatabase(postgres.url) } : {}),
    }));
    rows.push([engine, fmt(db.sequentialMs, 2), fmt(db.perSecond, 0), fmt(full.medianMs, 0), fmt(full.perMinute[0] ?? Number.NaN), fmt(full.perMinute[1] ?? Number.NaN),
      fmt((full.perMinute[1] ?? Number.NaN) / (full.perMinute[0] ?? Number.NaN), 2), fmt(full.evidenceBytes / 1024, 0), fmt(db.bytesPerOrder / 1024, 1)]);
    process.stdout.write('.');
  }
} finally {
  await postgres.stop();
}
console.log('\n');
const head = ['engine', 'db ms/order', 'db orders/s (8 at once)', 'verification median ms', 'verif./min 1 process', 'verif./min 2 processes', '2 / 1', 'evidence KB/order', 'db KB/order'];
console.log(head.join(' | '));
for (const row of rows) console.log(row.join(' | '));
