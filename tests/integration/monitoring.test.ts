import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, Channel, Dashboard } from '@shared';
import { admission, approveAgent, creditCode, legalRepIdNumber } from '../support/agents.js';
import { sealedAs } from '../../bff/src/providers/db/sealed.js';
import { facePhoto } from '../support/fixtures.js';
import { staffMember } from '../support/staff.js';
import { type TestServer, startTestServer } from '../support/testServer.js';
import { monitoringData, times } from '../support/monitoringData.js';

/**
 * Each monitoring rule with the data that trips it and the data that does not. The data is written
 * straight into the tables the rules read (orders and their log, live checks, hand-overs): the rules
 * are the subject here, not how those rows come about (the other suites cover that).
 */
let t: TestServer;
let operatorToken: string;
const HOUR = 3_600_000;

beforeAll(async () => {
  t = await startTestServer({
    MONITOR_AGENT_ORDERS: '3/1h', MONITOR_CLIENT_IDENTITIES: '2/1d', MONITOR_LIVE_FAILURES: '4/10m', MONITOR_COURIER_REFUSALS: '2/1d',
    MONITOR_REFUSAL_DAYS: '7', MONITOR_REFUSAL_MIN_DECIDED: '5', MONITOR_REFUSAL_FACTOR: '2', MONITOR_SUSPEND_AGENTS: 'true',
    MONITOR_HELD_UNORDERED: '3/1d', MONITOR_HOLD_SHIPMENTS: 'true',
  });
  operatorToken = (await readFile(path.join(t.dataDir, 'operator.token'), 'utf8')).trim();
  data = monitoringData(t);
});

afterAll(async () => {
  await t.stop();
});

let agents = 0;
/** An agent admitted by two people. */
async function agent(): Promise<Channel> {
  agents += 1;
  const created = await t.api.post<{ channel: Channel }>('/api/operator/channels', {
    agentNumber: `AG-MON-${String(agents).padStart(4, '0')}`, name: '监测代理商', licenceNumber: creditCode(500 + agents), scope: ['sim_sale'],
    origins: ['https://shop.example.cn'], webhookUrl: null, admission: admission(legalRepIdNumber(500 + agents)),
  }, operatorToken);
  return approveAgent(t.server, t, created.body.channel.id);
}

let data: ReturnType<typeof monitoringData>;
const order = (o: Parameters<ReturnType<typeof monitoringData>['order']>[0]) => data.order(o);
const sweep = () => t.server.monitoring.sweep();
const tripped = async (rule: Alert['rule']): Promise<string[]> => (await t.server.monitoring.evaluate()).filter((x) => x.rule === rule).map((x) => x.subject).sort();

describe('the monitoring rules', () => {
  it('one agent opening many cards in a short time: more than the limit within the window trips, as many or older ones do not; the agent is suspended pending a look', async () => {
    const [busy, steady] = [await agent(), await agent()];
    await times(4, () => order({ channelId: busy.id, outcome: 'approved' }));
    await times(3, () => order({ channelId: steady.id, outcome: 'approved' }));
    await times(3, () => order({ channelId: steady.id, outcome: 'approved', ago: 2 * HOUR }));
    expect(await tripped('agent_burst')).toEqual([busy.agentNumber]);

    const raised = await sweep();
    expect(raised.map((r) => [r.rule, r.subject])).toContainEqual(['agent_burst', busy.agentNumber]);
    // Suspended at once (MONITOR_SUSPEND_AGENTS), with the reason and the alert as evidence.
    const events = await t.api.get<{ events: { change: string; actor: string; reason?: string; evidence?: string[] }[] }>(`/api/operator/channels/${busy.id}/history`, operatorToken);
    expect(events.body.events.at(-1)).toMatchObject({ change: 'changed status to suspended', actor: 'monitoring', reason: expect.stringContaining('agent_burst') as string });
    expect(events.body.events.at(-1)?.evidence?.[0]).toMatch(/^ALERT-/u);
    // Still true at the next sweep: the same alert, brought up to date, not a second one.
    expect((await sweep()).filter((r) => r.rule === 'agent_burst')).toEqual([]);
  });

  it('an agent refused far more often than the others trips; one near the others\' rate, or with too few decisions to judge, does not', async () => {
    const [refused, ordinary, small] = [await agent(), await agent(), await agent()];
    const ago = 3 * HOUR;
    await times(4, () => order({ channelId: refused.id, outcome: 'rejected', ago }));
    await times(2, () => order({ channelId: refused.id, outcome: 'approved', ago }));
    await times(1, () => order({ channelId: ordinary.id, outcome: 'rejected', ago }));
    await times(5, () => order({ channelId: ordinary.id, outcome: 'approved', ago }));
    await times(4, () => order({ channelId: small.id, outcome: 'rejected', ago }));
    await times(12, () => order({ outcome: 'approved', ago }));
    expect(await tripped('agent_refusals')).toEqual([refused.agentNumber]);
    // Older than the window: not counted.
    const old = await agent();
    await times(6, () => order({ channelId: old.id, outcome: 'rejected', ago: 8 * 24 * HOUR }));
    expect(await tripped('agent_refusals')).toEqual([refused.agentNumber]);
  });

  it('one network behind more identities than the limit trips; one behind as many, however many orders, does not', async () => {
    const [many, few] = [randomUUID(), randomUUID()];
    for (const holder of ['k1', 'k2', 'k3']) await order({ client: many, holder: `${many}-${holder}` });
    await times(3, () => order({ client: few, holder: `${few}-a` }));
    await times(2, () => order({ client: few, holder: `${few}-b` }));
    // Identities from the same network the day before do not add up.
    await order({ client: few, holder: `${few}-c`, ago: 2 * 24 * HOUR });
    expect(await tripped('client_identities')).toEqual([many]);
  });

  it('a burst of failed live checks trips; as many as the limit, or older failures, do not', async () => {
    const failed = (ago: number) => data.failedLiveCheck(ago);
    await times(4, () => failed(60_000));
    await times(3, () => failed(HOUR));
    expect(await tripped('live_check_failures')).toEqual([]);
    await failed(30_000);
    expect(await tripped('live_check_failures')).toEqual(['all']);
  });

  it('a courier refusing more hand-overs than the limit trips; one refusing as many, or handing over, does not', async () => {
    const [strict, fair] = await data.couriers();
    if (!strict || !fair) throw new Error('the sandbox couriers are missing');
    const handover = (courier: string, outcome: 'refused' | 'handed_over') => data.handover(courier, outcome);
    await times(3, () => handover(strict, 'refused'));
    await times(2, () => handover(fair, 'refused'));
    await times(5, () => handover(fair, 'handed_over'));
    expect(await tripped('courier_refusals')).toEqual([strict]);
  });

  it('one network holding more numbers than the limit and never ordering trips; a network within the limit, or lapses older than the window, do not', async () => {
    // A hold that lapses without an order is logged by the network that held it.
    const lapses = () => t.server.db.db.selectFrom('hold_lapses').selectAll().execute();
    const before = (await lapses()).length;
    const numbers = await t.api.get<{ numbers: { msisdn: string }[] }>('/api/numbers?limit=1');
    const msisdn = numbers.body.numbers[0]?.msisdn ?? '';
    expect((await t.api.post('/api/holds', { msisdn })).status).toBe(201);
    // Its time ran out (the clock stays where the other rules' windows need it).
    await t.server.db.db.updateTable('numbers').set({ held_until: t.now() - 1 }).where('msisdn', '=', msisdn).execute();
    await t.server.orders.expireDrafts();
    const logged = (await lapses()).slice(before);
    expect(logged).toHaveLength(1);
    const client = logged[0]?.client ?? '';
    // Three more lapses from that network: four in a day; three from another; five, older than the day, from a third.
    const lapse = (who: string, ago: number) => t.server.db.db.insertInto('hold_lapses').values({ client: who, at: t.now() - ago }).execute();
    await times(3, () => lapse(client, 60_000));
    await times(3, () => lapse('client-digest-steady', 60_000));
    await times(5, () => lapse('client-digest-old', 2 * 86_400_000));
    expect(await tripped('held_unordered')).toEqual([client]);
  });

  it('the same face under different ID numbers trips as the second identity\'s submission is compared, and holds the shipments of both; another face, or the same identity again, does not', async () => {
    // The fixtures are tight crops: given a margin, as a camera frame has one.
    const descriptor = async (file: string): Promise<number[]> => {
      const photo = await facePhoto(file);
      const pad = Math.round(((await sharp(photo).metadata()).width ?? 0) * 0.6);
      const framed = await sharp(photo).extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#7f7f7f' }).resize({ width: 600 }).png().toBuffer();
      const found = await t.engine.detectFaces(framed, 0.2);
      if (!found.faces[0]) throw new Error(`no face in ${file}`);
      return found.faces[0].descriptor;
    };
    const [amy, amyAgain, sheldon] = [await descriptor('people/amy/amy1.png'), await descriptor('people/amy/amy3.png'), await descriptor('people/sheldon/sheldon1.png')];
    const [first, other, sameHolder, second] = [await order({ outcome: 'approved' }), await order({ outcome: 'approved' }), await order({ outcome: 'approved' }), await order({ outcome: 'approved' })];
    const submitted = (orderId: string, holder: string, face: number[]) => t.server.monitoring.faceSubmitted(orderId, holder, face);
    expect(await submitted(first, 'holder-amy', amy)).toBeUndefined();
    expect(await submitted(other, 'holder-sheldon', sheldon)).toBeUndefined();
    // The same identity again is no alert: the same person renewing under their own ID number.
    expect(await submitted(sameHolder, 'holder-amy', amyAgain)).toBeUndefined();
    const trip = await submitted(second, 'holder-someone-else', amyAgain);
    expect(trip).toMatchObject({ rule: 'same_face', subject: `order:${first}`, detail: { identities: 2, limit: 0.56, latestOrder: second } });
    const flags = await t.server.db.db.selectFrom('orders').select(['id', 'channel_flag']).where('id', 'in', [first, other, sameHolder, second]).execute();
    expect(Object.fromEntries(flags.map((f) => [f.id, f.channel_flag]))).toEqual({ [first]: 'monitoring_same_face', [other]: null, [sameHolder]: 'monitoring_same_face', [second]: 'monitoring_same_face' });
    const alert = (await t.server.monitoring.list('open')).find((a) => a.rule === 'same_face');
    expect(alert?.action).toBe('shipments_held');
    // The index holds descriptors sealed, nothing in clear.
    const row = await t.server.db.db.selectFrom('face_index').select('face').where('order_id', '=', first).executeTakeFirstOrThrow();
    expect(Buffer.from(row.face).toString('latin1')).not.toContain(String(amy[0]).slice(0, 6));
    // Once the index no longer holds them (pruned past the window), the faces this process opened are no longer compared.
    await t.server.db.db.deleteFrom('face_index').execute();
    expect(await submitted(await order({ outcome: 'approved' }), 'holder-after-pruning', amyAgain)).toBeUndefined();
  });

  it('a shipment a rule held stays held when its agent is suspended and then reactivated: only a person working the operations queue releases it', async () => {
    const seller = await agent();
    const [held, agentsOwn] = [await order({ channelId: seller.id, outcome: 'approved' }), await order({ channelId: seller.id, outcome: 'approved' })];
    await t.server.db.db.updateTable('orders').set({ channel_flag: 'monitoring_same_face' }).where('id', '=', held).execute();
    const patch = (body: unknown) => t.api.json<Channel>(`/api/operator/channels/${seller.id}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` }, body: JSON.stringify(body),
    });
    const flags = async (): Promise<Record<string, string | null>> => Object.fromEntries((await t.server.db.db.selectFrom('orders').select(['id', 'channel_flag']).where('id', 'in', [held, agentsOwn]).execute()).map((f) => [f.id, f.channel_flag]));
    expect((await patch({ status: 'suspended', reason: '销售异常，核查中', evidence: ['CASE-MON-1'] })).status).toBe(200);
    expect(await flags()).toEqual({ [held]: 'monitoring_same_face', [agentsOwn]: 'channel_suspended' });
    expect((await patch({ status: 'active' })).status).toBe(200);
    expect(await flags()).toEqual({ [held]: 'monitoring_same_face', [agentsOwn]: null });
  });

  it('shows the alerts to support and auditors, lets support close one with a note, and no one else', async () => {
    await sweep();
    const support = (await staffMember(t.server, t, ['support'])).client;
    const open = await support.call<{ alerts: Alert[] }>('GET', '/api/console/alerts');
    expect(open.status).toBe(200);
    expect(new Set(open.body.alerts.map((a) => a.rule))).toEqual(new Set(['agent_burst', 'agent_refusals', 'client_identities', 'live_check_failures', 'courier_refusals', 'held_unordered', 'same_face']));
    const burst = open.body.alerts.find((a) => a.rule === 'agent_burst');
    expect(burst).toMatchObject({ status: 'open', action: 'agent_suspended', detail: { orders: 4, limit: 3 } });

    const reviewer = (await staffMember(t.server, t, ['reviewer'])).client;
    expect((await reviewer.call('GET', '/api/console/alerts')).status).toBe(403);
    expect((await support.call('POST', `/api/console/alerts/${burst?.id}/close`, { note: '' })).status).toBe(400);
    expect((await support.call('POST', `/api/console/alerts/${burst?.id}/close`, { note: '已核查：批量开卡，代理商已暂停' })).status).toBe(204);
    expect((await support.call('POST', `/api/console/alerts/${burst?.id}/close`, { note: 'again' })).status).toBe(404);
    const auditor = (await staffMember(t.server, t, ['auditor'])).client;
    const all = await auditor.call<{ alerts: Alert[] }>('GET', '/api/console/alerts?status=all');
    expect(all.body.alerts.find((a) => a.id === burst?.id)).toMatchObject({ status: 'closed', closedBy: expect.stringMatching(/^staff:/u) as string });
  });
});

describe('the dashboard', () => {
  it('counts each China day\'s orders submitted, approved, refused, sent to a person and refused for the five-card cap, for all channels or one, with the refusals by reason and a CSV file', async () => {
    const shop = await agent();
    // 23:30 and 00:30 China time on two days: the day is China's, not the server's.
    const day = (d: string, hm: string) => Date.parse(`${d}T${hm}:00+08:00`);
    await order({ channelId: shop.id, outcome: 'approved', at: day('2026-10-01', '23:30') });
    await order({ channelId: shop.id, outcome: 'rejected', reasons: ['card_cap_reached'], at: day('2026-10-02', '00:30') });
    await order({ channelId: shop.id, outcome: 'rejected', reasons: ['face_mismatch', 'card_expired'], at: day('2026-10-02', '09:00') });
    await order({ outcome: 'review', at: day('2026-10-02', '10:00') });
    await order({ outcome: 'rejected', reasons: ['face_mismatch'], at: day('2026-10-03', '12:00') });
    // Cases reported: one about the shop's sales, one about no channel.
    const reported = async (at: number, channelId: string | null) => {
      const id = randomUUID();
      await t.server.db.db.insertInto('cases').values({
        id, reference: `JB-${id.slice(0, 5).toUpperCase()}-TEST0`, kind: 'fraud_number', state: 'open', filed_at: at, due_at: at + 86_400_000, assignee: null, outcome: null, closed_at: null,
        details: t.server.envelope.sealJson({ description: 'test', numbers: [], screenshots: [] }, sealedAs.caseDetails(id)), order_id: null, channel_id: channelId,
      }).execute();
    };
    await reported(day('2026-10-02', '08:00'), shop.id);
    await reported(day('2026-10-03', '08:00'), null);

    const auditor = (await staffMember(t.server, t, ['auditor'])).client;
    const all = await auditor.call<Dashboard>('GET', '/api/console/dashboard?from=2026-10-01&to=2026-10-03');
    expect(all.status).toBe(200);
    expect(all.body.days.map((d) => [d.day, d.submitted, d.approved, d.refused, d.review, d.fiveCards])).toEqual([
      ['2026-10-01', 1, 1, 0, 0, 0], ['2026-10-02', 3, 0, 2, 1, 1], ['2026-10-03', 1, 0, 1, 0, 0],
    ]);
    expect(all.body.refusalsByReason).toEqual({ card_cap_reached: 1, face_mismatch: 2, card_expired: 1 });
    expect(all.body.days.map((d) => d.cases)).toEqual([0, 1, 1]);
    const one = await auditor.call<Dashboard>('GET', `/api/console/dashboard?from=2026-10-01&to=2026-10-03&channel=${shop.agentNumber}`);
    expect(one.body.days.map((d) => d.submitted)).toEqual([1, 2, 0]);
    expect(one.body.days.map((d) => d.cases)).toEqual([0, 1, 0]);
    expect(one.body.refusalsByReason).toEqual({ card_cap_reached: 1, face_mismatch: 1, card_expired: 1 });

    const csv = await fetch(`${t.server.url}/api/console/dashboard.csv?from=2026-10-02&to=2026-10-02&channel=${shop.agentNumber}`, { headers: { cookie: auditor.cookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).trim().split('\n')).toEqual([
      'day,channel,submitted,approved,refused,review,five_card_refusals,alerts,cases', `2026-10-02,${shop.agentNumber},2,0,2,0,1,0,1`,
    ]);
    expect((await auditor.call('GET', '/api/console/dashboard?from=2026-10-03&to=2026-10-01')).status).toBe(400);
    expect((await auditor.call('GET', '/api/console/dashboard?from=2026-01-01&to=2026-10-01')).status).toBe(400);
    expect((await (await staffMember(t.server, t, ['reviewer'])).client.call('GET', '/api/console/dashboard?from=2026-10-01&to=2026-10-03')).status).toBe(403);
  });
});
