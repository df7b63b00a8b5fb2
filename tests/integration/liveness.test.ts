import { databaseEnv, checksCase, engineNeutralCase } from '../support/env.js';
import { scanDatabase, scanFolder } from '../support/scan.js';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, LivenessAction, OrderView } from '@shared';
import { loadConfig } from '../../bff/src/config.js';
import { type VisionEngine, VisionEngineBusyError, createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { type MockCard, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { type RunningServer, start } from '../../bff/src/server.js';
import { ApiClient } from '../support/api.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, performFrames } from '../support/liveFrames.js';
import { reencoded, withoutOnsets } from '../support/motion/attacks.js';
import { testEnv } from '../support/testServer.js';

let dir: string;
let engine: VisionEngine;
let server: RunningServer;
let api: ApiClient;
let clock = Date.now();
let card: MockCard;

/** Set, the engine refuses the next live check's frames as a full queue does (VisionEngineBusyError, a 503). */
let refuseNextSequence = false;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sim-liveness-'));
  const real = createVisionEngine({ threads: 1, maxQueue: 16 });
  engine = {
    ...real,
    readSequence(frames, still) {
      if (!refuseNextSequence) return real.readSequence(frames, still);
      refuseNextSequence = false;
      return Promise.reject(new VisionEngineBusyError());
    },
  };
  // Synthetic motion turns and nods a photo convincingly; mouth and blink are not made (see tests/support/motion).
  server = await start(
    loadConfig({ ...testEnv(dir), ...(await databaseEnv()) }),
    { engine, now: () => clock },
  );
  api = new ApiClient(server.url);
  const who = SANDBOX_IDENTITIES[0];
  card = await generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'liveness' });
});

afterAll(async () => {
  await server.stop();
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

/** An order with the card holder's photos uploaded, ready for the live check. */
async function readyOrder(): Promise<{ id: string; token: string }> {
  const order = await api.newOrder();
  for (const kind of ['portrait', 'emblem', 'handheld'] as const) {
    const res = await api.upload(order.id, order.token, kind, card.images[kind]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  return order;
}

async function challenge(order: { id: string; token: string }) {
  const res = await api.startLiveness(order.id, order.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const reversed = (actions: LivenessAction[]): LivenessAction[] => [...actions].reverse();

describe('the live check, followed by the card holder', () => {
  it('passes, keeps one encrypted frame, and lets the order be submitted and approved', async () => {
    const order = await readyOrder();
    const asked = await challenge(order);
    expect(asked.actions).toHaveLength(2);
    expect([...asked.actions].sort()).toEqual(['turn_left', 'turn_right']);
    expect(Date.parse(asked.expiresAt) - clock).toBe(90_000);

    const verdict = await api.sendFrames(order.id, order.token, asked.challengeId, await performFrames(POSES.sheldon, asked));
    expect(verdict.status).toBe(200);
    expect(verdict.body).toMatchObject({ outcome: 'passed', reasons: [], order: { liveness: 'passed' } });

    // The frame kept is sealed like every photo: no JPEG anywhere under the data folder.
    expect((await scanFolder(path.join(dir, 'data'), [])).found).toEqual([]);
    expect((await scanDatabase(server.db, [])).found).toEqual([]);

    expect((await api.submit(order.id, order.token)).status).toBe(202);
    await server.orders.settled(order.id);
    const decided = (await api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body;
    expect(decided.decision).toMatchObject({ outcome: 'approved' });
    const checks = JSON.parse((await server.db.getOrder(order.id))?.checks ?? '[]') as { check: string; outcome: string; score?: number }[];
    const liveness = checks.find((c) => c.check === 'liveness');
    expect(liveness?.outcome).toBe('pass');
    expect(liveness?.score).toBeLessThan(0.48);
  });
});

describe('the live check refuses', () => {
  checksCase('a still photo held to the camera', async () => {
    const order = await readyOrder();
    const asked = await challenge(order);
    const still = await performFrames(POSES.sheldon, { ...asked, actions: [] });
    const verdict = await api.sendFrames(order.id, order.token, asked.challengeId, still);
    expect(verdict.body).toMatchObject({ outcome: 'failed', reasons: ['liveness_action_missing'], order: { liveness: 'missing' } });
    expect((await api.submit(order.id, order.token)).status).toBe(409);
  });

  checksCase('a slideshow of stills shown in the order asked', async () => {
    const order = await readyOrder();
    const asked = await challenge(order);
    const verdict = await api.sendFrames(order.id, order.token, asked.challengeId, await performFrames(POSES.sheldon, asked, { stills: true }));
    expect(verdict.body).toMatchObject({ outcome: 'failed', reasons: ['liveness_motion_broken'] });
  });

  checksCase('frames sent sparsely, or without the ones between poses', async () => {
    const order = await readyOrder();
    const first = await challenge(order);
    // Every fifth frame: further apart than a page takes them (of a take long enough to leave the
    // fewest frames an answer may have).
    const filmed = await performFrames(POSES.sheldon, first, { rest: 1200 });
    const sparse = { frames: filmed.frames.filter((_, i) => i % 5 === 0), timeline: filmed.timeline.filter((_, i) => i % 5 === 0) };
    expect((await api.sendFrames(order.id, order.token, first.challengeId, sparse)).body).toMatchObject({ outcome: 'failed', reasons: ['liveness_motion_broken'] });
    // The same, re-timed to look dense.
    const second = await challenge(order);
    const injected = withoutOnsets(await performFrames(POSES.sheldon, second));
    expect((await api.sendFrames(order.id, order.token, second.challengeId, injected)).body).toMatchObject({ outcome: 'failed', reasons: ['liveness_motion_broken'] });
  });

  checksCase('frames recorded for another challenge (the actions in another order)', async () => {
    const order = await readyOrder();
    const asked = await challenge(order);
    const verdict = await api.sendFrames(order.id, order.token, asked.challengeId, await performFrames(POSES.sheldon, { ...asked, actions: reversed(asked.actions) }));
    expect(verdict.body).toMatchObject({ outcome: 'failed', reasons: ['liveness_action_missing'] });
  });

  it('a replay of frames that passed before, as sent or re-encoded', async () => {
    const order = await readyOrder();
    const first = await challenge(order);
    const filmed = await performFrames(POSES.sheldon, first);
    expect((await api.sendFrames(order.id, order.token, first.challengeId, filmed)).body.outcome).toBe('passed');

    // The same bytes, whatever the new challenge asks: refused before anything else is looked at.
    const again = await challenge(order);
    const verdict = await api.sendFrames(order.id, order.token, again.challengeId, filmed);
    expect(verdict.body).toMatchObject({ outcome: 'failed', reasons: ['liveness_replay'] });
    // The earlier pass still counts; the replay changed nothing.
    expect(verdict.body.order.liveness).toBe('passed');

    // Re-encoded and resized: other bytes, the same pictures.
    const third = await challenge(order);
    const reencodedReplay = await api.sendFrames(order.id, order.token, third.challengeId, await reencoded(filmed));
    expect(reencodedReplay.body).toMatchObject({ outcome: 'failed', reasons: ['liveness_replay'] });

    // A new take by the same person is not a replay.
    const fourth = await challenge(order);
    expect((await api.sendFrames(order.id, order.token, fourth.challengeId, await performFrames(POSES.sheldon, fourth))).body.outcome).toBe('passed');
  });

  checksCase('another person following the challenge', async () => {
    const order = await readyOrder();
    const asked = await challenge(order);
    const verdict = await api.sendFrames(order.id, order.token, asked.challengeId, await performFrames(POSES.amy, asked));
    expect(verdict.body).toMatchObject({ outcome: 'failed', reasons: ['liveness_not_card_holder'] });
  });

  checksCase('a face that changes during the check', async () => {
    const order = await readyOrder();
    const asked = await challenge(order);
    // The card holder looks at the camera for the colours; someone else performs the actions.
    // Both filmed with the same timing: the frames line up, only the person differs.
    const holder = await performFrames(POSES.sheldon, asked, { seed: 'swap' });
    const other = await performFrames(POSES.amy, asked, { seed: 'swap' });
    const cut = holder.timeline.findIndex((f, i) => i > 0 && f.colour === null && holder.timeline[i - 1]?.colour !== null);
    const swapped = { frames: [...holder.frames.slice(0, cut), ...other.frames.slice(cut)], timeline: holder.timeline };
    const verdict = await api.sendFrames(order.id, order.token, asked.challengeId, swapped);
    expect(verdict.body).toMatchObject({ outcome: 'failed', reasons: ['liveness_face_changed'] });
  });

  checksCase('frames without a face', async () => {
    const order = await readyOrder();
    const asked = await challenge(order);
    const filmed = await performFrames(POSES.sheldon, asked);
    const empty = await Promise.all(filmed.frames.map((_, i) =>
      sharp({ create: { width: 480, height: 360, channels: 3, background: { r: 90 + (i % 50), g: 90, b: 90 } } }).jpeg().toBuffer()));
    const verdict = await api.sendFrames(order.id, order.token, asked.challengeId, { frames: empty, timeline: filmed.timeline });
    expect(verdict.body).toMatchObject({ outcome: 'failed', reasons: ['liveness_no_face'] });
  });
});

describe('challenges', () => {
  it('are answered once', async () => {
    const order = await readyOrder();
    const asked = await challenge(order);
    expect((await api.sendFrames(order.id, order.token, asked.challengeId, await performFrames(POSES.sheldon, asked))).body.outcome).toBe('passed');
    const twice = await api.sendFrames(order.id, order.token, asked.challengeId, await performFrames(POSES.sheldon, asked));
    expect(twice.status).toBe(409);
    expect((twice.body as unknown as ErrorBody).error.code).toBe('liveness_challenge_used');
  });

  engineNeutralCase('expire', async () => {
    const order = await readyOrder();
    const asked = await challenge(order);
    clock += 91_000;
    const late = await api.sendFrames(order.id, order.token, asked.challengeId, await performFrames(POSES.sheldon, asked));
    expect(late.status).toBe(410);
    expect((late.body as unknown as ErrorBody).error.code).toBe('liveness_challenge_expired');
  });

  it('are limited per order', async () => {
    const order = await readyOrder();
    const left = [];
    for (let i = 0; i < 5; i += 1) left.push((await challenge(order)).attemptsLeft);
    expect(left).toEqual([4, 3, 2, 1, 0]);
    const sixth = await api.startLiveness(order.id, order.token);
    expect(sixth.status).toBe(429);
    expect((sixth.body as unknown as ErrorBody).error.code).toBe('liveness_attempts_exhausted');
  });

  engineNeutralCase('are not spent by a malformed answer: too few frames, or a file that is not an image', async () => {
    const order = await readyOrder();
    const asked = await challenge(order);
    const filmed = await performFrames(POSES.sheldon, asked);
    const few = await api.sendFrames(order.id, order.token, asked.challengeId, { frames: filmed.frames.slice(0, 2), timeline: filmed.timeline.slice(0, 2) });
    expect([few.status, (few.body as unknown as ErrorBody).error.code]).toEqual([400, 'liveness_frames_invalid']);
    const noTimeline = await api.sendFrames(order.id, order.token, asked.challengeId, { frames: filmed.frames, timeline: 'soon' });
    expect([noTimeline.status, (noTimeline.body as unknown as ErrorBody).error.code]).toEqual([400, 'liveness_frames_invalid']);
    const short = await api.sendFrames(order.id, order.token, asked.challengeId, { frames: filmed.frames, timeline: filmed.timeline.slice(1) });
    expect([short.status, (short.body as unknown as ErrorBody).error.code]).toEqual([400, 'liveness_frames_invalid']);
    const text = await api.sendFrames(order.id, order.token, asked.challengeId, { frames: [...filmed.frames.slice(0, -1), Buffer.from('not an image at all')], timeline: filmed.timeline });
    expect([text.status, (text.body as unknown as ErrorBody).error.code]).toEqual([415, 'upload_not_image']);
    expect((await api.sendFrames(order.id, order.token, asked.challengeId, filmed)).body.outcome).toBe('passed');
  });

  engineNeutralCase('belong to their order: another order cannot answer one, and a stranger learns nothing', async () => {
    const mine = await readyOrder();
    const theirs = await readyOrder();
    const asked = await challenge(theirs);
    const frames = await performFrames(POSES.sheldon, asked);
    const res = await api.sendFrames(mine.id, mine.token, asked.challengeId, frames);
    expect([res.status, (res.body as unknown as ErrorBody).error.code]).toEqual([404, 'not_found']);
    const stranger = await api.sendFrames(theirs.id, 'not-the-token', asked.challengeId, frames);
    expect(stranger.status).toBe(404);
    expect((await api.sendFrames(theirs.id, theirs.token, asked.challengeId, frames)).body.outcome).toBe('passed');
  });

  it('are not spent by an answer the server was too busy to read: the same take is sent again and judged', async () => {
    const order = await api.newOrder();
    expect((await api.upload(order.id, order.token, 'portrait', card.images.portrait)).status).toBe(200);
    const asked = await challenge(order);
    const filmed = await performFrames(POSES.sheldon, asked);
    refuseNextSequence = true;
    const busy = await api.sendFrames(order.id, order.token, asked.challengeId, filmed);
    expect([busy.status, (busy.body as unknown as ErrorBody).error.code]).toEqual([503, 'overloaded']);
    // Its frames were not kept as a replay, and no attempt was used.
    const again = await api.sendFrames(order.id, order.token, asked.challengeId, filmed);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'passed', attemptsLeft: 4 });
  });

  it('need the card portrait first, to compare the live face with', async () => {
    const order = await api.newOrder();
    const res = await api.startLiveness(order.id, order.token);
    expect([res.status, (res.body as unknown as ErrorBody).error.code]).toEqual([409, 'evidence_missing']);
  });
});

describe('retention', () => {
  it('deletes the kept frame with the rest of an abandoned draft', async () => {
    const order = await readyOrder();
    const asked = await challenge(order);
    const verdict = await api.sendFrames(order.id, order.token, asked.challengeId, await performFrames(POSES.sheldon, asked));
    expect(verdict.body.outcome, JSON.stringify(verdict.body.reasons)).toBe('passed');
    const kept = (await server.db.currentLiveness(order.id))?.object_id;
    expect(kept).toBeTruthy();
    clock += 31 * 60_000;
    await server.orders.expireDrafts();
    expect(await server.db.currentLiveness(order.id)).toBeUndefined();
    const files = await readdir(path.join(dir, 'data', 'evidence'), { recursive: true });
    expect(files.some((f) => String(f).includes(kept ?? '?'))).toBe(false);
  });
});
