import { sql } from 'kysely';
import { row } from '../support/db.js';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, CreatedOrder, Hold, Readiness } from '@shared';
import { type VisionEngine, createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { DEMO_AGENT } from '../../bff/src/services/channelService.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES } from '../support/liveFrames.js';
import { startTestServer, testEnv } from '../support/testServer.js';
import { admission, approveAgent, creditCode, legalRepIdNumber } from '../support/agents.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DAY = 86_400_000;

let engine: VisionEngine;
beforeAll(() => {
  engine = createVisionEngine({ threads: 1, maxQueue: 8 });
});
afterAll(async () => {
  await engine.close();
});

describe('a background job that fails', () => {
  it('leaves the process up, and is logged by its kind and code only', async () => {
    const env = { ...process.env, ...testEnv(path.join(ROOT, 'tests/.output', `forgotten-${process.pid}`)), LOG_LEVEL: 'info' };
    const server = spawn(process.execPath, ['--import', 'tsx', '--import', './tests/security/fixtures/forgottenRejection.ts', 'bff/src/server.ts'], { cwd: ROOT, env });
    let log = '';
    let exited: number | null = null;
    server.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    server.once('exit', (code) => {
      exited = code ?? -1;
    });
    try {
      await expect.poll(() => exited ?? log, { timeout: 60_000 }).toMatch(/unhandled rejection: SqliteError SQLITE_BUSY/);
      const port = /listening on http:\/\/[^:]+:(\d+)/.exec(log)?.[1];
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
      expect(exited).toBeNull();
      expect(log).not.toContain('张伟');
    } finally {
      server.kill('SIGTERM');
    }
  });
});

describe('readiness', () => {
  it('is ready with a writable database, room on disk and a vision thread answering; not while the database is locked', async () => {
    const t = await startTestServer({}, { engine });
    try {
      const ready = await t.api.get<Readiness>('/api/health/ready');
      expect(ready).toEqual({ status: 200, body: { status: 'ready', checks: { database: { ok: true }, disk: { ok: true }, vision: { ok: true } } } });
      // Another process holds the database's write lock longer than a request waits.
      const other = new Database(path.join(t.dataDir, 'orders.db'));
      other.exec('BEGIN IMMEDIATE');
      try {
        const locked = await t.api.get<Readiness>('/api/health/ready');
        expect(locked.status).toBe(503);
        expect(locked.body.checks.database).toEqual({ ok: false, detail: 'SqliteError SQLITE_BUSY' });
        expect((await t.api.get('/api/health')).status).toBe(200);
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
    } finally {
      await t.stop();
    }
  });

  it('is not ready when the disk is short of room, or no vision thread answers', async () => {
    const full = await startTestServer({ READY_MIN_FREE_MB: '10000000' }, { engine });
    const dead = createVisionEngine({ threads: 1, maxQueue: 8 });
    const blind = await startTestServer({}, { engine: dead });
    try {
      const disk = await full.api.get<Readiness>('/api/health/ready');
      expect(disk.status).toBe(503);
      expect(disk.body.checks.disk.ok).toBe(false);
      await dead.close();
      const vision = await blind.api.get<Readiness>('/api/health/ready');
      expect(vision.status).toBe(503);
      expect(vision.body.checks).toMatchObject({ vision: { ok: false }, database: { ok: true } });
    } finally {
      await full.stop();
      await blind.stop();
    }
  });
});

describe('a vision task', () => {
  it('that runs past its time is answered with a 503, and the thread answers again after it (ended only if it never finishes)', async () => {
    const slow = createVisionEngine({ threads: 1, maxQueue: 8, taskTimeoutMs: 50 });
    const t = await startTestServer({}, { engine: slow });
    try {
      const card = await generateMockCard({ face: await facePhoto(POSES.penny.neutral), name: '张伟', idNumber: '110105198803120313', seed: 'timeout' });
      const order = await t.api.newOrder();
      // The thread has its models: the task overruns while it runs, not while it waits.
      expect(await slow.ping(120_000)).toBe(true);
      const res = await t.api.upload(order.id, order.token, 'portrait', card.images.portrait);
      expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([503, 'overloaded']);
      await expect.poll(async () => (await slow.ping(60_000)), { timeout: 120_000 }).toBe(true);
    } finally {
      await t.stop();
      await slow.close();
    }
  });
});

describe('what is kept only for a while', () => {
  it('drops frame digests and delivered webhook notices once their time is over, and keeps the rest', async () => {
    const t = await startTestServer({ FRAME_DIGEST_DAYS: '30', WEBHOOK_LOG_DAYS: '30' }, { engine });
    try {
      const { db } = t.server.db;
      const now = Date.now();
      await db.insertInto('liveness_frame_digests').values([{ digest: 'old', challenge_id: 'c', created_at: now - 31 * DAY }, { digest: 'new', challenge_id: 'c', created_at: now - DAY }]).execute();
      const channel = await db.selectFrom('channels').select('id').where('agent_number', '=', DEMO_AGENT.agentNumber).executeTakeFirstOrThrow();
      const order = await t.api.newOrder();
      const notice = (id: string, status: 'delivered' | 'failed', at: number, deliveredAt: number | null) => ({
        id, channel_id: channel.id, order_id: order.id, event: 'order.draft', body: '{}', status, attempts: 1, next_at: 0, created_at: at,
        delivered_at: deliveredAt, last_status: null, last_error: null, claimed_until: null,
      });
      await db.insertInto('webhook_deliveries').values([
        notice('delivered-old', 'delivered', now - 40 * DAY, now - 40 * DAY),
        notice('delivered-new', 'delivered', now - DAY, now - DAY),
        notice('failed-old', 'failed', now - 40 * DAY, null),
      ]).execute();
      await t.server.sweep();
      expect(await db.selectFrom('liveness_frame_digests').select('digest').orderBy('digest').execute()).toEqual([{ digest: 'new' }]);
      expect(await db.selectFrom('webhook_deliveries').select('id').where('id', 'in', ['delivered-old', 'delivered-new', 'failed-old']).orderBy('id').execute())
        .toEqual([{ id: 'delivered-new' }, { id: 'failed-old' }]);
    } finally {
      await t.stop();
    }
  });
});

describe('webhook notices', () => {
  it('go to each agent side by side: one storefront that does not answer delays no other', async () => {
    const t = await startTestServer({}, { engine });
    const hanging = createServer(() => undefined);
    const received: string[] = [];
    const quick = createServer((req, res) => {
      received.push(String(req.headers['x-sim-delivery']));
      res.end('ok');
    });
    await Promise.all([hanging, quick].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
    const urlOf = (s: typeof quick): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;
    try {
      const operatorToken = (await readFile(path.join(t.dataDir, 'operator.token'), 'utf8')).trim();
      const agent = async (n: number, webhookUrl: string): Promise<Channel & { session: string }> => {
        const { body } = await t.api.post<{ channel: Channel; apiKey: string }>('/api/operator/channels', {
          agentNumber: `AG-HOOK-000${n}`, name: '测试代理商', licenceNumber: creditCode(900 + n), scope: ['sim_sale'], origins: ['https://shop.example'], webhookUrl,
          admission: admission(legalRepIdNumber(900 + n)),
        }, operatorToken);
        await approveAgent(t.server, t, body.channel.id);
        return { ...body.channel, session: await t.api.agentSession(body.apiKey, 'https://shop.example') };
      };
      const slowAgent = await agent(1, urlOf(hanging));
      const quickAgent = await agent(2, urlOf(quick));
      const orderThrough = async (agentSession: string): Promise<void> => {
        const { body } = await t.api.get<{ numbers: { msisdn: string }[] }>('/api/numbers?limit=1');
        const hold = await t.api.post<Hold>('/api/holds', { msisdn: body.numbers[0]?.msisdn });
        await t.api.post<CreatedOrder>('/api/orders', { holdId: hold.body.holdId, holdToken: hold.body.holdToken, deliveryPath: 'courier_verified', agentSession });
      };
      // The hanging storefront's notice is queued first.
      await orderThrough(slowAgent.session);
      await orderThrough(quickAgent.session);
      await expect.poll(() => received.length, { timeout: 20_000 }).toBe(1);
      // When the quick one has its notice, the hanging one's first try is still waiting for an answer.
      const slowTries = (await row(t.server.db, sql`SELECT attempts FROM webhook_deliveries WHERE channel_id = ${slowAgent.id}`)) as { attempts: number };
      expect(slowTries.attempts).toBe(0);
    } finally {
      hanging.closeAllConnections();
      quick.closeAllConnections();
      hanging.close();
      quick.close();
      await t.stop();
    }
  });
});
