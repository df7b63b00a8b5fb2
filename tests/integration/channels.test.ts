import { sql } from 'kysely';
import { row, rows } from '../support/db.js';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentMark, Channel, CreatedOrder, ErrorBody, Hold, MarkVerification, PublicAgent } from '@shared';
import { DEMO_AGENT, OPERATOR_CHANNEL } from '../../bff/src/services/channelService.js';
import { verifyWebhook } from '../../bff/src/crypto/webhookSignature.js';
import { type TestServer, startTestServer } from '../support/testServer.js';
import { admission, approveAgent, creditCode, legalRepIdNumber } from '../support/agents.js';
import { staffMember } from '../support/staff.js';

const SHOP = 'https://shop.example.cn';

let t: TestServer;
let operatorToken: string;

beforeAll(async () => {
  t = await startTestServer({ PUBLIC_URL: 'https://sim.operator.example/' });
  operatorToken = (await readFile(path.join(t.dataDir, 'operator.token'), 'utf8')).trim();
});

afterAll(async () => {
  await t.stop();
});

/** A suspension and a blacklisting, each with its reason and evidence. */
const SUSPEND = { status: 'suspended', reason: 'sold cards without checking the buyer', evidence: ['CASE-2026-0107'] } as const;
const BLACKLIST = { status: 'blacklisted', reason: 'opened cards for others in batches', evidence: ['CASE-2026-0108', 'POLICE-REF-3301'] } as const;

const operator = {
  /** Registers an agent: pending until a second person approves its admission. */
  create: (body: unknown, token = operatorToken) => t.api.post<{ channel: Channel; webhookSecret: string; apiKey: string }>('/api/operator/channels', body, token),
  /** Registers an agent and has a channel manager approve its admission: active. */
  async admit(body: unknown) {
    const created = await operator.create(body);
    if (created.status !== 201) return created;
    return { ...created, body: { ...created.body, channel: await approveAgent(t.server, t, created.body.channel.id) } };
  },
  update: (id: string, body: unknown) => t.api.json<Channel>(`/api/operator/channels/${id}`, {
    method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` }, body: JSON.stringify(body),
  }),
  list: (token = operatorToken) => t.api.get<{ channels: Channel[] }>('/api/operator/channels', token),
};
const errorCode = (body: unknown): string => (body as ErrorBody).error.code;
let agents = 0;
/** A new agent: a business and a legal representative of its own, with its admission recorded. */
const newAgent = (overrides: Record<string, unknown> = {}) => {
  agents += 1;
  return {
    agentNumber: `AG-TEST-${String(agents).padStart(4, '0')}`, name: '测试代理商', licenceNumber: creditCode(agents), scope: ['sim_sale'], origins: [SHOP], webhookUrl: null,
    admission: admission(legalRepIdNumber(agents)), ...overrides,
  };
};

/** Holds a number and starts an order, with an agent session if given (and anything else the body should carry). */
async function orderThrough(agentSession?: string, extra: Record<string, unknown> = {}): Promise<{ status: number; body: CreatedOrder }> {
  const { body: numbers } = await t.api.get<{ numbers: { msisdn: string }[] }>('/api/numbers?limit=50');
  for (const { msisdn } of numbers.numbers) {
    const hold = await t.api.post<Hold>('/api/holds', { msisdn });
    if (hold.status !== 201) continue;
    return t.api.post<CreatedOrder>('/api/orders', { holdId: hold.body.holdId, holdToken: hold.body.holdToken, deliveryPath: 'courier_verified', ...(agentSession ? { agentSession } : {}), ...extra });
  }
  throw new Error('no number to hold');
}
const markFor = (agent: string, origin?: string) => t.api.json<AgentMark>(`/api/agents/${agent}/mark`, { headers: origin ? { origin } : {} });
/** A session naming the agent, as its server asks for one with its API key. */
const sessionOf = (created: { apiKey: string }, origin = SHOP): Promise<string> => t.api.agentSession(created.apiKey, origin);
const channelOfOrder = async (id: string) => (await row(t.server.db, sql`SELECT c.agent_number, o.channel_flag FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.id = ${id}`));

describe('the channel registry', () => {
  it('is the operator\'s: a token made on the first start (owner-only file) opens it, nothing else does', async () => {
    expect(operatorToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(path.join(t.dataDir, 'operator.token'))).mode & 0o777).toBe(0o600);
    expect((await operator.list('x'.repeat(43))).status).toBe(401);
    expect((await t.api.get('/api/operator/channels')).status).toBe(401);
    expect((await operator.create(newAgent(), 'not-the-operator-token-at-all')).status).toBe(401);
  });

  it('is seeded with the demo agent, and registers agents with checked details; the webhook secret is shown once', async () => {
    const { body } = await operator.list();
    expect(body.channels.find((c) => c.agentNumber === DEMO_AGENT.agentNumber)).toMatchObject({ status: 'active', licenceNumber: DEMO_AGENT.licenceNumber });

    const created = await operator.create(newAgent());
    expect(created.status).toBe(201);
    expect(created.body.channel).toMatchObject({ status: 'pending', origins: [SHOP], scope: ['sim_sale'] });
    expect(created.body.webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify((await operator.list()).body)).not.toContain(created.body.webhookSecret);

    const again = await operator.create({ ...newAgent(), agentNumber: created.body.channel.agentNumber });
    expect([again.status, errorCode(again.body)]).toEqual([409, 'channel_exists']);
    const incomplete = { ...admission(), commitments: { realName: true, dataProtection: false, noSubAgents: true } };
    for (const bad of [{ licenceNumber: '91350100M000100Y44' }, { origins: ['https://shop.example.cn/buy'] }, { origins: ['ftp://shop.example.cn'] }, { scope: [] }, { agentNumber: 'x' },
      { admission: undefined }, { admission: incomplete }, { admission: { ...admission(), legalRepresentative: { name: '郑代表', idNumber: '110105198803120310' } } }]) {
      const res = await operator.create(newAgent(bad));
      expect([res.status, errorCode(res.body)], JSON.stringify(bad)).toEqual([400, 'validation_failed']);
    }
  });

  it('gives every order a channel: the agent a valid session names, or else the operator\'s own storefront', async () => {
    const { body: created } = await operator.admit(newAgent());
    const { channel } = created;
    const through = await orderThrough(await sessionOf(created));
    expect(through.status).toBe(201);
    expect(await channelOfOrder(through.body.order.id)).toEqual({ agent_number: channel.agentNumber, channel_flag: null });
    const own = await orderThrough();
    // The operator's own storefront is a channel of its own, never an agent (not even the sandbox's demo one).
    expect(await channelOfOrder(own.body.order.id)).toEqual({ agent_number: OPERATOR_CHANNEL.agentNumber, channel_flag: null });

    // A page naming the agent by its number, or with a session it made up, another agent's changed or
    // one run out, makes no order of the agent's: no commission, no webhooks.
    const session = await sessionOf(created);
    const [encoded = '', signature = ''] = session.split('.');
    const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(encoded, 'base64url').toString()), a: DEMO_AGENT.agentNumber })).toString('base64url');
    for (const attempt of [
      await orderThrough(undefined, { agent: channel.agentNumber }),
      await orderThrough(`${other}.${signature}`),
      await orderThrough(`${encoded}.${'A'.repeat(signature.length)}`),
    ]) {
      expect(attempt.status).toBe(201);
      expect(await channelOfOrder(attempt.body.order.id)).toEqual({ agent_number: OPERATOR_CHANNEL.agentNumber, channel_flag: null });
    }
    t.advance(2 * 3_600_000 + 1000);
    expect(await channelOfOrder((await orderThrough(session)).body.order.id)).toEqual({ agent_number: OPERATOR_CHANNEL.agentNumber, channel_flag: null });

    // A session is given for the agent's own sites only, and to its own key.
    const elsewhere = await t.api.post<ErrorBody>('/api/channel/sessions', { origin: 'https://fake-shop.example.cn' }, created.apiKey);
    expect([elsewhere.status, errorCode(elsewhere.body)]).toEqual([403, 'origin_not_allowed']);
    expect((await t.api.post('/api/channel/sessions', { origin: SHOP }, 'not-a-key')).status).toBe(401);
  });

  it('stops a suspended agent from starting orders and flags its open ones; active again, they are cleared', async () => {
    const { body: created } = await operator.admit(newAgent());
    const { channel } = created;
    const session = await sessionOf(created);
    const open = await orderThrough(session);
    expect((await operator.update(channel.id, SUSPEND)).body.status).toBe('suspended');
    // Refused before the hold is used: the buyer keeps the number to buy it elsewhere.
    const refused = await orderThrough(session);
    expect([refused.status, errorCode(refused.body)]).toEqual([403, 'channel_unavailable']);
    expect(await channelOfOrder(open.body.order.id)).toEqual({ agent_number: channel.agentNumber, channel_flag: 'channel_suspended' });
    expect((await operator.list()).body.channels.find((c) => c.id === channel.id)?.flaggedOrders).toBe(1);
    await operator.update(channel.id, { status: 'active' });
    expect(await channelOfOrder(open.body.order.id)).toEqual({ agent_number: channel.agentNumber, channel_flag: null });
    expect((await orderThrough(session)).status).toBe(201);
  });

  it('admits an agent only when a second person approves what the first recorded; pending, it sells nothing', async () => {
    const recorder = (await staffMember(t.server, t, ['channel_manager'])).client;
    const body = newAgent();
    const recorded = await recorder.call<{ channel: Channel; apiKey: string }>('POST', '/api/operator/channels', body);
    expect(recorded.status).toBe(201);
    const { channel } = recorded.body;
    expect(channel.status).toBe('pending');
    // What was recorded, shown without the legal representative's ID number.
    expect(channel.admission).toMatchObject({ licenceDocument: 'LIC-SCAN-2026-0042', legalRepresentative: '郑代表', agreement: { validUntil: '2027-10-31' }, recordedBy: expect.stringMatching(/^staff:/u) as string });
    expect(JSON.stringify((await operator.list()).body)).not.toContain(body.admission.legalRepresentative.idNumber);
    // Pending: no session, no mark, no frame, and the status cannot be set past the approval.
    expect((await t.api.post<ErrorBody>('/api/channel/sessions', { origin: SHOP }, recorded.body.apiKey)).status).toBe(403);
    expect((await markFor(channel.agentNumber, SHOP)).status).toBe(404);
    const forced = await operator.update(channel.id, { status: 'active' });
    expect([forced.status, errorCode(forced.body)]).toEqual([409, 'channel_pending']);
    // The person who recorded it cannot approve it; the machine key cannot approve at all.
    const self = await recorder.call<ErrorBody>('POST', `/api/operator/channels/${channel.id}/approval`);
    expect([self.status, self.body.error.code]).toEqual([409, 'approval_by_another']);
    expect((await t.api.post(`/api/operator/channels/${channel.id}/approval`, {}, operatorToken)).status).toBe(401);
    const approved = await approveAgent(t.server, t, channel.id);
    expect(approved).toMatchObject({ status: 'active', admission: { approvedBy: expect.stringMatching(/^staff:/u) as string } });
    expect(approved.admission?.approvedBy).not.toBe(approved.admission?.recordedBy);
    expect((await t.api.post('/api/channel/sessions', { origin: SHOP }, recorded.body.apiKey)).status).toBe(201);
  });

  it('never authorises a blacklisted agent again, nor its business or its legal representative under a new agent number; every change has who, why and on what evidence', async () => {
    const body = newAgent();
    const { body: { channel } } = await operator.admit(body);
    // A suspension or a blacklisting without its reason and evidence is refused.
    expect((await operator.update(channel.id, { status: 'blacklisted' })).status).toBe(400);
    expect((await operator.update(channel.id, { status: 'suspended', reason: 'complaints' })).status).toBe(400);
    await operator.update(channel.id, BLACKLIST);
    const back = await operator.update(channel.id, { status: 'active' });
    expect([back.status, errorCode(back.body)]).toEqual([409, 'channel_blacklisted']);
    const nothing = await operator.update(channel.id, {});
    expect(nothing.status).toBe(400);
    const events = (await rows(t.server.db, sql`SELECT change, actor, reason, evidence FROM channel_events WHERE channel_id = ${channel.id} ORDER BY id`));
    expect(events).toEqual([
      { change: 'created', actor: 'operator-key', reason: null, evidence: null },
      { change: 'admission approved', actor: expect.stringMatching(/^staff:/u) as string, reason: null, evidence: null },
      { change: 'changed status to blacklisted', actor: 'operator-key', reason: BLACKLIST.reason, evidence: JSON.stringify(BLACKLIST.evidence) },
    ]);

    // The same business under a new agent number, and another business with the same legal representative: refused.
    const sameBusiness = await operator.create(newAgent({ licenceNumber: body.licenceNumber }));
    expect([sameBusiness.status, errorCode(sameBusiness.body)]).toEqual([409, 'channel_blacklisted']);
    const samePerson = await operator.create(newAgent({ admission: admission(body.admission.legalRepresentative.idNumber) }));
    expect([samePerson.status, errorCode(samePerson.body)]).toEqual([409, 'channel_blacklisted']);
    // The ID number as typed another way (a lower-case x) is the same person.
    const lower = body.admission.legalRepresentative.idNumber.toLowerCase();
    if (lower !== body.admission.legalRepresentative.idNumber) expect((await operator.create(newAgent({ admission: admission(lower) }))).status).toBe(409);
    // Someone else, another business: admitted.
    expect((await operator.create(newAgent())).status).toBe(201);
  });

  it('holds an agent to its scope: one not entrusted with selling cards gets no session and starts no order', async () => {
    const { body: created } = await operator.admit(newAgent({ scope: ['number_porting'] }));
    const refused = await t.api.post<ErrorBody>('/api/channel/sessions', { origin: SHOP }, created.apiKey);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'channel_out_of_scope']);
    // A session made while its scope held sales is worth nothing once the scope no longer does.
    const { body: seller } = await operator.admit(newAgent());
    const session = await sessionOf(seller);
    await operator.update(seller.channel.id, { scope: ['plan_change'] });
    const order = await orderThrough(session);
    expect([order.status, errorCode(order.body)]).toEqual([403, 'channel_out_of_scope']);
  });
});

describe('the public list and the agent mark', () => {
  const verify = (payload: string) => t.api.post<MarkVerification>('/api/agents/verify', { payload });

  it('lists the agents authorised right now, with what anyone may know of them', async () => {
    const { body: { channel } } = await operator.admit(newAgent());
    const listed = (await t.api.get<{ agents: PublicAgent[] }>('/api/agents')).body.agents;
    expect(listed.find((a) => a.agentNumber === channel.agentNumber)).toEqual({
      agentNumber: channel.agentNumber, name: '测试代理商', licenceNumber: channel.licenceNumber, scope: ['sim_sale'], authorised: true,
    });
    expect(JSON.stringify(listed)).not.toMatch(/webhook|origins|https:\/\/shop/);
    await operator.update(channel.id, SUSPEND);
    expect((await t.api.get<{ agents: PublicAgent[] }>('/api/agents')).body.agents.map((a) => a.agentNumber)).not.toContain(channel.agentNumber);
  });

  it('issues a mark to the agent\'s own site only; a genuine mark verifies, an edited or forged one does not', async () => {
    const { body: { channel } } = await operator.admit(newAgent());
    const elsewhere = await markFor(channel.agentNumber, 'https://copycat.example.cn');
    expect([elsewhere.status, errorCode(elsewhere.body)]).toEqual([403, 'origin_not_allowed']);
    expect((await markFor(channel.agentNumber)).status).toBe(403);

    const { body: mark } = await markFor(channel.agentNumber, SHOP);
    expect(mark).toMatchObject({ operator: '沙盒移动 Sandbox Mobile', agent: { agentNumber: channel.agentNumber, authorised: true } });
    expect(mark.verifyUrl).toBe(`https://sim.operator.example/agents/verify#${mark.payload}`);
    const checked = (await verify(mark.payload)).body;
    expect(checked).toMatchObject({ genuine: true, origin: SHOP, agent: { agentNumber: channel.agentNumber, authorised: true } });

    // Another agent's number put into the payload, or a signature made up: not genuine.
    const [body = '', signature = ''] = mark.payload.split('.');
    const edited = Buffer.from(Buffer.from(body, 'base64url').toString().replace(channel.agentNumber, DEMO_AGENT.agentNumber)).toString('base64url');
    expect((await verify(`${edited}.${signature}`)).body).toEqual({ genuine: false });
    // The first character changed to another, so the signature always differs (the last two replaced
    // by "AA" left it as it was whenever it already ended so: one signature in 1,024).
    expect((await verify(`${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`)).body).toEqual({ genuine: false });
    expect((await verify('not-a-mark-at-all')).body).toEqual({ genuine: false });

    // The agent suspended: its old mark is still the operator's, and says it is not authorised now.
    await operator.update(channel.id, SUSPEND);
    expect((await verify(mark.payload)).body).toMatchObject({ genuine: true, agent: { authorised: false } });
    expect((await markFor(channel.agentNumber, SHOP)).status).toBe(404);
  });
});

describe('what a storefront\'s server can trust', () => {
  /** The storefront's webhook receiver: answers with the statuses given in turn, then 204. */
  async function receiver(statuses: number[]): Promise<{ url: string; received: { headers: Record<string, string | undefined>; body: string }[]; close: () => Promise<void> }> {
    const received: { headers: Record<string, string | undefined>; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: { signature: req.headers['x-sim-signature'] as string | undefined, delivery: req.headers['x-sim-delivery'] as string | undefined }, body });
        res.writeHead(statuses.shift() ?? 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/hooks/sim`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it('signs each state change to the agent\'s webhook, retries until it is taken, and logs every try', async () => {
    const hook = await receiver([500]);
    try {
      const { body: created } = await operator.admit(newAgent({ webhookUrl: hook.url }));
      const order = await orderThrough(await sessionOf(created));
      await expect.poll(() => hook.received.length, { timeout: 15_000 }).toBe(2);
      const [first, second] = hook.received;
      expect(second?.body).toBe(first?.body);
      const event = JSON.parse(second?.body ?? '{}') as Record<string, unknown>;
      expect(event).toMatchObject({ event: 'order.draft', orderId: order.body.order.id, state: 'draft', previousState: null });
      expect(second?.headers.delivery).toBe(event.id);
      // The signature holds for this body under the agent's secret, and for nothing else.
      const now = t.now();
      expect(verifyWebhook(created.webhookSecret, Buffer.from(second?.body ?? ''), second?.headers.signature, now)).toBe(true);
      expect(verifyWebhook(created.webhookSecret, Buffer.from((second?.body ?? '').replace('draft', 'approved')), second?.headers.signature, now)).toBe(false);
      expect(verifyWebhook('another-agents-secret', Buffer.from(second?.body ?? ''), second?.headers.signature, now)).toBe(false);
      // Replayed later, the same signed body is refused.
      expect(verifyWebhook(created.webhookSecret, Buffer.from(second?.body ?? ''), second?.headers.signature, now + 6 * 60_000)).toBe(false);
      expect(JSON.stringify(event)).not.toMatch(/name|idNumber|token/);

      const log = await t.api.get<{ deliveries: { status: string; attempts: number; lastStatus: number }[] }>(`/api/operator/channels/${created.channel.id}/deliveries`, operatorToken);
      expect(log.body.deliveries).toEqual([expect.objectContaining({ event: 'order.draft', status: 'delivered', attempts: 2, lastStatus: 204 })]);
    } finally {
      await hook.close();
    }
  });

  it('answers an agent\'s server about its own orders only, with its API key', async () => {
    const { body: mine } = await operator.admit(newAgent());
    const { body: theirs } = await operator.admit(newAgent());
    const order = await orderThrough(await sessionOf(mine));
    const read = (key?: string) => t.api.get<{ orderId: string; state: string }>(`/api/channel/orders/${order.body.order.id}`, key);
    expect((await read(mine.apiKey)).body).toMatchObject({ orderId: order.body.order.id, state: 'draft' });
    expect((await read(theirs.apiKey)).status).toBe(404);
    expect((await read()).status).toBe(401);
    expect((await read(mine.webhookSecret)).status).toBe(401);
    expect(JSON.stringify((await read(mine.apiKey)).body)).not.toMatch(/identity|name|token/);
    await operator.update(mine.channel.id, BLACKLIST);
    expect((await read(mine.apiKey)).status).toBe(401);
  });
});

describe('who may frame the flow', () => {
  it('lets an agent\'s registered sites frame its embed entry and no one else; other pages, this site and the active agents\' sites', async () => {
    await mkdir(path.join(t.dir, 'web'), { recursive: true });
    await writeFile(path.join(t.dir, 'web', 'index.html'), '<!doctype html><html><head><title>x</title></head><body><div id="app"></div></body></html>');
    // The frame-ancestors directive of a page's CSP.
    const csp = async (url: string): Promise<string | undefined> => (await fetch(`${t.server.url}${url}`)).headers.get('content-security-policy')
      ?.split(';').map((d) => d.trim()).find((d) => d.startsWith('frame-ancestors'));
    const { body: { channel } } = await operator.admit(newAgent({ origins: [SHOP, 'https://m.shop.example.cn'] }));
    expect(await csp(`/embed?agent=${channel.agentNumber}`)).toBe(`frame-ancestors ${SHOP} https://m.shop.example.cn`);
    expect(await csp('/embed?agent=AG-NOBODY-0001')).toBe("frame-ancestors 'none'");
    expect(await csp('/embed')).toBe("frame-ancestors 'none'");
    const other = await csp('/buy/number');
    expect(other).toMatch(/^frame-ancestors 'self' /);
    expect(other).toContain(SHOP);

    // Framed by one of the agent's sites (the browser names it in the frame request's Referer), the
    // embed entry carries a session naming the agent, and the orders started with it are the agent's.
    const embedSession = async (referer?: string): Promise<string | undefined> => {
      const html = await (await fetch(`${t.server.url}/embed?agent=${channel.agentNumber}`, { headers: referer ? { referer } : {} })).text();
      return /<meta name="sim-agent-session" content="([^"]+)">/u.exec(html)?.[1];
    };
    const session = await embedSession('https://m.shop.example.cn/');
    expect(session).toBeDefined();
    expect(await channelOfOrder((await orderThrough(session)).body.order.id)).toMatchObject({ agent_number: channel.agentNumber });
    expect(await embedSession('https://fake-shop.example.cn/buy')).toBeUndefined();
    expect(await embedSession()).toBeUndefined();

    await operator.update(channel.id, SUSPEND);
    expect(await csp(`/embed?agent=${channel.agentNumber}`)).toBe("frame-ancestors 'none'");
    expect(await csp('/buy/number')).not.toContain('https://m.shop.example.cn');
    expect(await embedSession(SHOP)).toBeUndefined();
  });

  it('lets any page load embed.js, and only the agent\'s own sites read its mark', async () => {
    await writeFile(path.join(t.dir, 'web', 'embed.js'), 'export {};');
    expect((await fetch(`${t.server.url}/embed.js`)).headers.get('access-control-allow-origin')).toBe('*');
    const { body: { channel } } = await operator.admit(newAgent());
    const mine = await fetch(`${t.server.url}/api/agents/${channel.agentNumber}/mark`, { headers: { origin: SHOP } });
    expect(mine.headers.get('access-control-allow-origin')).toBe(SHOP);
    const theirs = await fetch(`${t.server.url}/api/agents/${channel.agentNumber}/mark`, { headers: { origin: 'https://copycat.example.cn' } });
    expect([theirs.status, theirs.headers.get('access-control-allow-origin')]).toEqual([403, null]);
  });
});

describe('the patrol of the agents\' pages', () => {
  it('finds the genuine mark where it is shown, and records a page without it, with another agent\'s, or not there at all; the console shows what it found', async () => {
    // A local web server standing for the agents' shops.
    const { body: { channel: other } } = await operator.admit(newAgent());
    const shop = createServer((req, res) => {
      const script = '<script type="module" src="https://sim.operator.example/embed.js"></script>';
      const pages: Record<string, string> = {
        '/genuine': `<!doctype html><html><head>${script}</head><body><sim-agent-mark agent="${agentOf}"></sim-agent-mark><h1>号卡</h1></body></html>`,
        '/none': '<!doctype html><html><body><h1>号卡</h1></body></html>',
        // A picture of a mark, or the element without the operator's script: not the genuine mark.
        '/picture': '<!doctype html><html><body><img src="mark.png" alt="授权代理商"></body></html>',
        '/no-script': `<!doctype html><html><body><sim-agent-mark agent="${agentOf}"></sim-agent-mark></body></html>`,
        '/another': `<!doctype html><html><head>${script}</head><body><sim-agent-mark agent="${other.agentNumber}"></sim-agent-mark></body></html>`,
      };
      const page = pages[req.url ?? ''];
      res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(page ?? 'not found');
    });
    let agentOf = '';
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
      const pages = ['genuine', 'none', 'picture', 'no-script', 'another', 'gone'].map((p) => `${base}/${p}`);
      const { body: { channel } } = await operator.admit(newAgent({ origins: [base], pages }));
      agentOf = channel.agentNumber;
      const patrolled = await t.api.post<{ findings: { page: string; outcome: string }[] }>(`/api/operator/channels/${channel.id}/patrol`, {}, operatorToken);
      expect(patrolled.status).toBe(200);
      expect(patrolled.body.findings.map((f) => [f.page.slice(base.length), f.outcome])).toEqual([
        ['/genuine', 'mark_shown'], ['/none', 'mark_missing'], ['/picture', 'mark_missing'], ['/no-script', 'mark_missing'], ['/another', 'mark_of_another'], ['/gone', 'unreachable'],
      ]);
      // What the console shows of the agent: the last finding on each page.
      const listed = (await operator.list()).body.channels.find((c) => c.id === channel.id);
      expect(listed?.patrol.map((f) => f.outcome).sort()).toEqual(['mark_missing', 'mark_missing', 'mark_missing', 'mark_of_another', 'mark_shown', 'unreachable']);
      expect(listed?.patrol.find((f) => f.page.endsWith('/gone'))?.detail).toBe('HTTP 404');
      // Only the operator's own people and key ask for a patrol.
      expect((await t.api.post(`/api/operator/channels/${channel.id}/patrol`, {})).status).toBe(401);
    } finally {
      await new Promise((resolve) => shop.close(resolve));
    }
  });
});
