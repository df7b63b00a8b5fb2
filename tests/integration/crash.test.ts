import { sql } from 'kysely';
import { openOrders, row } from '../support/db.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockProvisioning } from '../../bff/src/providers/provisioning/mock.provisioning.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { SANDBOX_COURIERS } from '../../bff/src/sandbox/couriers.js';
import { type MockCard, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { type Bff, kill, spawnBff, until } from '../support/processes.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, cameraFrame } from '../support/liveFrames.js';
import { iccidOf, readyOrder, testEnv, waitForState } from '../support/testServer.js';
import { databaseEnv } from '../support/env.js';
import { loadConfig } from '../../bff/src/config.js';

/**
 * The provisioning stand-in makes the change half-way through this, and answers at the end: B's
 * hand-over (a card read and a face compared, slow on a busy machine) must fit in the second half.
 */
const SLOW_PROVISIONING_MS = 12_000;
/** Longer than a provisioning call may take (twice the stand-in's latency, as the configuration requires). */
const CLAIM_SECONDS = 25;

let dir: string;
let dataDir: string;
/** The database both processes share (SQLite in DATA_DIR, or the project's PostgreSQL). */
let database: Record<string, string>;
const running: Bff[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sim-crash-'));
  dataDir = path.join(dir, 'data');
  database = await databaseEnv();
});

/** What both processes run with: the same data folder and database. */
const base = (): Record<string, string> => ({ ...testEnv(dir), DATA_DIR: dataDir, ...database });

afterAll(async () => {
  await Promise.all(running.map(kill));
  await rm(dir, { recursive: true, force: true });
});

describe('a crash between the hand-over decision and the activation', () => {
  it('comes back after SIGKILL and finishes each activation exactly once, whether the provisioning system had made the change or not', async () => {
    const who = SANDBOX_IDENTITIES.filter((s) => s.outcome === 'match' && !s.portrait && !s.existingCards).slice(0, 2);
    const cards: MockCard[] = await Promise.all(who.map(async (w) =>
      generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: w.name, idNumber: w.idNumber, seed: `crash-${w.name}` })));

    // The job A's process took stays its own for a while after it died (another process cannot know it
    // died): the claim outlasts the slow provisioning call.
    const first = await spawnBff({ ...base(), PROVISIONING_MOCK_LATENCY_MS: String(SLOW_PROVISIONING_MS), PROVISIONING_MOCK_FAILURE_RATE: '0', OUTBOX_CLAIM_SECONDS: String(CLAIM_SECONDS) });
    running.push(first);
    const orders = [];
    for (const card of cards) {
      const order = await readyOrder(first.api, card, POSES.sheldon);
      expect((await first.api.submit(order.id, order.token)).status).toBe(202);
      const view = await waitForState(first.api, order, 'shipped');
      orders.push({ ...order, view });
    }
    const [a, b] = orders;
    if (!a || !b) throw new Error('two orders expected');
    const recipient = await cameraFrame(POSES.sheldon.neutral);
    const handOver = async (order: typeof a, card: MockCard) => (await first.api.handOver(order.view.delivery?.trackingNumber ?? '', SANDBOX_COURIERS[0].token, {
      code: order.view.delivery?.handoverCode ?? '', card: card.images.portrait, face: recipient,
    })).body;

    const db = await openOrders(loadConfig({ ...testEnv(dir), DATA_DIR: dataDir, ...database }).database);
    const iccids = new Map([[a.id, await iccidOf(db, a.id)], [b.id, await iccidOf(db, b.id)]]);
    const iccid = (orderId: string): string => iccids.get(orderId) ?? '';
    const provisioning = new MockProvisioning(path.join(dataDir, 'sandbox-provisioning.db'));
    try {
      // A: handed over; the provisioning system makes the change, and the BFF dies before hearing so.
      expect(await handOver(a, cards[0] as MockCard)).toEqual({ outcome: 'handed_over', reasons: [] });
      await until(() => provisioning.history(iccid(a.id)).changes.length > 0, SLOW_PROVISIONING_MS, 'the change for A');
      // B: handed over; the BFF dies before the provisioning system has made the change.
      expect(await handOver(b, cards[1] as MockCard)).toEqual({ outcome: 'handed_over', reasons: [] });
      await kill(first);

      expect(provisioning.history(iccid(a.id)).changes).toEqual(['activate']);
      expect(provisioning.history(iccid(b.id)).changes).toEqual([]);
      for (const order of [a, b]) {
        expect((await db.getOrder(order.id))?.state).toBe('shipped');
        expect((await row(db, sql`SELECT status FROM provisioning_jobs WHERE order_id = ${order.id}`))).toEqual({ status: 'pending' });
      }

      const second = await spawnBff({ ...base(), PROVISIONING_MOCK_LATENCY_MS: '50', PROVISIONING_MOCK_FAILURE_RATE: '0' });
      running.push(second);
      for (const order of [a, b]) {
        await waitForState(second.api, order, 'activated', CLAIM_SECONDS * 1000 + 30_000);
        const history = provisioning.history(iccid(order.id));
        expect(history.changes).toEqual(['activate']);
        expect(new Set(history.keys).size).toBe(1);
        expect((await db.transitionsOf(order.id)).filter((x) => x.to_state === 'activated')).toHaveLength(1);
      }
      expect(second.log()).toContain(`order ${a.id} activated`);
      expect(second.log()).toContain(`order ${b.id} activated`);
      // What both processes logged names orders, never the people in them.
      for (const log of [first.log(), second.log()]) {
        for (const w of who) {
          expect(log).not.toContain(w.idNumber);
          expect(log).not.toContain(w.name);
        }
      }
      await kill(second);
    } finally {
      provisioning.close();
      await db.close();
    }
  });
});
