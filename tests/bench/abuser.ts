/**
 * The abusive client of the abuse bench, in a process of its own (as it would be on its own
 * machine): from one address, on six connections, it uploads portrait photos as fast as the server
 * answers and tries again at once whatever it is told. On SIGTERM it prints the answers it got.
 *
 *   node --import tsx tests/bench/abuser.ts <server url> <photo file>
 */
import { readFile } from 'node:fs/promises';
import type { CreatedOrder, Hold } from '@shared';

const [url = '', photoFile = ''] = process.argv.slice(2);
const photo = await readFile(photoFile);
const CONNECTIONS = 6;
const headers = (token?: string): Record<string, string> => ({ 'x-forwarded-for': '203.0.113.66', ...(token ? { authorization: `Bearer ${token}` } : {}) });
const post = async <T>(path: string, body: unknown, token?: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { ...headers(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
};

async function newOrder(): Promise<{ id: string; token: string }> {
  for (;;) {
    const numbers = (await (await fetch(`${url}/api/numbers?limit=50`, { headers: headers() })).json()) as { numbers: { msisdn: string }[] };
    const hold = await post<Hold>('/api/holds', { msisdn: numbers.numbers[Math.floor(Math.random() * numbers.numbers.length)]?.msisdn });
    if (hold.status !== 201) continue;
    const created = await post<CreatedOrder>('/api/orders', { holdId: hold.body.holdId, holdToken: hold.body.holdToken, deliveryPath: 'courier_verified' });
    await post(`/api/orders/${created.body.order.id}/consent`, { identity: true, biometric: true, policyVersion: '2026-11' }, created.body.orderToken);
    return { id: created.body.order.id, token: created.body.orderToken };
  }
}

const answers = new Map<number, number>();
let stop = false;
process.once('SIGTERM', () => {
  stop = true;
});
const loops = Array.from({ length: CONNECTIONS }, async () => {
  const order = await newOrder();
  while (!stop) {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'portrait.jpg');
    const status = await fetch(`${url}/api/orders/${order.id}/evidence/portrait`, { method: 'PUT', headers: headers(order.token), body: form })
      .then(async (res) => {
        await res.arrayBuffer();
        return res.status;
      }, () => -1);
    answers.set(status, (answers.get(status) ?? 0) + 1);
  }
});
process.stdout.write('ready\n');
await Promise.all(loops);
process.stdout.write(`${JSON.stringify(Object.fromEntries(answers))}\n`);
