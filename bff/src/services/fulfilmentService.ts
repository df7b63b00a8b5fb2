import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  type CourierDelivery,
  type DeliveryView,
  type HandoverResult,
  type OutcomeReason,
  type RefuseRequest,
  isPurchase,
} from '@shared';
import type { Envelope } from '../crypto/envelope.js';
import { hashToken } from '../crypto/tokens.js';
import type { VisionEngine } from '../engine/visionEngine.js';
import { AppError } from '../errors.js';
import type { CourierRow, FulfilmentDb, ProvisioningJobRow, ShipmentRow } from '../providers/db/fulfilment.db.js';
import type { OrderRow, OrdersDb } from '../providers/db/orders.db.js';
import { LogisticsError, type LogisticsPort } from '../providers/logistics/logistics.port.js';
import { ProvisioningError, type ProvisioningPort } from '../providers/provisioning/provisioning.port.js';
import type { EvidenceStorage } from '../providers/storage/storage.port.js';
import { acceptImage } from '../verification/intake.js';
import { SURE_FACE, recheckCard } from '../verification/cardRecheck.js';
import { faceIn, faceVerdict } from '../verification/pipeline.js';
import { cardDifferences, maskName } from '../verification/sameCard.js';
import type { OrderService } from './orderService.js';
import { sealedAs } from '../providers/db/sealed.js';
import type { Schema } from '../providers/db/schema.js';
import type { Transaction } from 'kysely';

export interface FulfilmentDeps {
  db: OrdersDb;
  fulfilment: FulfilmentDb;
  storage: EvidenceStorage;
  envelope: Envelope;
  engine: VisionEngine;
  orders: OrderService;
  logistics: LogisticsPort;
  provisioning: ProvisioningPort;
  settings: {
    faceMatchMaxDistance: number;
    faceReviewMargin: number;
    /** How long a process has a provisioning job it took (longer than a request to the system takes); after that, another may take it. */
    claimMs: number;
  };
  /** Records the registration of an order being activated, inside the activation's transaction. */
  register: (trx: Transaction<Schema>, orderId: string, iccid: string, now: number) => Promise<void>;
  log: (level: 'error' | 'info', message: string) => void;
  /** Runs work nobody waits for: a failure is logged, never left to end the process. */
  background: (what: string, work: Promise<unknown>) => void;
  now: () => number;
}

/** Wrong hand-over codes a delivery takes; after the last, only a supervisor can close it. */
export const HANDOVER_CODE_ATTEMPTS = 5;

/** What the courier sends at the door. */
export interface HandoverInput {
  code: string;
  /** The recipient's original ID card. */
  card: Buffer;
  /** The recipient's face: always photographed (182号 三(二): the recipient must be the applicant). */
  face: Buffer | undefined;
  /** The courier confirms they compared the recipient with the card in their hand. */
  confirmed: boolean;
  /** The courier's device's clock, as it said. */
  deviceTime: string | undefined;
}



/** Waits before trying a provisioning request again, by attempts made so far. */
const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000];

/** Seals a hand-over code to its order's shipment. */
const codeAad = sealedAs.handoverCode;

/**
 * After approval: the card is packed and shipped; on path A a courier checks the recipient's ID at
 * the door before handing it over; then the provisioning system opens the service, exactly once.
 */
export class FulfilmentService {
  readonly #d: FulfilmentDeps;
  readonly #shipping = new Map<string, Promise<void>>();
  readonly #jobs = new Map<string, Promise<void>>();

  constructor(deps: FulfilmentDeps) {
    this.#d = deps;
  }

  /** Packs and books an approved order's card (again, safely, if an earlier try stopped half-way). */
  async ship(orderId: string): Promise<void> {
    const running = this.#shipping.get(orderId);
    if (running) return running;
    const run = this.shipNow(orderId)
      .catch((error: unknown) => {
        const what = error instanceof LogisticsError ? error.code : error instanceof Error ? error.name : 'error';
        this.#d.log('error', `shipping order ${orderId} failed, tried again later: ${what}`);
      })
      .finally(() => this.#shipping.delete(orderId));
    this.#shipping.set(orderId, run);
    return run;
  }

  private async shipNow(orderId: string): Promise<void> {
    const order = await this.#d.db.getOrder(orderId);
    // A re-registration ships nothing (the number is in service already), nor does an identity check.
    if (order?.state !== 'approved' || !isPurchase(order.delivery_path)) return;
    // Its agent stopped selling: the order waits in the operations queue until someone clears or cancels it.
    if (order.channel_flag !== null) return;
    const iccid = await this.#d.fulfilment.allotSimCard(orderId);
    if (!iccid) {
      this.#d.log('error', `no SIM card in stock for order ${orderId}`);
      return;
    }
    const booked = await this.#d.logistics.book({ orderId, deliveryPath: order.delivery_path });
    const courierChecks = order.delivery_path === 'courier_verified';
    const code = courierChecks ? this.#d.envelope.sealJson(String(randomInt(1_000_000)).padStart(6, '0'), codeAad(orderId)) : null;
    await this.#d.fulfilment.recordShipment(
      { order_id: orderId, carrier: booked.carrier, tracking_number: booked.trackingNumber, iccid, handover_code: code, status: 'in_transit', created_at: this.#d.now() },
      courierChecks ? 'shipped' : 'shipped_unactivated',
    );
  }

  /** Ships approved orders left unshipped, and sends provisioning requests that are due. */
  async sweep(): Promise<void> {
    await Promise.all((await this.#d.fulfilment.approvedUnshipped()).map(async (id) => await this.ship(id)));
    await this.runDueJobs();
  }

  /** Resolves when shipping and activation started for an order have settled (tests, shutdown). */
  async settled(orderId: string): Promise<void> {
    await this.#shipping.get(orderId);
    const job = await this.#d.fulfilment.provisioningJobOf(orderId);
    if (job) await this.#jobs.get(job.idempotency_key);
  }

  /** The parcel as the buyer sees it; the hand-over code until the card is handed over. */
  async deliveryOf(row: OrderRow): Promise<DeliveryView | undefined> {
    const shipment = await this.#d.fulfilment.shipmentOf(row.id);
    if (!shipment) return undefined;
    const open = shipment.status === 'in_transit' || shipment.status === 'out_for_delivery';
    const sandboxCode = row.delivery_path === 'unactivated' ? (await this.#d.fulfilment.simCard(shipment.iccid))?.sandbox_pack_code : undefined;
    return {
      carrier: shipment.carrier,
      trackingNumber: shipment.tracking_number,
      status: shipment.status,
      iccidLast4: shipment.iccid.slice(-4),
      ...(open && shipment.handover_code ? { handoverCode: this.handoverCode(shipment) } : {}),
      ...(sandboxCode ? { sandboxPackCode: this.#d.envelope.openJson(sandboxCode, sealedAs.packCode(shipment.iccid)) as string } : {}),
    };
  }

  private handoverCode(shipment: ShipmentRow): string {
    if (!shipment.handover_code) throw new Error('this delivery has no hand-over code');
    return this.#d.envelope.openJson(shipment.handover_code, codeAad(shipment.order_id)) as string;
  }

  /** The courier a token belongs to (not disabled); anything else is 401. */
  async courier(token: string | undefined): Promise<CourierRow> {
    const courier = token ? await this.#d.fulfilment.courierByTokenHash(hashToken(token)) : undefined;
    if (!courier) throw new AppError('unauthorized', 'sign in with your courier access code', 401);
    return courier;
  }

  /** A supervisor of the courier's own carrier, by their access code; anything else is 403. */
  async supervisor(courier: CourierRow, token: string): Promise<CourierRow> {
    const supervisor = await this.#d.fulfilment.courierByTokenHash(hashToken(token));
    if (supervisor?.role !== 'supervisor' || supervisor.company !== courier.company) {
      throw new AppError('unauthorized', 'that is not the access code of a supervisor of your company', 403);
    }
    return supervisor;
  }

  /**
   * A delivery this courier may work on: their company's, checked at the door (path A), still open.
   * Another company's parcel does not exist for them; a closed one says only that it is closed.
   */
  async openDelivery(courier: CourierRow, trackingNumber: string): Promise<{ shipment: ShipmentRow; order: OrderRow }> {
    const shipment = await this.#d.fulfilment.shipmentByTracking(trackingNumber);
    const order = shipment ? await this.#d.db.getOrder(shipment.order_id) : undefined;
    if (!shipment || !order || shipment.carrier !== courier.company || order.delivery_path !== 'courier_verified') {
      throw new AppError('not_found', 'no delivery with this tracking number for your company', 404);
    }
    if (order.state !== 'shipped' || !['in_transit', 'out_for_delivery'].includes(shipment.status)) {
      throw new AppError('delivery_closed', 'this delivery is closed', 410);
    }
    return { shipment, order };
  }

  async delivery(courier: CourierRow, trackingNumber: string): Promise<CourierDelivery> {
    const { shipment, order } = await this.openDelivery(courier, trackingNumber);
    const { portrait } = this.#d.orders.identityOf(order);
    return {
      trackingNumber: shipment.tracking_number,
      carrier: shipment.carrier,
      status: shipment.status,
      maskedName: maskName(portrait.name),
      idNumberLast4: (portrait.idNumber ?? '').slice(-4),
      msisdn: order.msisdn,
    };
  }

  /**
   * The check at the door: the hand-over code, then the recipient's original ID card read and
   * compared with the card submitted online (same number, name and address; the same printed
   * portrait), and the recipient's face against that portrait and against the buyer's live check.
   * A photo that cannot be read is a retake and nothing is kept; a decision keeps the photos, the
   * courier's confirmation and the device's time as the delivery record.
   */
  async handOver(courier: CourierRow, trackingNumber: string, input: HandoverInput): Promise<HandoverResult> {
    const { shipment, order } = await this.openDelivery(courier, trackingNumber);
    await this.checkCode(shipment, input.code);
    if (!input.face) throw new AppError('upload_missing_file', 'photograph the recipient\'s face too (the field "face"): the recipient must be the buyer', 400);
    if (!input.confirmed) throw new AppError('handover_confirmation_required', 'confirm that you compared the recipient with the ID card in their hand', 400);

    const card = await recheckCard(this.#d.engine, input.card);
    if (card.problems.length > 0) return { outcome: 'retake', reasons: card.problems };
    const recipient = await acceptImage(input.face);
    const recipientFace = await faceIn(this.#d.engine, recipient.jpeg);
    if (!recipientFace) return { outcome: 'retake', reasons: ['handover_face_not_found'] };

    const online = this.#d.orders.identityOf(order).portrait;
    const reasons = cardDifferences(online, card.read, { idNumber: 'handover_id_mismatch', name: 'handover_name_mismatch', address: 'handover_card_mismatch' });
    const portrait = await this.#d.orders.evidenceFace(order.id, 'portrait');
    if (!portrait) throw new Error('an approved order without a card portrait');
    const sameCard = faceVerdict(card.face?.descriptor ?? [], portrait.descriptor, this.#d.settings, { review: 'face_borderline', fail: 'handover_card_mismatch' });
    // The text already tells it is another card; otherwise an unsure face is worth another photo.
    if (reasons.length === 0 && sameCard.outcome === 'fail' && (card.face?.score ?? 0) < SURE_FACE) return { outcome: 'retake', reasons: ['card_portrait_no_face'] };
    if (sameCard.outcome === 'fail') reasons.push(...sameCard.reasons);
    const faceReasons = { review: 'face_borderline', fail: 'handover_face_mismatch' } as const;
    const samePerson = faceVerdict(recipientFace.descriptor, portrait.descriptor, this.#d.settings, faceReasons);
    const live = await this.#d.orders.liveness.currentFace(order.id);
    const sameAsLive = live ? faceVerdict(recipientFace.descriptor, live.descriptor, this.#d.settings, faceReasons) : undefined;
    if (samePerson.outcome === 'fail') reasons.push(...samePerson.reasons);
    if (sameAsLive?.outcome === 'fail') reasons.push(...sameAsLive.reasons);

    return this.decide(courier, order, [...new Set(reasons)], {
      card: card.jpeg, face: recipient.jpeg, score: samePerson.score, liveScore: sameAsLive?.score ?? null, confirmed: true, deviceTime: input.deviceTime,
    });
  }

  /**
   * The hand-over code the buyer gave. A wrong one is counted; after the last try the delivery waits
   * for a supervisor (a courier guessing codes cannot return the order).
   */
  private async checkCode(shipment: ShipmentRow, code: string): Promise<void> {
    if (shipment.code_failures >= HANDOVER_CODE_ATTEMPTS) {
      throw new AppError('handover_locked', 'too many wrong hand-over codes: a supervisor of your company must confirm what happens to this parcel', 423);
    }
    const expected = Buffer.from(this.handoverCode(shipment));
    const given = Buffer.from(code);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return;
    const failures = await this.#d.fulfilment.countCodeFailure(shipment.order_id);
    if (failures >= HANDOVER_CODE_ATTEMPTS) {
      throw new AppError('handover_locked', 'too many wrong hand-over codes: a supervisor of your company must confirm what happens to this parcel', 423);
    }
    throw new AppError('handover_code_wrong', `the hand-over code is wrong; ${HANDOVER_CODE_ATTEMPTS - failures} tries left`, 403);
  }

  /**
   * The recipient refused the parcel, or had no ID card to show: the card goes back. Only with the
   * buyer's hand-over code, or a supervisor's confirmation.
   */
  async refuse(courier: CourierRow, trackingNumber: string, request: RefuseRequest): Promise<HandoverResult> {
    const { shipment, order } = await this.openDelivery(courier, trackingNumber);
    const supervisor = request.supervisorCode ? await this.supervisor(courier, request.supervisorCode) : undefined;
    if (!supervisor) await this.checkCode(shipment, request.code ?? '');
    return this.decide(courier, order, [request.reason], { supervisorId: supervisor?.id ?? null });
  }

  private async decide(courier: CourierRow, order: OrderRow, reasons: OutcomeReason[], record: {
    card?: Buffer; face?: Buffer; score?: number; liveScore?: number | null; confirmed?: boolean; deviceTime?: string | undefined; supervisorId?: string | null;
  } = {}): Promise<HandoverResult> {
    const stored: string[] = [];
    const keep = async (image: Buffer | undefined): Promise<string | null> => {
      if (!image) return null;
      const id = await this.#d.storage.put(image);
      stored.push(id);
      return id;
    };
    const outcome = reasons.length === 0 ? 'handed_over' : 'refused';
    try {
      const now = this.#d.now();
      const recorded = await this.#d.fulfilment.recordHandover({
        order_id: order.id, courier_id: courier.id, at: now, outcome, reasons: JSON.stringify(reasons),
        card_object_id: await keep(record.card), face_object_id: await keep(record.face), score: record.score ?? null, live_score: record.liveScore ?? null,
        confirmed_at: record.confirmed ? now : null, device_time: record.deviceTime ?? null, supervisor_id: record.supervisorId ?? null,
      }, randomUUID());
      if (!recorded) throw new AppError('delivery_closed', 'this delivery was closed in the meantime', 410);
    } catch (error) {
      for (const id of stored) await this.#d.storage.delete(id);
      throw error;
    }
    this.#d.log('info', `hand-over of order ${order.id}: ${outcome}${reasons.length ? ` (${reasons.join(',')})` : ''}`);
    if (outcome === 'handed_over') this.#d.background('provisioning', this.runDueJobs());
    return { outcome, reasons };
  }

  /** A status event from the carrier's webhook, once its signature holds. */
  async parcelEvent(body: Buffer, signature: string | undefined): Promise<{ trackingNumber: string; status: string }> {
    let event;
    try {
      event = this.#d.logistics.readEvent(body, signature, this.#d.now());
    } catch (error) {
      if (error instanceof LogisticsError && error.code === 'bad_signature') throw new AppError('unauthorized', error.message, 401);
      if (error instanceof LogisticsError) throw new AppError('validation_failed', error.message, 400);
      throw error;
    }
    const shipment = await this.#d.fulfilment.shipmentByTracking(event.trackingNumber);
    const order = shipment ? await this.#d.db.getOrder(shipment.order_id) : undefined;
    if (!shipment || !order) throw new AppError('not_found', 'no such shipment', 404);
    const inTransit = order.state === 'shipped' || order.state === 'shipped_unactivated';
    const now = this.#d.now();
    let applied = false;
    if (event.event === 'returned' && (order.state === 'shipped' || order.state === 'shipped_unactivated')) {
      applied = await this.#d.fulfilment.returnOrder(order.id, order.state, 'the carrier returned the parcel', `carrier:${shipment.carrier}`, now);
    } else if (event.event === 'out_for_delivery' && inTransit) {
      applied = await this.#d.fulfilment.setShipmentStatus(order.id, 'out_for_delivery', now);
    } else if (event.event === 'delivered' && order.state === 'shipped_unactivated') {
      // Path A is delivered only through the check at the door, never on the carrier's word.
      applied = await this.#d.fulfilment.setShipmentStatus(order.id, 'delivered', now);
    }
    if (!applied) throw new AppError('illegal_transition', `a ${event.event} event does not apply to this shipment now`, 409);
    return { trackingNumber: shipment.tracking_number, status: (await this.#d.fulfilment.shipmentOf(order.id))?.status ?? shipment.status };
  }

  /** Sends the provisioning requests that are due; each runs once at a time. */
  async runDueJobs(): Promise<void> {
    const now = this.#d.now();
    const started = (await this.#d.fulfilment.claimDueJobs(now, now + this.#d.settings.claimMs))
      .filter((job) => !this.#jobs.has(job.idempotency_key))
      .map((job) => {
        const run = this.runJob(job).finally(() => this.#jobs.delete(job.idempotency_key));
        this.#jobs.set(job.idempotency_key, run);
        return run;
      });
    await Promise.all(started);
  }

  /**
   * One provisioning request, with the key fixed when the decision was made: if an earlier try went
   * through and its answer was lost (or the BFF stopped), the provisioning system answers as before.
   */
  private async runJob(job: ProvisioningJobRow): Promise<void> {
    try {
      await this.#d.provisioning.activate({ iccid: job.iccid, msisdn: job.msisdn, idempotencyKey: job.idempotency_key });
      const now = this.#d.now();
      await this.#d.fulfilment.completeActivation(job.idempotency_key, now, (trx, orderId, iccid) => this.#d.register(trx, orderId, iccid, now));
      this.#d.log('info', `order ${job.order_id} activated`);
    } catch (error) {
      const code = error instanceof ProvisioningError ? error.code : error instanceof Error ? error.name : 'error';
      if (error instanceof ProvisioningError && !error.retryable) {
        await this.#d.fulfilment.failJob(job.idempotency_key, code, this.#d.now());
        this.#d.log('error', `activation of order ${job.order_id} refused by provisioning (${code}); a person must look`);
        return;
      }
      const delay = RETRY_DELAYS_MS[Math.min(job.attempts, RETRY_DELAYS_MS.length - 1)] ?? 60_000;
      await this.#d.fulfilment.deferJob(job.idempotency_key, this.#d.now() + delay, code);
    }
  }
}
