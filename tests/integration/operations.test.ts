import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, CourierAccount, CourierDelivery, ErrorBody, FailedJob, HeldAgentOrder, OrderView } from '@shared';
import { ProvisioningError, type ProvisioningPort, type ProvisioningRequest } from '../../bff/src/providers/provisioning/provisioning.port.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { applyEffects } from '../../bff/src/sandbox/mockId/effects.js';
import { row } from '../support/db.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, cameraFrame } from '../support/liveFrames.js';
import { admission, approveAgent } from '../support/agents.js';
import { type StaffClient, staffMember } from '../support/staff.js';
import { type TestServer, readyOrder, startTestServer, waitForState } from '../support/testServer.js';

/** The provisioning system, refusing every activation for good (a barred number) and counting what it was sent. */
const sent: ProvisioningRequest[] = [];
const barred: ProvisioningPort = {
  activate: (request) => {
    sent.push(request);
    return Promise.reject(new ProvisioningError('number_conflict', 'the number is barred in the provisioning system'));
  },
  suspend: () => Promise.reject(new ProvisioningError('unavailable', 'not used here')),
  resume: () => Promise.reject(new ProvisioningError('unavailable', 'not used here')),
  terminate: () => Promise.reject(new ProvisioningError('unavailable', 'not used here')),
  status: (iccid) => Promise.resolve({ iccid, status: 'inactive' }),
};

let t: TestServer;
let manager: StaffClient;
let ops: StaffClient;
let reviewer: StaffClient;

beforeAll(async () => {
  t = await startTestServer({ LOGISTICS_MOCK_LATENCY_MS: '5' }, { provisioning: barred });
  manager = (await staffMember(t.server, t, ['channel_manager'], 'feng.channels')).client;
  ops = (await staffMember(t.server, t, ['administrator'], 'chu.ops')).client;
  reviewer = (await staffMember(t.server, t, ['reviewer'], 'wei.review')).client;
});

afterAll(async () => {
  await t.stop();
});

const code = (body: unknown): string | undefined => (body as Partial<ErrorBody>).error?.code;
const reason = { reason: 'ticket OPS-2026-12: checked with the agent' };
const numberStatus = async (msisdn: string) => (await row<{ status: string }>(t.server.db, sql`SELECT status FROM numbers WHERE msisdn = ${msisdn}`))?.status;
const held = async () => (await manager.call<{ orders: HeldAgentOrder[] }>('GET', '/api/console/operations/held')).body.orders;

describe('the operations queues', () => {
  it('hold the approved orders of a suspended agent until cleared (then shipped) or cancelled (number released); a refused activation is sent again or given up', async () => {
    const { body: { channel, apiKey } } = await manager.call<{ channel: Channel; apiKey: string }>('POST', '/api/operator/channels', {
      agentNumber: 'AG-OPS-0001', name: '运营测试代理商', licenceNumber: '91350100M000100Y43', scope: ['sim_sale'], origins: ['https://shop.example.cn'], webhookUrl: null, admission: admission(),
    });
    await approveAgent(t.server, t, channel.id);
    const who = SANDBOX_IDENTITIES[0];
    const card = await generateMockCard({ face: await facePhoto(POSES.sheldon.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'operations' });
    const session = await t.api.agentSession(apiKey, 'https://shop.example.cn');
    const orders = [await readyOrder(t.api, card, POSES.sheldon, 'courier_verified', session), await readyOrder(t.api, card, POSES.sheldon, 'courier_verified', session)];
    // The agent is suspended while its buyers' orders are open: approved, they wait.
    expect((await manager.call('PATCH', `/api/operator/channels/${channel.id}`, { status: 'suspended', reason: 'sold cards without checking the buyer', evidence: ['CASE-2026-0201'] })).status).toBe(200);
    for (const order of orders) expect((await t.api.submit(order.id, order.token)).status).toBe(202);
    for (const order of orders) await waitForState(t.api, order, 'approved');
    await t.server.sweep();
    const [kept, dropped] = orders as [typeof orders[number], typeof orders[number]];
    expect((await held()).map((o) => [o.orderId, o.state, o.flag, o.agent]).sort()).toEqual(
      [[kept.id, 'approved', 'channel_suspended', 'AG-OPS-0001'], [dropped.id, 'approved', 'channel_suspended', 'AG-OPS-0001']].sort(),
    );
    expect((await t.api.get<OrderView>(`/api/orders/${kept.id}`, kept.token)).body.delivery).toBeUndefined();
    expect((await reviewer.call('GET', '/api/console/operations/held')).status).toBe(403);
    expect(code((await manager.call('POST', `/api/console/operations/held/${kept.id}/clear`, {})).body)).toBe('validation_failed');

    expect((await manager.call('POST', `/api/console/operations/held/${dropped.id}/cancel`, reason)).status).toBe(204);
    const cancelled = (await t.api.get<OrderView>(`/api/orders/${dropped.id}`, dropped.token)).body;
    expect([cancelled.state, cancelled.decision?.reasons]).toEqual(['rejected', ['channel_cancelled']]);
    expect(await numberStatus(dropped.msisdn)).toBe('available');

    expect((await manager.call('POST', `/api/console/operations/held/${kept.id}/clear`, reason)).status).toBe(204);
    const shipped = await waitForState(t.api, kept, 'shipped');
    expect(await held()).toEqual([]);

    // A courier added from the console hands the card over; the provisioning system refuses the activation for good.
    const added = await ops.call<{ courier: CourierAccount; accessCode: string }>('POST', '/api/console/couriers', { company: shipped.delivery?.carrier, name: '赵快递' });
    expect(added.status).toBe(201);
    expect((await t.api.get<CourierDelivery>(`/api/courier/deliveries/${shipped.delivery?.trackingNumber}`, added.body.accessCode)).status).toBe(200);
    const handed = await t.api.handOver(shipped.delivery?.trackingNumber ?? '', added.body.accessCode, {
      code: shipped.delivery?.handoverCode ?? '', card: await applyEffects(card.images.portrait, { rotate: -1 }), face: await cameraFrame(POSES.sheldon.neutral),
    });
    expect(handed.body).toMatchObject({ outcome: 'handed_over' });
    const jobs = async () => (await ops.call<{ jobs: FailedJob[] }>('GET', '/api/console/operations/jobs')).body.jobs;
    await expect.poll(jobs, { timeout: 30_000 }).toHaveLength(1);
    const [job] = await jobs();
    expect(job).toMatchObject({ orderId: kept.id, error: 'number_conflict', state: 'shipped' });

    // Sent again under the same key (the provisioning system sees one request twice), refused again, then given up.
    expect((await ops.call('POST', `/api/console/operations/jobs/${job?.key}/retry`, reason)).status).toBe(204);
    await expect.poll(() => sent.length, { timeout: 30_000 }).toBe(2);
    expect(new Set(sent.map((s) => s.idempotencyKey))).toEqual(new Set([job?.key]));
    await expect.poll(jobs, { timeout: 30_000 }).toHaveLength(1);
    expect((await ops.call('POST', `/api/console/operations/jobs/${job?.key}/cancel`, reason)).status).toBe(204);
    expect(await jobs()).toEqual([]);
    expect((await t.api.get<OrderView>(`/api/orders/${kept.id}`, kept.token)).body.state).toBe('returned');
    expect(await numberStatus(kept.msisdn)).toBe('available');
    const again = await ops.call('POST', `/api/console/operations/jobs/${job?.key}/retry`, reason);
    expect([again.status, code(again.body)]).toEqual([409, 'job_not_failed']);

    // The courier, disabled, opens nothing; every step is in the staff action log.
    expect((await ops.call('POST', `/api/console/couriers/${added.body.courier.id}/disable`)).status).toBe(204);
    expect((await t.api.get(`/api/courier/deliveries/${shipped.delivery?.trackingNumber}`, added.body.accessCode)).status).toBe(401);
    expect((await ops.call<{ couriers: CourierAccount[] }>('GET', '/api/console/couriers')).body.couriers.find((c) => c.id === added.body.courier.id)?.disabled).toBe(true);
    const auditor = (await staffMember(t.server, t, ['auditor'], 'yan.audit')).client;
    const actions = (await auditor.call<{ actions: { staff: string; action: string }[] }>('GET', '/api/console/actions')).body.actions.map((a) => `${a.staff} ${a.action}`);
    expect(actions).toEqual(expect.arrayContaining([
      'feng.channels held.cancel', 'feng.channels held.clear', 'chu.ops courier.add', 'chu.ops provisioning.retry', 'chu.ops provisioning.cancel', 'chu.ops courier.disable',
    ]));
  });
});
