import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactView, ErrorBody, OrderView, SandboxSms } from '@shared';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { type FakeVendor, fakeSmsGateway } from '../support/fakeVendors.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES } from '../support/liveFrames.js';
import { type TestServer, readyOrder, startTestServer, waitForState } from '../support/testServer.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ LOGISTICS_MOCK_LATENCY_MS: '5' });
});

afterAll(async () => {
  await t.stop();
});

const code = (body: unknown): string | undefined => (body as Partial<ErrorBody>).error?.code;
const leave = (server: TestServer, order: { id: string; token: string }, mobile: string) => server.api.post<ContactView>(`/api/orders/${order.id}/contact`, { mobile }, order.token);
const confirm = (server: TestServer, order: { id: string; token: string }, given: string) => server.api.post<ContactView>(`/api/orders/${order.id}/contact/confirm`, { code: given }, order.token);
const inbox = async (to: string): Promise<SandboxSms[]> => (await t.api.get<{ messages: SandboxSms[] }>('/api/sandbox/sms')).body.messages.filter((m) => m.to === to);
const codeIn = (message: SandboxSms | undefined): string => /验证码为 (\d{6})/u.exec(message?.text ?? '')?.[1] ?? '';

describe('the buyer hears back', () => {
  it('confirms a mobile number by an SMS code, then sends a notice on each change the buyer waits for, with nothing of their identity', async () => {
    const who = SANDBOX_IDENTITIES[1];
    const card = await generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'notices' });
    const order = await readyOrder(t.api, card, POSES.sheldon, 'unactivated');

    // A number that is not a mobile, or one not in service: refused, nothing kept.
    expect(code((await leave(t, order, '12345')).body)).toBe('validation_failed');
    const dead = await leave(t, order, '13800000000');
    expect([dead.status, code(dead.body)]).toEqual([400, 'contact_invalid']);
    expect((await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body.contact).toBeUndefined();

    const sent = await leave(t, order, '+86 138-1234-5678');
    expect([sent.status, sent.body.mobile, sent.body.confirmed]).toEqual([202, '138****5678', false]);
    // One code a minute.
    const again = await leave(t, order, '13812345678');
    expect([again.status, code(again.body)]).toEqual([429, 'rate_limited']);
    const [message] = await inbox('13812345678');
    expect(message?.text).toMatch(/^【沙盒移动 Sandbox Mobile】您的验证码为 \d{6}，5 分钟内有效/u);
    const wrong = codeIn(message) === '000000' ? '000001' : '000000';
    const refused = await confirm(t, order, wrong);
    expect([refused.status, code(refused.body)]).toEqual([400, 'contact_code_wrong']);
    expect((await confirm(t, order, codeIn(message))).body).toEqual({ mobile: '138****5678', confirmed: true });
    expect((await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body.contact).toEqual({ mobile: '138****5678', confirmed: true });

    expect((await t.api.submit(order.id, order.token)).status).toBe(202);
    await waitForState(t.api, order, 'shipped_unactivated');
    const ref = order.id.slice(0, 8);
    await expect.poll(async () => (await inbox('13812345678')).length, { timeout: 20_000 }).toBe(3);
    const notices = (await inbox('13812345678')).slice(0, 2).map((m) => m.text).reverse();
    expect(notices).toEqual([
      `【沙盒移动 Sandbox Mobile】您的号卡订单 ${ref} 已通过审核，我们将尽快发货。`,
      `【沙盒移动 Sandbox Mobile】您的号卡订单 ${ref} 已发货，收到后请在线完成身份核验以激活。`,
    ]);
    for (const text of notices) for (const secret of [who?.name ?? '', who?.idNumber ?? '', order.msisdn]) expect(text).not.toContain(secret);

    // The buyer takes the number back: nothing more is sent, nothing kept.
    expect((await fetch(`${t.server.url}/api/orders/${order.id}/contact`, { method: 'DELETE', headers: { authorization: `Bearer ${order.token}` } })).status).toBe(204);
    expect((await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body.contact).toBeUndefined();
  });

  it('through the operator\'s SMS gateway: a template and its parameters; a refused number and a service that is down say so and keep nothing', async () => {
    const gateway: FakeVendor & { messages: { to: string; template: string; params: Record<string, string> }[] } = await fakeSmsGateway('sms-token');
    const http = await startTestServer({ NOTIFIER: 'http', SMS_HTTP_URL: gateway.url, SMS_HTTP_TOKEN: 'sms-token', SMS_SIGNATURE: '示例移动' }, { engine: t.engine });
    try {
      const order = await http.api.newOrder();
      expect((await leave(http, order, '13912340000')).body).toMatchObject({ error: { code: 'contact_invalid' } });
      const down = await leave(http, order, '13912345555');
      expect([down.status, code(down.body)]).toEqual([503, 'overloaded']);
      expect((await http.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body.contact).toBeUndefined();
      expect((await leave(http, order, '13912345678')).status).toBe(202);
      expect(gateway.messages).toEqual([{ to: '13912345678', template: 'verification_code', params: { code: expect.stringMatching(/^\d{6}$/u) as string, minutes: '5' } }]);
      expect((await http.api.get('/api/sandbox/sms')).status).toBe(404);
    } finally {
      await http.stop();
      await gateway.close();
    }
  });
});
