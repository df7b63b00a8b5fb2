import { randomBytes, randomUUID } from 'node:crypto';
import { type CourierAccount, type FailedJob, type HeldAgentOrder, decisionSchema } from '@shared';
import { hashToken } from '../crypto/tokens.js';
import { AppError } from '../errors.js';
import type { FulfilmentDb } from '../providers/db/fulfilment.db.js';
import type { OrdersDb } from '../providers/db/orders.db.js';
import type { StaffMember } from '../staff/staffService.js';
import type { OperationsDb } from './operations.db.js';

interface OperationsServiceDeps {
  db: OperationsDb;
  orders: OrdersDb;
  fulfilment: FulfilmentDb;
  now: () => number;
  /** Sends due provisioning requests now (after a retry). */
  runJobs: () => void;
  /** Ships an approved order (after it was cleared). */
  ship: (orderId: string) => void;
}

/**
 * The operator's day-to-day queues: provisioning requests the provisioning system refused for good
 * (sent again, or given up and the order returned), orders of an agent that stopped selling (held
 * before shipping until someone clears or cancels them), and the couriers who may open deliveries.
 */
export class OperationsService {
  readonly #d: OperationsServiceDeps;

  constructor(deps: OperationsServiceDeps) {
    this.#d = deps;
  }

  async failedJobs(): Promise<FailedJob[]> {
    return (await this.#d.db.failedJobs()).map((j) => ({
      key: j.idempotency_key, orderId: j.order_id, iccid: j.iccid, msisdn: j.msisdn, attempts: Number(j.attempts), error: j.last_error ?? '',
      failedAt: j.done_at === null ? null : Number(j.done_at), state: j.state,
    }));
  }

  async retryJob(key: string): Promise<void> {
    if (!await this.#d.db.failedJob(key) || !await this.#d.db.retryJob(key, this.#d.now())) throw new AppError('job_not_failed', 'no failed provisioning job with this key', 409);
    this.#d.runJobs();
  }

  /** Gives the activation up: the order is returned, its number and card released. */
  async cancelJob(key: string, reason: string, member: StaffMember): Promise<void> {
    const job = await this.#d.db.failedJob(key);
    if (!job || (job.state !== 'shipped' && job.state !== 'shipped_unactivated')) throw new AppError('job_not_failed', 'no failed provisioning job with this key', 409);
    await this.#d.db.giveUpJob(key, `cancelled by ${member.username}: ${job.last_error ?? ''}`);
    if (!await this.#d.fulfilment.returnOrder(job.order_id, job.state, `activation given up: ${reason}`, `staff:${member.username}`, this.#d.now())) {
      throw new AppError('illegal_transition', 'the order changed meanwhile', 409);
    }
  }

  async heldOrders(): Promise<HeldAgentOrder[]> {
    return (await this.#d.db.heldOrders()).map((o) => ({
      orderId: o.id, state: o.state, msisdn: o.msisdn, flag: o.channel_flag, createdAt: Number(o.created_at), agent: o.agent_number, agentName: o.agent_name,
    }));
  }

  /** The order may go ahead though its agent stopped selling (it ships now if it was approved). */
  async clearHeld(orderId: string): Promise<void> {
    const held = await this.#d.db.heldOrder(orderId);
    if (!held || !await this.#d.db.clearFlag(orderId)) throw new AppError('not_found', 'no held order with this id', 404);
    if (held.state === 'approved') this.#d.ship(orderId);
  }

  /** The order is cancelled (`channel_cancelled`): its number released, nothing ships. Only once it was decided. */
  async cancelHeld(orderId: string, reason: string, member: StaffMember): Promise<void> {
    const held = await this.#d.db.heldOrder(orderId);
    if (!held) throw new AppError('not_found', 'no held order with this id', 404);
    if (held.state !== 'approved' && held.state !== 'review') throw new AppError('illegal_transition', 'this order is being verified: cancel it once it is decided', 409);
    const now = this.#d.now();
    const decision = decisionSchema.parse({ outcome: 'rejected', reasons: ['channel_cancelled'], decidedAt: new Date(now).toISOString() });
    if (!await this.#d.orders.transition(orderId, held.state, 'rejected', `channel_cancelled: ${reason}`, `staff:${member.username}`, now, { decision: JSON.stringify(decision) })) {
      throw new AppError('illegal_transition', 'the order changed meanwhile', 409);
    }
    await this.#d.orders.releaseNumber(orderId);
  }

  async couriers(): Promise<CourierAccount[]> {
    return (await this.#d.fulfilment.couriers()).map((c) => ({ id: c.id, company: c.company, name: c.name, role: c.role, disabled: c.disabled_at !== null }));
  }

  /** A courier who may open their carrier's deliveries; the access code is shown this once (only its hash is kept). */
  async addCourier(input: { company: string; name: string; supervisor: boolean }): Promise<{ courier: CourierAccount; accessCode: string }> {
    const accessCode = randomBytes(24).toString('base64url');
    const id = randomUUID();
    const role = input.supervisor ? 'supervisor' as const : 'courier' as const;
    await this.#d.fulfilment.addCourier({ id, company: input.company, name: input.name, role, token_hash: hashToken(accessCode), created_at: this.#d.now() });
    return { courier: { id, company: input.company, name: input.name, role, disabled: false }, accessCode };
  }

  async disableCourier(id: string): Promise<void> {
    if (await this.#d.fulfilment.disableCouriers([id], this.#d.now()) === 0) throw new AppError('not_found', 'no enabled courier with this id', 404);
  }
}
