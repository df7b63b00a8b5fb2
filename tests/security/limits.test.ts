import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvailableNumbers, CreatedOrder, ErrorBody, Hold } from '@shared';
import { SANDBOX_COURIERS } from '../../bff/src/sandbox/couriers.js';
import { MAX_UPLOAD_BYTES } from '../../bff/src/http/upload.js';
import { type TestServer, startTestServer } from '../support/testServer.js';

/** Two clients behind the operator's proxy, told apart by the X-Forwarded-For it adds. */
const ABUSER = '203.0.113.7';
const BUYER = '198.51.100.9';

let t: TestServer;

beforeAll(async () => {
  // The default limits, behind a proxy on loopback that names the client.
  t = await startTestServer({
    TRUST_PROXY: 'loopback',
    LIMIT_HOLDS: '10/10m', HOLDS_PER_CLIENT: '3', HOLD_UNCLAIMED_MINUTES: '5', LIMIT_ORDERS: '10/1h', LIMIT_SIGN_IN_FAILURES: '5/15m',
    LIMIT_SUBMISSIONS: '10/1d', LIMIT_DEVICE_SUBMISSIONS: '3/1d', LIMIT_NUMBER_CODES: '6/1h', UPLOAD_MEMORY_MB: '64', UPLOADS_PER_CLIENT: '2', NUMBERS_PER_PREFIX: '40',
  });
});

afterAll(async () => {
  await t.stop();
});

const from = (client: string, token?: string): Record<string, string> => ({
  'content-type': 'application/json', 'x-forwarded-for': client, ...(token ? { authorization: `Bearer ${token}` } : {}),
});
const post = <T>(path: string, body: unknown, client: string, token?: string) =>
  t.api.json<T>(path, { method: 'POST', headers: from(client, token), body: JSON.stringify(body) });
/** An order on `msisdn`: the number held from `holder`, the order made (and consent given) from `client`. */
async function orderOn(msisdn: string, holder: string, client: string, consent = false): Promise<{ status: number; body: CreatedOrder }> {
  const hold = await post<Hold>('/api/holds', { msisdn }, holder);
  const order = await post<CreatedOrder>('/api/orders', { holdId: hold.body.holdId, holdToken: hold.body.holdToken, deliveryPath: 'courier_verified' }, client);
  if (consent) await post(`/api/orders/${order.body.order.id}/consent`, { identity: true, biometric: true, policyVersion: '2026-11' }, client, order.body.orderToken);
  return order;
}

const numbers = async (): Promise<string[]> => (await t.api.get<AvailableNumbers>('/api/numbers?limit=50')).body.numbers.map((n) => n.msisdn)
  .concat((await t.api.get<AvailableNumbers>('/api/numbers?limit=50&prefix=171')).body.numbers.map((n) => n.msisdn));
const codeOf = (body: unknown): string => (body as ErrorBody).error.code;

describe('number holds', () => {
  it('stop at one client\'s cap while another client still holds a number', async () => {
    const available = await numbers();
    const tries = await Promise.all(Array.from({ length: 200 }, (_, i) => post<Hold>('/api/holds', { msisdn: available[i % available.length] }, ABUSER)));
    const held = tries.filter((r) => r.status === 201);
    expect(held.length).toBeLessThanOrEqual(3);
    expect(tries.every((r) => r.status === 201 || r.status === 429 || r.status === 409)).toBe(true);
    expect(tries.filter((r) => r.status === 429).map((r) => codeOf(r.body))).toEqual(expect.arrayContaining(['too_many_holds']));
    const refused = tries.find((r) => r.status === 429);
    expect(refused && Number((await fetch(`${t.server.url}/api/holds`, { method: 'POST', headers: from(ABUSER), body: '{"msisdn":"17000000000"}' })).headers.get('retry-after'))).toBeGreaterThan(0);

    const free = (await numbers()).find((n) => !held.some((h) => h.body.msisdn === n)) ?? '';
    const buyer = await post<Hold>('/api/holds', { msisdn: free }, BUYER);
    expect(buyer.status).toBe(201);
  });

  it('end soon when no order takes them, and the number is offered again', async () => {
    const [msisdn = ''] = await numbers();
    expect((await post<Hold>('/api/holds', { msisdn }, '192.0.2.44')).status).toBe(201);
    expect(await numbers()).not.toContain(msisdn);
    t.advance(6 * 60_000);
    try {
      expect(await numbers()).toContain(msisdn);
    } finally {
      t.advance(-6 * 60_000);
    }
  });
});

describe('a client\'s address', () => {
  it('is read from X-Forwarded-For only when the proxy is trusted', async () => {
    const direct = await startTestServer({ HOLDS_PER_CLIENT: '3', LIMIT_HOLDS: '100/1m' }, { engine: t.engine });
    try {
      const available = (await direct.api.get<AvailableNumbers>('/api/numbers?limit=10')).body.numbers.map((n) => n.msisdn);
      // A client that makes up a new address for each request is still one client.
      const tries = await Promise.all(available.slice(0, 8).map((msisdn, i) =>
        direct.api.json('/api/holds', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.9.8.${i}` }, body: JSON.stringify({ msisdn }) })));
      expect(tries.filter((r) => r.status === 201)).toHaveLength(3);
    } finally {
      await direct.stop();
    }
  });
});

describe('sign-in', () => {
  it('refuses a network that guessed too many courier codes, even with the right one; others sign in', async () => {
    const guesser = '203.0.113.99';
    for (let i = 0; i < 5; i += 1) {
      expect((await t.api.json('/api/courier/me', { headers: from(guesser, `guess-${i}-${randomBytes(12).toString('hex')}`) })).status).toBe(401);
    }
    const blocked = await t.api.json('/api/courier/me', { headers: from(guesser, SANDBOX_COURIERS[0].token) });
    expect([blocked.status, codeOf(blocked.body)]).toEqual([429, 'rate_limited']);
    expect((await t.api.json('/api/courier/me', { headers: from(BUYER, SANDBOX_COURIERS[0].token) })).status).toBe(200);
  });
});

describe('re-registration codes', () => {
  it('stop a network guessing at numbers\' codes, asked for or tried, while another network still gets its code', async () => {
    const guesser = '203.0.113.120';
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await post(`/api/reregister/code`, { msisdn: `1380009${String(i).padStart(4, '0')}` }, guesser));
    for (let i = 0; i < 4; i += 1) answers.push(await post(`/api/reregister/confirm`, { msisdn: '13800090000', code: String(100000 + i) }, guesser));
    expect(answers.slice(0, 4).map((a) => a.status)).toEqual([202, 202, 202, 202]);
    expect(answers.slice(4).map((a) => a.status)).toEqual([400, 400, 429, 429]);
    expect(codeOf(answers.at(-1)?.body)).toBe('rate_limited');
    expect((await post('/api/reregister/code', { msisdn: '13800099999' }, BUYER)).status).toBe(202);
  });
});

describe('orders and submissions', () => {
  it('limit orders per client, with Retry-After', async () => {
    const client = '203.0.113.120';
    const statuses: number[] = [];
    for (const msisdn of (await numbers()).slice(0, 12)) statuses.push((await orderOn(msisdn, `198.18.0.${statuses.length}`, client)).status);
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('limit applications per device a day', async () => {
    const device = randomBytes(16).toString('hex');
    const statuses: number[] = [];
    for (const [i, msisdn] of (await numbers()).slice(0, 5).entries()) {
      const client = `198.18.1.${i}`;
      const order = await orderOn(msisdn, client, client);
      const submit = await t.api.json(`/api/orders/${order.body.order.id}/submit`, {
        method: 'POST', headers: { ...from(client, order.body.orderToken), 'x-device-id': device }, body: JSON.stringify({ confirmed: true }),
      });
      statuses.push(submit.status);
    }
    // Three tries from the device (refused for what is missing), then none today, from any network.
    expect(statuses).toEqual([409, 409, 409, 429, 429]);
  });
});

/** An upload of `bytes` declared by Content-Length, sent as fast as the socket takes it; resolves with the status. */
function bigUpload(orderId: string, token: string, client: string, bytes: number, payload: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const boundary = 'x-boundary-x';
    const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="image"; filename="p.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const req = request(`${t.server.url}/api/orders/${orderId}/evidence/portrait`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`, 'x-forwarded-for': client, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + bytes + tail.length,
      },
    }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    // A refusal may close the socket while the body is still going out.
    req.on('error', () => resolve(-1));
    req.write(head);
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        const chunk = payload.subarray(0, Math.min(payload.length, bytes - sent));
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(tail);
    };
    pump();
  });
}

/** An upload whose body is held back until `finish`: it stays in flight as long as the test wants. */
function slowUpload(orderId: string, token: string, client: string): { finish: () => Promise<number> } {
  const boundary = 'x-boundary-x';
  const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="image"; filename="p.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = randomBytes(256 * 1024);
  let answered: (status: number) => void = () => undefined;
  const status = new Promise<number>((resolve) => {
    answered = resolve;
  });
  const req = request(`${t.server.url}/api/orders/${orderId}/evidence/portrait`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + body.length + tail.length },
  }, (res) => {
    res.resume();
    answered(res.statusCode ?? 0);
  });
  req.on('error', () => answered(-1));
  req.write(head);
  return {
    finish: () => {
      req.end(Buffer.concat([body, tail]));
      return status;
    },
  };
}

describe('uploads', () => {
  it('stop one client sending on many connections at once before its photos are read', async () => {
    const client = '203.0.113.77';
    const orders: CreatedOrder[] = [];
    for (const msisdn of (await numbers()).slice(0, 6)) orders.push((await orderOn(msisdn, `198.18.3.${orders.length}`, client, true)).body);
    // Two uploads are on their way (their bodies still coming); four more from the same client are
    // refused at once, before a byte of their bodies is read; once the two are done, there is room again.
    const [first, second, ...rest] = orders;
    const held = [first, second].map((o) => slowUpload(o?.order.id ?? '', o?.orderToken ?? '', client));
    await expect.poll(() => t.server.uploads.usedBytes).toBeGreaterThan(0);
    const refused = await Promise.all(rest.map((o) => bigUpload(o.order.id, o.orderToken, client, 2 ** 20, randomBytes(64 * 1024))));
    expect(refused).toEqual([429, 429, 429, 429]);
    expect(await Promise.all(held.map((h) => h.finish()))).toEqual([415, 415]);
    expect(await bigUpload(rest[0]?.order.id ?? '', rest[0]?.orderToken ?? '', client, 2 ** 20, randomBytes(64 * 1024))).toBe(415);
  });

  it('turn away 300 parallel 15 MB uploads with 503s and one-at-a-time per order, not by filling memory', async () => {
    const orders: CreatedOrder[] = [];
    for (const [i, msisdn] of (await numbers()).slice(0, 60).entries()) orders.push((await orderOn(msisdn, `198.18.2.${i}`, `198.18.2.${i}`, true)).body);
    expect(orders).toHaveLength(60);
    const payload = randomBytes(64 * 1024);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    // Many clients (each order's own), as a crowd or a botnet would send them.
    const statuses = await Promise.all(Array.from({ length: 300 }, (_, i) => {
      const order = orders[i % orders.length];
      return bigUpload(order?.order.id ?? '', order?.orderToken ?? '', `198.18.2.${i % orders.length}`, MAX_UPLOAD_BYTES - 4096, payload);
    }));
    clearInterval(sampler);
    const count = (status: number): number => statuses.filter((s) => s === status).length;
    expect(count(503)).toBeGreaterThan(100);
    expect(count(500)).toBe(0);
    // Those let in were read whole and refused as what they are: not images.
    expect(count(415)).toBeGreaterThan(0);
    expect(count(503) + count(409) + count(415) + count(-1)).toBe(300);
    // 300 x 15 MB is 4.5 GB; the budget is 64 MB.
    expect(peak - before).toBeLessThan(600 * 2 ** 20);
    expect(t.server.uploads.usedBytes).toBe(0);
    expect((await t.api.get('/api/health')).status).toBe(200);
  });
});
