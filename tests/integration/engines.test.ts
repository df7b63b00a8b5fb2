import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderView } from '@shared';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { onPostgres } from '../support/env.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES } from '../support/liveFrames.js';
import { type S3Store, startS3 } from '../support/s3.js';
import { scanBucket, scanDatabase, scanFolder } from '../support/scan.js';
import { type TestServer, readyOrder, startTestServer, waitForState } from '../support/testServer.js';

let s3: S3Store;
let t: TestServer;

beforeAll(async () => {
  s3 = await startS3();
  t = await startTestServer(s3.env);
});

afterAll(async () => {
  await t?.stop();
  await s3?.stop();
});

describe(`evidence in an S3-compatible bucket, orders in ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('runs a whole purchase with every photo and frame in the bucket, sealed: nothing in clear in the bucket or the database', async () => {
    const who = SANDBOX_IDENTITIES.find((s) => s.outcome === 'match' && !s.portrait && !s.existingCards);
    const card = await generateMockCard({ face: await facePhoto(POSES.penny.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'engines' });
    const order = await readyOrder(t.api, card, POSES.penny);
    expect((await t.api.submit(order.id, order.token)).status).toBe(202);
    const shipped = await waitForState(t.api, order, 'shipped', 60_000);
    expect(shipped.identity?.portrait.idNumber).toBe(who?.idNumber);

    // Three photos and the live check's frame, in the bucket under the prefix; none on local disk.
    const texts = [who?.name ?? '', who?.idNumber ?? ''];
    const bucket = await scanBucket(s3.env, s3.bucket, texts);
    expect(bucket.objects).toBeGreaterThanOrEqual(4);
    expect(bucket.found).toEqual([]);
    expect(await readdir(path.join(t.dataDir, 'evidence')).catch(() => [])).toEqual([]);
    expect((await scanFolder(t.dataDir, texts)).found).toEqual([]);
    const database = await scanDatabase(t.server.db, texts);
    expect(database.values).toBeGreaterThan(50);
    expect(database.found).toEqual([]);

    // The readiness check asks the bucket too.
    const ready = await t.api.json<{ status: string; checks: Record<string, { ok: boolean }> }>('/api/health/ready');
    expect(ready.body.checks.storage).toEqual({ ok: true });
    const view = (await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body;
    expect(view.state).toBe('shipped');
  });

  it('answers not ready when the bucket does not answer', async () => {
    await s3.stop();
    const ready = await t.api.json<{ status: string; checks: Record<string, { ok: boolean }> }>('/api/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.storage?.ok).toBe(false);
  });
});
