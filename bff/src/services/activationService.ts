import { randomUUID } from 'node:crypto';
import {
  type ActivationCardResult,
  type ActivationResult,
  type ActivationSession,
  type LivenessChallenge,
  type LivenessTimeline,
  type LivenessVerdictView,
  type OutcomeReason,
  type PortraitSideRead,
  type StartActivationRequest,
  validateIccid,
  validateMvnoNumber,
  isoFromMs,
} from '@shared';
import type { Envelope } from '../crypto/envelope.js';
import type { VisionEngine } from '../engine/visionEngine.js';
import { AppError } from '../errors.js';
import type { ActivationAttemptRow, FulfilmentDb } from '../providers/db/fulfilment.db.js';
import type { OrderRow, OrdersDb } from '../providers/db/orders.db.js';
import type { EvidenceStorage } from '../providers/storage/storage.port.js';
import { cardDifferences } from '../verification/sameCard.js';
import type { FulfilmentService } from './fulfilmentService.js';
import { recheckCard } from '../verification/cardRecheck.js';
import { hashToken, newToken, tokenEquals, tokenMatches } from '../crypto/tokens.js';
import type { OrderService } from './orderService.js';
import { sealedAs } from '../providers/db/sealed.js';

export interface ActivationSettings {
  /** Failed attempts a card takes before it is locked. */
  attempts: number;
  /** How long a lock lasts. */
  lockMinutes: number;
  /** How long one attempt may take. */
  attemptMinutes: number;
}

export interface ActivationDeps {
  db: OrdersDb;
  fulfilment: FulfilmentDb;
  shipping: FulfilmentService;
  storage: EvidenceStorage;
  envelope: Envelope;
  engine: VisionEngine;
  orders: OrderService;
  settings: ActivationSettings;
  /** Runs work nobody waits for: a failure is logged, never left to end the process. */
  background: (what: string, work: Promise<unknown>) => void;
  now: () => number;
}

/**
 * The keyed digest of the activation code printed in a SIM pack, bound to its card: the database
 * alone cannot be used to try the codes (ten million of them) offline.
 */
export const packCodeDigest = (envelope: Envelope, iccid: string, packCode: string): string => envelope.digest(`${iccid}:${packCode}`, 'pack-code');

/** Live checks one activation attempt may ask for. */
export const LIVE_CHECKS_PER_ATTEMPT = 3;

/** Seals what was read from a card at activation to its attempt. */
const readAad = sealedAs.activationRead;
const purposeOf = (attemptId: string): string => `activation:${attemptId}`;

/**
 * Path B: a card shipped unactivated is switched on only when the person holding it proves, online,
 * that they are who bought it: the ID card photographed again (same number and name), and a live
 * video check whose face is the card portrait submitted at purchase. Each attempt is recorded; too
 * many failures lock the card for a while.
 */
export class ActivationService {
  readonly #d: ActivationDeps;

  constructor(deps: ActivationDeps) {
    this.#d = deps;
  }

  /**
   * Starts an attempt for a card waiting for activation, for someone who shows they hold it: the code
   * printed inside its pack, or the purchase's own order token. Whatever is wrong (no such card, a
   * number that is not the card's, a wrong code, a card not waiting), the answer is the same: it
   * tells nobody which ICCIDs and numbers go together. An attempt left open counts as failed only if
   * it sent something; starting and abandoning attempts costs the card nothing.
   */
  async start(request: StartActivationRequest, orderToken?: string): Promise<ActivationSession> {
    const iccid = validateIccid(request.iccid);
    if (!iccid.ok) throw new AppError('iccid_invalid', `the ICCID is not valid (${iccid.reasons.join(', ')}); copy it again from the card`, 400);
    const msisdn = validateMvnoNumber(request.msisdn);
    if (!msisdn.ok) throw new AppError('validation_failed', `msisdn: ${msisdn.reasons.join(', ')}`, 400);
    const shipment = await this.#d.fulfilment.shipmentByIccid(iccid.value);
    const order = shipment ? await this.#d.db.getOrder(shipment.order_id) : undefined;
    const card = await this.#d.fulfilment.simCard(iccid.value);
    // Both proofs are computed every time: the answer takes as long whether the card exists or not.
    const packMatches = tokenEquals(card?.pack_code_hash ?? undefined, packCodeDigest(this.#d.envelope, iccid.value, request.packCode ?? ''));
    const ownsOrder = tokenMatches(order?.token_hash, orderToken);
    const holds = Boolean(request.packCode && packMatches) || ownsOrder;
    if (!shipment || !order || !holds || order.msisdn !== msisdn.value || order.delivery_path !== 'unactivated' || order.state === 'returned') {
      throw new AppError('activation_not_found', 'no card waiting for activation matches this ICCID, number and activation code', 404);
    }
    if (order.state === 'activated') throw new AppError('activation_closed', 'this card is active already', 409);
    if (order.state !== 'shipped_unactivated') throw new AppError('activation_not_found', 'no card waiting for activation matches this ICCID, number and activation code', 404);
    if (await this.#d.fulfilment.provisioningJobOf(order.id)) throw new AppError('activation_closed', 'this card is being activated; it will work in a few minutes', 409);

    const now = this.#d.now();
    for (const open of await this.#d.fulfilment.openActivationAttempts(order.id)) await this.abandon(open);
    await this.requireUnlocked(order.id);

    const id = randomUUID();
    const token = newToken();
    const expiresAt = now + this.#d.settings.attemptMinutes * 60_000;
    await this.#d.fulfilment.insertActivationAttempt({ id, order_id: order.id, token_hash: hashToken(token), started_at: now, expires_at: expiresAt });
    return { activationId: id, activationToken: token, expiresAt: isoFromMs(expiresAt), attemptsLeft: await this.attemptsLeft(order.id) - 1 };
  }

  /** An attempt left open: it counts as failed if it sent a photo or frames, and costs nothing if not. */
  private async abandon(attempt: ActivationAttemptRow): Promise<void> {
    if (await this.#d.fulfilment.attemptSentEvidence(attempt)) await this.fail(attempt, ['activation_abandoned']);
    else await this.#d.fulfilment.closeEmptyAttempt(attempt.id, this.#d.now());
  }

  private async requireUnlocked(orderId: string): Promise<void> {
    const until = (await this.#d.fulfilment.shipmentOf(orderId))?.activation_locked_until ?? null;
    if (until !== null && until > this.#d.now()) {
      throw new AppError('activation_locked', `too many failed attempts: this card can be activated again after ${isoFromMs(until)}, or at one of our stores`, 423);
    }
  }

  /** Attempts the card has before it is locked (none while it is). */
  private async attemptsLeft(orderId: string): Promise<number> {
    const shipment = await this.#d.fulfilment.shipmentOf(orderId);
    if ((shipment?.activation_locked_until ?? 0) > this.#d.now()) return 0;
    return Math.max(0, this.#d.settings.attempts - (shipment?.activation_failures ?? 0));
  }

  /** The attempt this id and token open; a finished or expired one says so. */
  async authorize(id: string, token: string | undefined): Promise<ActivationAttemptRow> {
    const attempt = await this.#d.fulfilment.activationAttempt(id);
    if (!tokenMatches(attempt?.token_hash, token) || !attempt) throw new AppError('not_found', 'no such activation', 404);
    return attempt;
  }

  private async requireOpen(attempt: ActivationAttemptRow): Promise<OrderRow> {
    if (attempt.finished_at !== null) throw new AppError('activation_closed', 'this attempt is finished; start a new one', 409);
    if (attempt.expires_at < this.#d.now()) {
      await this.abandon(attempt);
      throw new AppError('activation_expired', 'this attempt took too long; start again', 410);
    }
    const order = await this.#d.db.getOrder(attempt.order_id);
    if (order?.state !== 'shipped_unactivated') throw new AppError('activation_closed', 'this card is no longer waiting to be activated', 409);
    return order;
  }

  /** The ID card photographed again: read and kept, encrypted; a photo that cannot be used is a retake. */
  async uploadCard(attempt: ActivationAttemptRow, upload: Buffer): Promise<ActivationCardResult> {
    await this.requireOpen(attempt);
    const card = await recheckCard(this.#d.engine, upload);
    if (card.problems.length > 0) return { read: card.read, problems: card.problems };
    const objectId = await this.#d.storage.put(card.jpeg);
    const replaced = await this.#d.fulfilment.setActivationCard(attempt.id, objectId, this.#d.envelope.sealJson(card.read, readAad(attempt.id)));
    if (replaced) await this.#d.storage.delete(replaced);
    return { read: card.read, problems: [] };
  }

  async startLiveness(attempt: ActivationAttemptRow): Promise<LivenessChallenge> {
    const order = await this.requireOpen(attempt);
    return this.#d.orders.liveness.issue(order, await this.portraitFace(order), purposeOf(attempt.id), LIVE_CHECKS_PER_ATTEMPT);
  }

  async answerLiveness(attempt: ActivationAttemptRow, challengeId: string, frames: Buffer[], timeline: LivenessTimeline): Promise<LivenessVerdictView> {
    const order = await this.requireOpen(attempt);
    return this.#d.orders.liveness.answer(order, challengeId, frames, timeline, await this.portraitFace(order), purposeOf(attempt.id), LIVE_CHECKS_PER_ATTEMPT);
  }

  private async portraitFace(order: OrderRow): Promise<{ descriptor: number[] }> {
    const face = await this.#d.orders.evidenceFace(order.id, 'portrait');
    if (!face) throw new Error('a shipped order without a card portrait');
    return face;
  }

  /**
   * Decides the attempt: the card read now against the identity confirmed at purchase, and the live
   * check (a borderline face has nobody to look at it here: it fails). Passing queues the activation.
   */
  async complete(attempt: ActivationAttemptRow): Promise<ActivationResult> {
    const order = await this.requireOpen(attempt);
    const checks = await this.#d.db.challengesOf(order.id, purposeOf(attempt.id));
    const live = await this.#d.db.currentLiveness(order.id, purposeOf(attempt.id));
    const lastFailed = checks.filter((c) => c.outcome === 'failed').at(-1);
    if (!attempt.card_read) throw new AppError('activation_incomplete', 'photograph the portrait side of your ID card first', 409);
    // A live check that failed may be tried again within the attempt; completing without a pass fails it.
    if (!live && !lastFailed) throw new AppError('activation_incomplete', 'pass the live camera check first', 409);

    const read = this.#d.envelope.openJson(attempt.card_read, readAad(attempt.id)) as PortraitSideRead;
    const reasons: OutcomeReason[] = cardDifferences(this.#d.orders.identityOf(order).portrait, read, {
      idNumber: 'activation_id_mismatch', name: 'activation_name_mismatch',
    });
    if (!live) reasons.push(...(JSON.parse(lastFailed?.reasons ?? '[]') as OutcomeReason[]));
    else if (live.outcome !== 'passed') reasons.push(...(JSON.parse(live.reasons ?? '[]') as OutcomeReason[]));

    if (reasons.length > 0) return await this.fail(attempt, reasons);
    if (!await this.#d.fulfilment.passActivationAttempt(attempt.id, randomUUID(), this.#d.now())) {
      throw new AppError('activation_closed', 'this attempt is finished; start a new one', 409);
    }
    this.#d.background('provisioning', this.#d.shipping.runDueJobs());
    return { outcome: 'activating', reasons: [], attemptsLeft: await this.attemptsLeft(order.id) };
  }

  /** Where an attempt stands: activating until the provisioning system confirms. */
  async status(attempt: ActivationAttemptRow): Promise<ActivationResult> {
    const reasons = JSON.parse(attempt.reasons ?? '[]') as OutcomeReason[];
    const shipment = await this.#d.fulfilment.shipmentOf(attempt.order_id);
    const lockedUntil = shipment?.activation_locked_until ?? null;
    const locked = lockedUntil !== null && lockedUntil > this.#d.now() ? { lockedUntil: isoFromMs(lockedUntil) } : {};
    if (attempt.outcome === 'activated') {
      const activated = (await this.#d.db.getOrder(attempt.order_id))?.state === 'activated';
      return { outcome: activated ? 'activated' : 'activating', reasons, attemptsLeft: await this.attemptsLeft(attempt.order_id) };
    }
    if (attempt.outcome === 'failed') return { outcome: 'failed', reasons, attemptsLeft: await this.attemptsLeft(attempt.order_id), ...locked };
    throw new AppError('activation_incomplete', 'this attempt is not finished', 409);
  }

  private async fail(attempt: ActivationAttemptRow, reasons: OutcomeReason[]): Promise<ActivationResult> {
    const now = this.#d.now();
    const { lockedUntil } = await this.#d.fulfilment.failActivationAttempt(attempt.id, reasons, now, this.#d.settings.attempts, now + this.#d.settings.lockMinutes * 60_000);
    return {
      outcome: 'failed',
      reasons,
      attemptsLeft: await this.attemptsLeft(attempt.order_id),
      ...(lockedUntil !== null && lockedUntil > now ? { lockedUntil: isoFromMs(lockedUntil) } : {}),
    };
  }
}
