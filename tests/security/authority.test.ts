import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeIdNumber } from '@shared';
import type { AuthorityPort, AuthorityQuery, AuthorityResult } from '../../bff/src/providers/authority/authority.port.js';
import { MockAuthority } from '../../bff/src/providers/authority/mock.authority.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES } from '../support/liveFrames.js';
import { type TestServer, readyOrder, startTestServer, waitForState } from '../support/testServer.js';

/** The sandbox's national ID service, counting what it is asked (each call costs the operator). */
class CountingAuthority implements AuthorityPort {
  readonly asked: string[] = [];
  readonly #inner = new MockAuthority({ latencyMs: [5, 10] });

  verifyIdentity(query: AuthorityQuery, signal?: AbortSignal): Promise<AuthorityResult> {
    this.asked.push(query.idNumber);
    return this.#inner.verifyIdentity(query, signal);
  }
}

const authority = new CountingAuthority();
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({}, { authority });
});

afterAll(async () => {
  await t.stop();
});

describe('the national ID service', () => {
  it('is not asked about a card the local checks refuse (someone else\'s card in the buyer\'s hand)', async () => {
    const who = SANDBOX_IDENTITIES.find((s) => s.name === '刘洋');
    // The card carries Penny's portrait; Amy holds it in the hand-held photo; Penny does the live check.
    const card = await generateMockCard({
      face: await facePhoto(POSES.amy.neutral), cardFace: await facePhoto(POSES.penny.neutral), name: who?.name ?? '', idNumber: who?.idNumber ?? '', seed: 'authority-local',
    });
    const order = await readyOrder(t.api, card, POSES.penny);
    expect((await t.api.submit(order.id, order.token)).status).toBe(202);
    const decided = await waitForState(t.api, order, 'rejected');
    expect(decided.decision?.reasons).toContain('face_mismatch');
    expect(authority.asked).not.toContain(who?.idNumber);
  });

  it('refuses with one generic reason the buyer sees, and keeps its exact answer for reviewers', async () => {
    // A number with no national record (no sandbox identity has it), on a card that passes every local check.
    const idNumber = composeIdNumber('110105', { year: 1990, month: 2, day: 3 }, '117');
    const card = await generateMockCard({ face: await facePhoto(POSES.penny.neutral), name: '周小芳', idNumber, seed: 'authority-generic' });
    const order = await readyOrder(t.api, card, POSES.penny);
    expect((await t.api.submit(order.id, order.token)).status).toBe(202);
    const decided = await waitForState(t.api, order, 'rejected');
    expect(authority.asked).toContain(idNumber);
    expect(decided.decision?.reasons).toEqual(['authority_refused']);
    expect(JSON.stringify(decided)).not.toMatch(/authority_(no_record|mismatch|portrait_mismatch)/);
    const stored = await t.server.db.getOrder(order.id);
    expect(JSON.parse(stored?.checks ?? '[]')).toContainEqual(expect.objectContaining({ check: 'authority', reasons: ['authority_no_record'] }));
  });
});
