import { randomUUID } from 'node:crypto';
import type { OrderState } from '@shared';
import type { TestServer } from './testServer.js';

/**
 * Rows the monitoring rules read, written straight into their tables: an order as the rules see it
 * (through a channel, from a network, by an identity, submitted and decided `ago` ms before now).
 */
export function monitoringData(t: TestServer) {
  const db = t.server.db.db;
  let numbers = 0;

  async function order(o: { channelId?: string; outcome?: 'approved' | 'rejected' | 'review'; reasons?: string[]; holder?: string; client?: string; ago?: number; at?: number } = {}): Promise<string> {
    const at = o.at ?? t.now() - (o.ago ?? 60_000);
    const id = randomUUID();
    const msisdn = `171${String((numbers += 1)).padStart(8, '0')}`;
    const channelId = o.channelId ?? (await db.selectFrom('channels').select('id').where('kind', '=', 'operator').executeTakeFirstOrThrow()).id;
    await db.insertInto('orders').values({
      id, token_hash: randomUUID(), state: o.outcome ?? 'verifying', msisdn, delivery_path: 'courier_verified', created_at: at, updated_at: at, hold_expires_at: at + 3_600_000,
      channel_id: channelId, consent_at: at, consent_version: '2026-11', identity: null, checks: null,
      decision: o.outcome ? JSON.stringify({ outcome: o.outcome, reasons: o.reasons ?? [], decidedAt: new Date(at).toISOString() }) : null, holder_key: o.holder ?? randomUUID(), channel_flag: null, purged_at: null,
    }).execute();
    await db.insertInto('numbers').values({ msisdn, status: 'assigned', hold_id: null, hold_token_hash: null, held_until: null, order_id: id, hold_client: o.client ?? randomUUID(), origin: 'sandbox' }).execute();
    const steps: [OrderState | null, OrderState][] = [[null, 'draft'], ['draft', 'submitted'], ['submitted', 'verifying'], ...(o.outcome ? [['verifying', o.outcome] as [OrderState, OrderState]] : [])];
    for (const [from, to] of steps) await db.insertInto('transitions').values({ order_id: id, from_state: from, to_state: to, at, reason: 'test', actor: 'test' }).execute();
    return id;
  }

  /** A live check failed `ago` ms before now. */
  async function failedLiveCheck(ago = 60_000): Promise<void> {
    await db.insertInto('liveness_challenges').values({
      id: randomUUID(), order_id: await order(), actions: '[]', colours: '[]', issued_at: t.now() - ago, expires_at: t.now(), answered_at: t.now() - ago,
      outcome: 'failed', reasons: '["liveness_motion_missing"]', score: null, object_id: null, face: null, purpose: 'purchase',
    }).execute();
  }

  /** A hand-over by `courier`, a minute ago. */
  async function handover(courier: string, outcome: 'refused' | 'handed_over'): Promise<void> {
    await db.insertInto('handovers').values({
      order_id: await order({ outcome: 'approved' }), courier_id: courier, at: t.now() - 60_000, outcome, reasons: '[]',
      card_object_id: null, face_object_id: null, score: null, confirmed_at: null, device_time: null, live_score: null, supervisor_id: null,
    }).execute();
  }

  /** The sandbox's couriers' ids. */
  const couriers = async (): Promise<string[]> => (await db.selectFrom('couriers').select('id').orderBy('id').execute()).map((c) => c.id);

  return { order, failedLiveCheck, handover, couriers };
}

/** Runs `make` `n` times, one after the other. */
export async function times(n: number, make: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += 1) await make();
}
