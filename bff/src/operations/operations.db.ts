import type { OrderState } from '@shared';
import { changed } from '../providers/db/database.js';
import { Tables } from '../providers/db/tables.js';

/** A provisioning request that failed for good, with the order it would have activated. */
export interface FailedJobRow {
  idempotency_key: string;
  order_id: string;
  iccid: string;
  msisdn: string;
  attempts: number;
  last_error: string | null;
  done_at: number | null;
  state: OrderState;
}

/** An order of an agent that stopped selling, held before it ships. */
export interface HeldOrderRow {
  id: string;
  state: OrderState;
  msisdn: string;
  channel_flag: string;
  created_at: number;
  agent_number: string | null;
  agent_name: string | null;
}

/** States before the card leaves the warehouse: an order of a suspended agent waits in them. */
const BEFORE_SHIPPING: readonly OrderState[] = ['submitted', 'verifying', 'review', 'approved'];

/** The operations queues: provisioning jobs that failed for good, orders held for their agent. */
export class OperationsDb extends Tables {
  /** Failed jobs whose order still waits for its service (a cancelled one has been returned). */
  #failed() {
    return this.db.selectFrom('provisioning_jobs as j').innerJoin('orders as o', 'o.id', 'j.order_id')
      .select(['j.idempotency_key', 'j.order_id', 'j.iccid', 'j.msisdn', 'j.attempts', 'j.last_error', 'j.done_at', 'o.state'])
      .where('j.status', '=', 'failed').where('o.state', 'in', ['shipped', 'shipped_unactivated']);
  }

  async failedJobs(): Promise<FailedJobRow[]> {
    return this.#failed().orderBy('j.done_at').execute();
  }

  async failedJob(key: string): Promise<FailedJobRow | undefined> {
    return this.#failed().where('j.idempotency_key', '=', key).executeTakeFirst();
  }

  /** Sends a failed job again, from its first delay, under the same idempotency key. */
  async retryJob(key: string, now: number): Promise<boolean> {
    return changed(await this.db.updateTable('provisioning_jobs').set({ status: 'pending', attempts: 0, next_at: now, done_at: null, claimed_until: null })
      .where('idempotency_key', '=', key).where('status', '=', 'failed').executeTakeFirst()) === 1;
  }

  /** Marks a failed job as given up: it stays failed, with why. */
  async giveUpJob(key: string, why: string): Promise<void> {
    await this.db.updateTable('provisioning_jobs').set({ last_error: why }).where('idempotency_key', '=', key).where('status', '=', 'failed').execute();
  }

  /** Orders held for their agent, oldest first; `id`: that one only. */
  async heldOrders(id?: string): Promise<HeldOrderRow[]> {
    let query = this.db.selectFrom('orders as o').leftJoin('channels as c', 'c.id', 'o.channel_id')
      .select(['o.id', 'o.state', 'o.msisdn', 'o.channel_flag', 'o.created_at', 'c.agent_number', 'c.name as agent_name'])
      .where('o.channel_flag', 'is not', null).where('o.state', 'in', BEFORE_SHIPPING);
    if (id !== undefined) query = query.where('o.id', '=', id);
    const rows = await query.orderBy('o.created_at').execute();
    return rows.map((r) => ({ ...r, channel_flag: r.channel_flag ?? '', agent_number: r.agent_number ?? null, agent_name: r.agent_name ?? null }));
  }

  async heldOrder(id: string): Promise<HeldOrderRow | undefined> {
    return (await this.heldOrders(id))[0];
  }

  /** A person cleared the order: it ships though its agent stopped selling. */
  async clearFlag(orderId: string): Promise<boolean> {
    return changed(await this.db.updateTable('orders').set({ channel_flag: null }).where('id', '=', orderId).where('channel_flag', 'is not', null).executeTakeFirst()) === 1;
  }
}
