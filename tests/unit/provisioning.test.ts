import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockProvisioning } from '../../bff/src/providers/provisioning/mock.provisioning.js';
import { ProvisioningError } from '../../bff/src/providers/provisioning/provisioning.port.js';
import { signWebhook, verifyWebhook } from '../../bff/src/crypto/webhookSignature.js';
import { randomSimStock } from '../../bff/src/domain/numberPool.js';

const [ICCID = '', OTHER = ''] = randomSimStock(2).map((card) => card.iccid);
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'provisioning-'));
  file = path.join(dir, 'p.db');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const codeOf = (promise: Promise<unknown>): Promise<string> => promise.then(() => 'ok', (e: unknown) => (e instanceof ProvisioningError ? e.code : String(e)));

describe('the provisioning stand-in', () => {
  it('answers a repeated idempotency key as the first time, without a second change, even after a restart', async () => {
    const p = new MockProvisioning(file, { latencyMs: 0 });
    const first = await p.activate({ iccid: ICCID, msisdn: '17012345678', idempotencyKey: 'k1' });
    p.close();
    const again = new MockProvisioning(file, { latencyMs: 0 });
    expect(await again.activate({ iccid: ICCID, msisdn: '17012345678', idempotencyKey: 'k1' })).toEqual(first);
    expect(again.history(ICCID)).toEqual({ changes: ['activate'], keys: ['k1'] });
    expect(await again.status(ICCID)).toEqual({ iccid: ICCID, msisdn: '17012345678', status: 'active' });
    again.close();
  });

  it('refuses a key reused for another request, an unknown card, and a number bound to another card', async () => {
    const p = new MockProvisioning(file, { latencyMs: 0 });
    await p.activate({ iccid: ICCID, msisdn: '17012345678', idempotencyKey: 'k1' });
    expect(await codeOf(p.activate({ iccid: OTHER, msisdn: '17012345679', idempotencyKey: 'k1' }))).toBe('idempotency_conflict');
    expect(await codeOf(p.activate({ iccid: '89860000000000000000', msisdn: '17012345679', idempotencyKey: 'k2' }))).toBe('iccid_unknown');
    expect(await codeOf(p.activate({ iccid: OTHER, msisdn: '17012345678', idempotencyKey: 'k3' }))).toBe('number_conflict');
    expect(await codeOf(p.suspend({ iccid: OTHER, msisdn: '17012345679', idempotencyKey: 'k4', reason: 'test' }))).toBe('number_conflict');
    expect(p.history(OTHER).changes).toEqual([]);
    p.close();
  });

  it('fails before the change (unavailable) or after it with the answer lost (timeout); the retry with the key finishes it once', async () => {
    const rolls = [0, 1, 0]; // first call: fails before the change; second: makes it, then fails; then no more failures
    const p = new MockProvisioning(file, { latencyMs: 0, failureRate: 1, random: () => rolls.shift() ?? 1 });
    const request = { iccid: ICCID, msisdn: '17012345678', idempotencyKey: 'k1' };
    expect(await codeOf(p.activate(request))).toBe('unavailable');
    expect(p.history(ICCID).changes).toEqual([]);
    expect(await codeOf(p.activate(request))).toBe('timeout');
    expect(p.history(ICCID).changes).toEqual(['activate']);
    expect(await codeOf(p.activate(request))).toBe('ok');
    expect(p.history(ICCID)).toEqual({ changes: ['activate'], keys: ['k1'] });
    expect(new ProvisioningError('timeout', '').retryable && new ProvisioningError('unavailable', '').retryable).toBe(true);
    expect(new ProvisioningError('number_conflict', '').retryable).toBe(false);
    p.close();
  });
});

describe('signed carrier webhooks', () => {
  const body = Buffer.from('{"trackingNumber":"SBX000000000001","event":"returned"}');
  const now = Date.UTC(2026, 10, 24, 8);
  const t = Math.floor(now / 1000);

  it('verifies the body and time it was signed for, and nothing else', () => {
    expect(verifyWebhook('secret-one-for-tests', body, signWebhook('secret-one-for-tests', body, t), now)).toBe(true);
    expect(verifyWebhook('secret-one-for-tests', Buffer.from(body.toString().replace('returned', 'delivered')), signWebhook('secret-one-for-tests', body, t), now)).toBe(false);
    expect(verifyWebhook('secret-two-for-tests', body, signWebhook('secret-one-for-tests', body, t), now)).toBe(false);
    expect(verifyWebhook('secret-one-for-tests', body, signWebhook('secret-one-for-tests', body, t - 301), now)).toBe(false);
    expect(verifyWebhook('secret-one-for-tests', body, signWebhook('secret-one-for-tests', body, t + 301), now)).toBe(false);
    expect(verifyWebhook('secret-one-for-tests', body, undefined, now)).toBe(false);
    expect(verifyWebhook('secret-one-for-tests', body, `t=${t},v1=zz`, now)).toBe(false);
  });
});
