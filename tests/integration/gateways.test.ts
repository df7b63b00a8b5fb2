import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKeyring } from '../../bff/src/crypto/keyring.js';
import { signWebhook } from '../../bff/src/crypto/webhookSignature.js';
import { KmsKeySource } from '../../bff/src/providers/keys/kms.keys.js';
import { HttpLogistics } from '../../bff/src/providers/logistics/http.logistics.js';
import { ProvisioningError } from '../../bff/src/providers/provisioning/provisioning.port.js';
import { HttpProvisioning } from '../../bff/src/providers/provisioning/http.provisioning.js';
import { randomSimStock } from '../../bff/src/domain/numberPool.js';
import { type FakeVendor, fakeCarrierGateway, fakeProvisioningGateway } from '../support/fakeVendors.js';

const [card, other] = randomSimStock(2);
const ICCID = card?.iccid ?? '';
const OTHER = other?.iccid ?? '';

describe('the provisioning gateway (production)', () => {
  let gateway: FakeVendor & { changes: string[] };
  beforeAll(async () => {
    gateway = await fakeProvisioningGateway('bss-token');
  });
  afterAll(async () => {
    await gateway.close();
  });
  const adapter = (token = 'bss-token', timeoutMs = 2000) => new HttpProvisioning({ url: gateway.url, token, timeoutMs });

  it('activates once per idempotency key, answering a repeat as the first time', async () => {
    const first = await adapter().activate({ iccid: ICCID, msisdn: '17012345678', idempotencyKey: 'key-1' });
    const again = await adapter().activate({ iccid: ICCID, msisdn: '17012345678', idempotencyKey: 'key-1' });
    expect(first).toMatchObject({ iccid: ICCID, msisdn: '17012345678', status: 'active' });
    expect(again).toEqual(first);
    expect(gateway.changes).toEqual([`activate ${ICCID}`]);
    expect(await adapter().status(ICCID)).toEqual({ iccid: ICCID, msisdn: '17012345678', status: 'active' });
  });

  it('maps a refusal to its code, which is not tried again; a wrong token or no answer is', async () => {
    const conflict = adapter().activate({ iccid: OTHER, msisdn: '17012345678', idempotencyKey: 'key-2' });
    await expect(conflict).rejects.toMatchObject({ code: 'number_conflict', retryable: false });
    await expect(adapter('wrong-token').activate({ iccid: OTHER, msisdn: '17087654321', idempotencyKey: 'key-3' })).rejects.toBeInstanceOf(ProvisioningError);
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const slow = new HttpProvisioning({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, token: undefined, timeoutMs: 200 });
      await expect(slow.activate({ iccid: OTHER, msisdn: '17087654321', idempotencyKey: 'key-4' })).rejects.toMatchObject({ code: 'timeout', retryable: true });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('the carrier gateway (production)', () => {
  let carrier: FakeVendor;
  beforeAll(async () => {
    carrier = await fakeCarrierGateway('carrier-token');
  });
  afterAll(async () => {
    await carrier.close();
  });

  it('books one shipment per order, and reads only the events signed with the shared secret', async () => {
    const logistics = new HttpLogistics({ url: carrier.url, token: 'carrier-token', webhookSecret: 'carrier-signing-secret-0001' });
    const booked = await logistics.book({ orderId: 'order-1', deliveryPath: 'courier_verified' });
    expect(await logistics.book({ orderId: 'order-1', deliveryPath: 'courier_verified' })).toEqual(booked);
    expect(booked.carrier).toBe('SF');
    const body = Buffer.from(JSON.stringify({ trackingNumber: booked.trackingNumber, event: 'out_for_delivery' }));
    const now = Date.now();
    expect(logistics.readEvent(body, signWebhook('carrier-signing-secret-0001', body, Math.floor(now / 1000)), now)).toEqual({ trackingNumber: booked.trackingNumber, event: 'out_for_delivery' });
    expect(() => logistics.readEvent(body, signWebhook('another-secret-entirely', body, Math.floor(now / 1000)), now)).toThrow(/not signed/);
    await expect(new HttpLogistics({ url: carrier.url, token: 'wrong', webhookSecret: 'x'.repeat(16) }).book({ orderId: 'o', deliveryPath: 'unactivated' }))
      .rejects.toMatchObject({ code: 'unavailable' });
  });
});

/** A KMS speaking Vault's transit interface: it wraps with a key the caller never sees. */
function fakeTransit(token: string): Promise<{ url: string; calls: string[]; close: () => Promise<void> }> {
  const key = 'the-kms-own-key';
  const calls: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const reply = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      };
      if (req.headers['x-vault-token'] !== token) return reply(403, { errors: ['permission denied'] });
      const input = JSON.parse(body) as { plaintext?: string; ciphertext?: string };
      calls.push(req.url ?? '');
      if (req.url?.startsWith('/v1/transit/encrypt/keyring')) {
        return reply(200, { data: { ciphertext: `vault:v1:${Buffer.from(`${key}|${input.plaintext}`).toString('base64')}` } });
      }
      if (req.url?.startsWith('/v1/transit/decrypt/keyring')) {
        const opened = Buffer.from((input.ciphertext ?? '').replace('vault:v1:', ''), 'base64').toString();
        if (!opened.startsWith(`${key}|`)) return reply(400, { errors: ['invalid ciphertext'] });
        return reply(200, { data: { plaintext: opened.slice(key.length + 1) } });
      }
      return reply(404, { errors: ['no handler'] });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, close: () => new Promise((done) => server.close(() => done())),
  })));
}

describe('keys wrapped by a KMS', () => {
  it('store the keyring only wrapped, and open it with the KMS\'s help only', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kms-'));
    const kms = await fakeTransit('vault-token');
    try {
      const file = path.join(dir, 'keys.json');
      const source = new KmsKeySource(file, { url: kms.url, keyName: 'keyring', token: 'vault-token', create: false });
      await expect(source.load()).rejects.toThrow(/rotate-key -- --init/);
      const data = newKeyring();
      await source.save(data);
      const stored = await readFile(file, 'utf8');
      expect(stored).not.toContain(data.digestRoot);
      expect(JSON.parse(stored)).toMatchObject({ kms: 'transit', key: 'keyring' });
      expect(await source.load()).toEqual(data);
      await expect(new KmsKeySource(file, { url: kms.url, keyName: 'keyring', token: 'stolen', create: false }).load()).rejects.toThrow(/refused to decrypt/);
      expect(kms.calls).toEqual(['/v1/transit/encrypt/keyring', '/v1/transit/decrypt/keyring']);
    } finally {
      await kms.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
