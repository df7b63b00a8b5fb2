import type { CreatedOrder } from '@shared';
import { AppError } from '../errors.js';
import type { OrdersDb } from '../providers/db/orders.db.js';
import type { RegistrationService } from '../registrations/registrationService.js';
import type { OrderService } from '../services/orderService.js';
import type { CampaignService } from './campaignService.js';
import type { CampaignsDb } from './campaigns.db.js';
import type { NumberProofService } from './numberProofService.js';

export interface ReregistrationDeps {
  orders: OrdersDb;
  orderService: OrderService;
  proofs: NumberProofService;
  campaigns: CampaignService;
  subscribers: Pick<CampaignsDb, 'subscriber'>;
  registrations: Pick<RegistrationService, 'register'>;
  /** Told of each number registered online (the sandbox's billing books learn its holder, as the operator's would). */
  onRegistered?: (line: { msisdn: string; holder_key: string; service: string }) => void;
  now: () => number;
  log: (level: 'error' | 'info', message: string) => void;
}

/**
 * The online channel of re-registration (补登记): a subscriber who proved they hold their number goes
 * through the buyer's checks on an order of its own; once it is approved, the verified identity is
 * the number's registration record, the number leaves its campaigns and a suspended line is given
 * back. Nothing is charged and the plan stays as it is.
 */
export class ReregistrationService {
  readonly #d: ReregistrationDeps;
  readonly #running = new Map<string, Promise<void>>();

  constructor(deps: ReregistrationDeps) {
    this.#d = deps;
  }

  /** The draft for the number a session proves, if its service was not stopped. */
  async start(sessionToken: string | undefined): Promise<CreatedOrder> {
    const msisdn = await this.#d.proofs.numberOf(sessionToken);
    const subscriber = await this.#d.subscribers.subscriber(msisdn);
    if (!subscriber || subscriber.service === 'stopped') {
      throw new AppError('number_not_in_service', 'this number is not in service with us: visit one of our stores', 409);
    }
    return this.#d.orderService.createReregistration(msisdn);
  }

  /**
   * An approved re-registration made the number's registration: out of its campaigns (a suspended
   * line resumed), then the order closed with its record, together. A step whose service does not
   * answer leaves the order approved; the sweep tries again (each step may be repeated).
   */
  async complete(orderId: string): Promise<void> {
    const running = this.#running.get(orderId);
    if (running) return running;
    const run = this.#complete(orderId)
      .catch((error: unknown) => this.#d.log('error', `re-registration ${orderId} not completed yet, tried again later: ${error instanceof Error ? error.message : 'error'}`))
      .finally(() => this.#running.delete(orderId));
    this.#running.set(orderId, run);
    return run;
  }

  async #complete(orderId: string): Promise<void> {
    const order = await this.#d.orders.getOrder(orderId);
    if (order?.state !== 'approved' || order.delivery_path !== 'reregistration' || !order.holder_key) return;
    const now = this.#d.now();
    const subscriber = await this.#d.subscribers.subscriber(order.msisdn);
    if (!subscriber || subscriber.service === 'stopped') {
      await this.#d.orders.transition(orderId, 'approved', 'rejected', 'the number\'s service was stopped before its registration', 'system', now);
      return;
    }
    await this.#d.campaigns.registered(order.msisdn, order.holder_key);
    await this.#d.orders.database.transaction(this.#d.orders.db, async (trx) => {
      if (!await this.#d.orders.transition(orderId, 'approved', 'activated', 're-registered: the verified identity is the number\'s registration', 'system', now, {}, trx)) return;
      await this.#d.registrations.register(trx, orderId, subscriber.iccid, now);
    });
    this.#d.onRegistered?.({ msisdn: order.msisdn, holder_key: order.holder_key, service: 'active' });
  }

  /** Approved re-registrations not completed (a service did not answer, or the process stopped half-way). */
  async sweep(): Promise<number> {
    const due = await this.#d.orders.approvedReregistrations();
    for (const id of due) await this.complete(id);
    return due.length;
  }

  /** Resolves when a completion under way has finished (tests, shutdown). */
  async settled(orderId: string): Promise<void> {
    await this.#running.get(orderId);
  }
}
