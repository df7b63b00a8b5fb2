import { randomUUID } from 'node:crypto';
import {
  type AvailableNumbers,
  type ConsentRequest,
  type CreateOrderRequest,
  type CreatedOrder,
  type DeliveryView,
  type DecisionReason,
  type EmblemSideRead,
  type EvidenceKind,
  type EvidenceResult,
  type Hold,
  type LivenessAction,
  type LivenessChallenge,
  type LivenessResult,
  type LivenessTimeline,
  type OrderView,
  type PortraitSideRead,
  type ReadIdentity,
  type ReviewCorrectableField,
  EVIDENCE_KINDS,
  decisionSchema,
  readIdentitySchema, type ContactView,
  isoFromMs,
  isPurchase,
} from '@shared';
import type { BillingPort } from '../providers/billing/billing.port.js';
import type { Envelope } from '../crypto/envelope.js';
import { detached } from '../context.js';
import { hashToken, newToken, tokenMatches } from '../crypto/tokens.js';
import { type CheckResult, decide, shownDecision } from '../domain/decision.js';
import { journeyOf } from '../domain/journey.js';
import { EMBLEM_FIELD_COUNT } from '../engine/ocr/cardText.js';
import { cardPhotoProblems } from '../verification/cardRegion.js';
import { portraitLooksPasted } from '../verification/pastedPortrait.js';
import type { VisionEngine } from '../engine/visionEngine.js';
import { AppError } from '../errors.js';
import type { AuthorityPort } from '../providers/authority/authority.port.js';
import type { EvidenceRow, OrderRow, OrdersDb } from '../providers/db/orders.db.js';
import type { EvidenceStorage } from '../providers/storage/storage.port.js';
import { acceptImage } from '../verification/intake.js';
import { LivenessService } from './livenessService.js';
import { type FoundFace, cardNumbersIn, faceAt, faceIn, isTurned, portraitProblems, runVerification } from '../verification/pipeline.js';
import { sealedAs } from '../providers/db/sealed.js';

export interface OrderServiceDeps {
  db: OrdersDb;
  storage: EvidenceStorage;
  envelope: Envelope;
  engine: VisionEngine;
  authority: AuthorityPort;
  /** The operator's billing system: the cards an identity holds through every channel (the five-card cap). */
  billing: Pick<BillingPort, 'activeCards'>;
  settings: {
    holdMinutes: number;
    /** A hold no order has taken ends this soon. */
    holdUnclaimedMinutes: number;
    /** Numbers one client may hold at once without an order. */
    holdsPerClient: number;
    faceMatchMaxDistance: number;
    faceReviewMargin: number;
    authorityTimeoutMs: number;
    authorityPortrait: boolean;
    livenessActions: readonly LivenessAction[];
    livenessSeconds: number;
    livenessAttempts: number;
    /** Test-only: the live check's colours from a seed (config.ts refuses it in production). */
    livenessColourSeed?: string;
  };
  log: (level: 'error' | 'info', message: string) => void;
  now?: () => number;
  /** Called once an order is approved (it is shipped next). */
  afterApproval?: (orderId: string) => void;
  /** Told of each submission's live face with its identity's key before its decision takes effect (the monitoring's same-face rule). */
  liveFaceSubmitted?: (orderId: string, holderKey: string, descriptor: number[]) => Promise<unknown>;
  /** The parcel of a shipped order, for the buyer's view. */
  deliveryOf?: (row: OrderRow) => Promise<DeliveryView | undefined>;
  /** The mobile number the buyer left for notices, masked. */
  contactOf?: (row: OrderRow) => Promise<ContactView | undefined>;
  /** The channel a new order belongs to, by its agent session (refuses an agent that may not sell); none: no channel. */
  channelFor?: (agentSession: string | undefined) => Promise<{ id: string }>;
  /** The carrier's reports on an order's parcel, oldest first (the buyer's page shows its journey). */
  parcelEventsOf?: (orderId: string) => Promise<{ status: 'out_for_delivery' | 'delivered'; at: number }[]>;
  /** The five-card key a number in service is registered under (the subscriber's), if any: a re-registration does not count it twice. */
  numberHolder?: (msisdn: string) => Promise<string | null>;
  /** The order another device's token acts for (a hand-off to a phone the buyer claimed), by the token's digest. */
  devices?: { deviceOrder(tokenHash: string, now: number): Promise<{ orderId: string } | undefined> };
}

/**
 * Who may call: `owner`, the order's token only (consent, submission, contact, withdrawal);
 * `device`, also a phone the buyer handed the order to (its photos, its live check, the order's view).
 */
export type OrderCaller = 'owner' | 'device';

/**
 * What the photos' checks at upload found that sends an order to a person: glare on a card (does it
 * hide anything?), a card that looks like a black-and-white copy, a screen showing it or a photo
 * glued over its portrait (the original card is what the rules ask for), and a name, address or
 * authority that may not have been read whole.
 */
const CAPTURE_WARNINGS = ['card_glare', 'card_photocopy', 'card_recaptured', 'card_portrait_tampered', 'card_text_doubtful', 'card_name_doubtful'] as const;

const VERIFY_ATTEMPTS = 4;
const VERIFY_BACKOFF_MS = 2000;

/** One ID number, at most five cards with one operator (一证五卡). */
export const CARDS_PER_ID = 5;

/** The key the cap counts by: a keyed hash of the ID number, so the number itself is never stored. */
export const holderKey = (envelope: Envelope, idNumber: string): string => envelope.digest(idNumber.toUpperCase(), 'id-number');

/** Faces and card numbers are sealed to their photo, identity fields to their order (sealed.ts). */
const { evidenceFace: faceAad, cardNumbers: cardNumbersAad, identity: identityAad } = sealedAs;

/** The buyer's use cases: numbers, holds, orders, evidence, submission, status. */
export class OrderService {
  readonly #d: OrderServiceDeps;
  readonly #running = new Map<string, Promise<void>>();
  readonly #liveness: LivenessService;

  constructor(deps: OrderServiceDeps) {
    this.#d = deps;
    const { settings } = deps;
    this.#liveness = new LivenessService({
      ...deps,
      settings: {
        actions: settings.livenessActions,
        challengeSeconds: settings.livenessSeconds,
        attempts: settings.livenessAttempts,
        ...(settings.livenessColourSeed ? { colourSeed: settings.livenessColourSeed } : {}),
        faceMatchMaxDistance: settings.faceMatchMaxDistance,
        faceReviewMargin: settings.faceReviewMargin,
      },
      now: () => this.now(),
    });
  }

  /** The live video check, for the activation of a shipped card too. */
  get liveness(): LivenessService {
    return this.#liveness;
  }

  private now(): number {
    return this.#d.now?.() ?? Date.now();
  }

  async listNumbers(prefix: string | undefined, limit = 20): Promise<AvailableNumbers> {
    await this.#d.db.releaseLapsedHolds(this.now());
    const numbers = await this.#d.db.listAvailableNumbers(prefix, limit);
    return { numbers: numbers.map((msisdn) => ({ msisdn, prefix: msisdn.slice(0, 3) })) };
  }

  /**
   * Holds a number for a client, briefly: the order made on it holds it for HOLD_MINUTES. A client
   * holding its share of numbers without orders must use or lose one first.
   */
  async hold(msisdn: string, client: string): Promise<Hold> {
    const now = this.now();
    const holdId = randomUUID();
    const holdToken = newToken();
    const until = now + this.#d.settings.holdUnclaimedMinutes * 60_000;
    const held = await this.#d.db.holdNumber({ msisdn, holdId, tokenHash: hashToken(holdToken), until, client }, now, this.#d.settings.holdsPerClient);
    if (held === 'too_many') {
      throw new AppError('too_many_holds', `numbers are held from this network already (at most ${this.#d.settings.holdsPerClient}); continue with one of them, or wait a few minutes`, 429);
    }
    if (held === 'unavailable') throw new AppError('number_unavailable', 'this number is not available any more; choose another', 409);
    return { holdId, holdToken, msisdn, expiresAt: isoFromMs(until) };
  }

  async createOrder(request: CreateOrderRequest): Promise<CreatedOrder> {
    const channel = await this.#d.channelFor?.(request.agentSession);
    const id = randomUUID();
    const orderToken = newToken();
    const claim = await this.#d.db.createOrderOnHold(
      { id, tokenHash: hashToken(orderToken), deliveryPath: request.deliveryPath, channelId: channel?.id ?? null },
      { holdId: request.holdId, tokenHash: hashToken(request.holdToken) },
      this.now(),
      this.now() + this.#d.settings.holdMinutes * 60_000,
    );
    if (!claim.ok) {
      throw claim.reason === 'hold_expired'
        ? new AppError('hold_expired', 'the hold on this number has ended; choose a number again', 410)
        : new AppError('hold_invalid', 'no such hold', 404);
    }
    return { order: await this.view(await this.requireRow(id)), orderToken };
  }

  /**
   * A draft re-registration (补登记) of `msisdn`, a number in service whose holder proved they hold
   * it: the same photos, live check and checks as a purchase, nothing to pay and nothing shipped.
   */
  async createReregistration(msisdn: string): Promise<CreatedOrder> {
    return this.#createCheck(msisdn, 'reregistration');
  }

  /** The identity check of someone reporting a number opened in their name: the buyer's checks, no number. */
  async createIdentityCheck(): Promise<CreatedOrder> {
    return this.#createCheck('', 'identity_check');
  }

  async #createCheck(msisdn: string, path: 'reregistration' | 'identity_check'): Promise<CreatedOrder> {
    const channel = await this.#d.channelFor?.(undefined);
    const id = randomUUID();
    const orderToken = newToken();
    await this.#d.db.createCheck(
      { id, tokenHash: hashToken(orderToken), msisdn, channelId: channel?.id ?? null },
      path,
      this.now(),
      this.now() + this.#d.settings.holdMinutes * 60_000,
    );
    return { order: await this.view(await this.requireRow(id)), orderToken };
  }

  /**
   * The order for this id if the token is its token. Anything else, including another order's token,
   * is "no such order": a guess learns nothing.
   */
  async authorize(orderId: string, token: string | undefined, caller: OrderCaller = 'owner'): Promise<OrderRow> {
    const row = await this.#d.db.getOrder(orderId);
    if (row && tokenMatches(row.token_hash, token)) return row;
    if (row && token && caller === 'device' && this.#d.devices) {
      const device = await this.#d.devices.deviceOrder(hashToken(token), this.now());
      if (device?.orderId === row.id) return row;
    }
    throw new AppError('not_found', 'no such order', 404);
  }

  /** Refuses an order that is no longer a draft: its evidence can no longer change. */
  requireDraft(row: OrderRow): void {
    if (row.state !== 'draft') throw new AppError('order_closed', `the order is ${row.state}; its evidence can no longer change`, 409);
  }

  async consent(row: OrderRow, request: ConsentRequest): Promise<OrderView> {
    this.requireDraft(row);
    await this.#d.db.setConsent(row.id, request.policyVersion, this.now());
    return await this.view(await this.requireRow(row.id));
  }

  /**
   * Stores one piece of evidence. Card sides are read at once, so the buyer can retake a photo that
   * cannot be read before submitting. Nothing is kept of an upload that is refused.
   */
  async uploadEvidence(row: OrderRow, kind: EvidenceKind, upload: Buffer): Promise<EvidenceResult> {
    this.requireDraft(row);
    if (row.consent_at === null) throw new AppError('consent_required', 'consent to processing identity and face data is needed first', 409);
    const image = await acceptImage(upload);

    // Read and look for the face now, in parallel where there are threads for it: the buyer learns at
    // once what to retake, and the submission only has to compare.
    let read: PortraitSideRead | EmblemSideRead | undefined;
    let face: FoundFace | undefined;
    let cardNumbers: string[] | undefined;
    let problems: DecisionReason[] = [];
    // Kept with the evidence for the decision but not put to the buyer: a retake does not help a
    // character the reader does not know, a person reading the photo does.
    const kept: DecisionReason[] = [];
    if (kind === 'portrait') {
      const [reading, found] = await Promise.all([this.#d.engine.readPortraitSide(image.jpeg), faceAt(this.#d.engine, image.jpeg, { detector: 'card' })]);
      read = reading.fields;
      face = found.face;
      problems.push(
        ...portraitProblems(read),
        ...(found.face ? [] : ['card_portrait_no_face' as const]),
        ...await cardPhotoProblems(image.jpeg, reading.lines, Object.keys(read).length),
        ...(found.box && await portraitLooksPasted(image.jpeg, found.box) ? ['card_portrait_tampered' as const] : []),
      );
      if (reading.doubtful.includes('name')) kept.push('card_name_doubtful');
      if (reading.doubtful.includes('address')) kept.push('card_text_doubtful');
    } else if (kind === 'emblem') {
      const reading = await this.#d.engine.readEmblemSide(image.jpeg);
      read = reading.fields;
      if (Object.keys(read).length < EMBLEM_FIELD_COUNT) problems.push('card_unreadable');
      problems.push(...await cardPhotoProblems(image.jpeg, reading.lines, Object.keys(read).length));
      if (reading.doubtful.length > 0) kept.push('card_text_doubtful');
    } else {
      const wanted = this.identityOf(row).portrait.idNumber;
      [face, cardNumbers] = await Promise.all([faceIn(this.#d.engine, image.jpeg), cardNumbersIn(this.#d.engine, image.jpeg, wanted)]);
      if (!face) problems.push('handheld_no_face');
      else if (isTurned(face)) problems.push('handheld_not_frontal');
      if (wanted && !cardNumbers.includes(wanted)) problems.push('handheld_card_not_found');
    }
    // No card in the photo at all: that is the one thing to say.
    if (problems.includes('card_not_found')) problems = ['card_not_found'];

    const objectId = await this.#d.storage.put(image.jpeg);
    try {
      const current = await this.requireRow(row.id);
      this.requireDraft(current);
      if (read) {
        const identity = { ...this.identityOf(current), [kind]: read };
        await this.#d.db.setIdentity(row.id, this.#d.envelope.sealJson(identity, identityAad(row.id)), this.now());
      }
      const sealedFace = face === undefined ? null : this.#d.envelope.sealJson(face, faceAad(objectId));
      const replaced = await this.#d.db.putEvidence({
        order_id: row.id, kind, object_id: objectId, uploaded_at: this.now(), face: sealedFace, problems: JSON.stringify([...problems, ...kept]),
        card_numbers: cardNumbers === undefined ? null : this.#d.envelope.sealJson(cardNumbers, cardNumbersAad(objectId)),
      });
      if (replaced) await this.#d.storage.delete(replaced);
    } catch (error) {
      await this.#d.storage.delete(objectId);
      throw error;
    }
    return { kind, ...(read ? { read } : {}), problems, order: await this.view(await this.requireRow(row.id)) };
  }

  /** Issues a live-check challenge for a draft whose card portrait has a face to compare with. */
  async startLiveness(row: OrderRow): Promise<LivenessChallenge> {
    this.requireDraft(row);
    if (row.consent_at === null) throw new AppError('consent_required', 'consent to processing face data is needed first', 409);
    return await this.#liveness.issue(row, (await this.evidenceFace(row.id, 'portrait')) ?? undefined);
  }

  /** Checks the frames sent for a challenge; a live check that passes is kept as the order's. */
  async answerLiveness(row: OrderRow, challengeId: string, frames: Buffer[], timeline: LivenessTimeline): Promise<LivenessResult> {
    this.requireDraft(row);
    const portraitFace = await this.evidenceFace(row.id, 'portrait');
    if (!portraitFace) throw new AppError('evidence_missing', 'photograph the portrait side before the live check', 409);
    const verdict = await this.#liveness.answer(row, challengeId, frames, timeline, portraitFace);
    return { ...verdict, order: await this.view(await this.requireRow(row.id)) };
  }

  /**
   * Submits a complete draft and starts its verification. Submitting again returns the order as it
   * is: the checks run once per order.
   */
  async submit(row: OrderRow): Promise<{ order: OrderView; started: boolean }> {
    if (row.state !== 'draft') return { order: await this.view(row), started: false };
    if (row.consent_at === null) throw new AppError('consent_required', 'consent is needed before submitting', 409);
    const have = new Set((await this.#d.db.evidenceOf(row.id)).map((e) => e.kind));
    const missing = EVIDENCE_KINDS.filter((kind) => !have.has(kind));
    if (missing.length > 0) throw new AppError('evidence_missing', `missing: ${missing.join(', ')}`, 409);
    if (!await this.#d.db.currentLiveness(row.id)) throw new AppError('liveness_required', 'the live camera check is needed before submitting', 409);
    if (row.hold_expires_at < this.now()) throw new AppError('hold_expired', 'the hold on this number has ended', 410);

    const now = this.now();
    // The five-card cap, on the number as read; a number that cannot be read fails the document check.
    const idNumber = this.identityOf(row).portrait.idNumber;
    const started = idNumber
      ? await this.submitWithinCap(row.id, idNumber, now)
      : await this.#d.db.transition(row.id, 'draft', 'submitted', 'buyer confirmed what was read', 'buyer', now);
    if (started) {
      await this.#d.db.transition(row.id, 'submitted', 'verifying', 'verification started', 'system', now);
      this.startVerification(row.id);
    }
    return { order: await this.view(await this.requireRow(row.id)), started };
  }

  private async submitWithinCap(orderId: string, idNumber: string, now: number): Promise<boolean> {
    const outcome = await this.#d.db.submitWithinCap(orderId, holderKey(this.#d.envelope, idNumber), CARDS_PER_ID, now);
    if (outcome === 'cap_reached') {
      throw new AppError('card_cap_reached', `this ID number already holds ${CARDS_PER_ID} cards with us (一证五卡); apply at one of our own stores`, 409);
    }
    return outcome === 'submitted';
  }

  /** Resolves when the order's verification (if any is running) has finished. */
  async settled(orderId: string): Promise<void> {
    await this.#running.get(orderId);
  }

  /** After a restart: orders caught mid-verification are verified again (the checks are idempotent). */
  async resumeVerifications(): Promise<number> {
    const stuck = await this.#d.db.ordersInState('verifying');
    stuck.forEach((row) => this.startVerification(row.id));
    return stuck.length;
  }

  /**
   * Runs the checks again on an order in review whose only problem was the ID service being out;
   * false when the order is no longer in review. Resolves when the new decision is stored.
   */
  /**
   * A reviewer corrects a field of an order in review to what the card's photo shows: the order is
   * checked again, whole, with it (the national ID service included). The value goes into the sealed
   * identity only; the history says which field, by whom.
   */
  async correctReading(orderId: string, field: ReviewCorrectableField, value: string, actor: string): Promise<void> {
    const row = await this.requireRow(orderId);
    if (row.state !== 'review') throw new AppError('order_closed', `the order is ${row.state}: there is nothing to correct`, 409);
    const identity = this.identityOf(row);
    const corrected: ReadIdentity = field === 'issuingAuthority'
      ? { ...identity, emblem: { ...identity.emblem, issuingAuthority: value } }
      : { ...identity, portrait: { ...identity.portrait, [field]: value } };
    if (!await this.#d.db.transition(orderId, 'review', 'verifying', `review: the ${field} corrected as printed on the card`, actor, this.now())) {
      throw new AppError('order_closed', 'the order was decided meanwhile', 409);
    }
    await this.#d.db.setIdentity(orderId, this.#d.envelope.sealJson(corrected, identityAad(orderId)), this.now());
    this.startVerification(orderId);
    await this.settled(orderId);
  }

  async recheck(orderId: string): Promise<boolean> {
    if (!await this.#d.db.transition(orderId, 'review', 'verifying', 'the ID service asked again after an outage', 'system', this.now())) return false;
    this.startVerification(orderId);
    await this.settled(orderId);
    return true;
  }

  private startVerification(orderId: string): void {
    if (this.#running.has(orderId)) return;
    // It outlives the submission's request (answered 202 at once): its tasks are not dropped with it.
    const run = detached(() => this.verifyWithRetries(orderId)).finally(() => this.#running.delete(orderId));
    this.#running.set(orderId, run);
  }

  /**
   * A verification that fails (the vision queue full, a storage hiccup) is tried again with back-off;
   * after the last try the order stays in `verifying` and the next start resumes it.
   */
  private async verifyWithRetries(orderId: string): Promise<void> {
    for (let attempt = 0; attempt < VERIFY_ATTEMPTS; attempt += 1) {
      try {
        await this.verify(orderId);
        return;
      } catch (error) {
        this.#d.log('error', `verification of order ${orderId} failed (attempt ${attempt + 1}): ${error instanceof Error ? error.name : 'error'}`);
        if (attempt < VERIFY_ATTEMPTS - 1) await new Promise((resolve) => setTimeout(resolve, VERIFY_BACKOFF_MS * 2 ** attempt));
      }
    }
  }

  /**
   * The five-card cap, counted with the operator's billing system: the numbers in service under the
   * identity through every channel (this one's included once in service; imported counts and this
   * service's own activations where the books know fewer), and the cards on their way through orders
   * here. Unanswered, a person reviews the order: it is never approved uncounted.
   */
  private async cardCount(orderId: string, idNumber: string): Promise<CheckResult> {
    const row = await this.requireRow(orderId);
    const key = holderKey(this.#d.envelope, idNumber);
    const here = await this.#d.db.cardsHere(key, orderId, row.msisdn);
    // A number re-registered by the identity it is registered to already is in the books' count once.
    const own = row.delivery_path === 'reregistration' && await this.#d.numberHolder?.(row.msisdn) === key ? 1 : 0;
    let active: number;
    try {
      ({ active } = await this.#d.billing.activeCards({ idNumber }));
    } catch (error) {
      this.#d.log('error', `order ${orderId}: the card count was not answered (${error instanceof Error ? error.message : 'error'})`);
      return { check: 'card_count', outcome: 'review', reasons: ['card_count_unavailable'], evidence: ['billing'] };
    }
    const cards = Math.max(active - own, here.imported + here.activated) + here.pending;
    return cards >= CARDS_PER_ID
      ? { check: 'card_count', outcome: 'fail', reasons: ['card_cap_reached'], score: cards, evidence: ['billing', 'orders'] }
      : { check: 'card_count', outcome: 'pass', reasons: [], score: cards, evidence: ['billing', 'orders'] };
  }

  private async verify(orderId: string): Promise<void> {
    const row = await this.requireRow(orderId);
    const identity = this.identityOf(row);
    const evidence = new Map((await this.#d.db.evidenceOf(orderId)).map((e) => [e.kind, e]));
    const faceOf = (kind: EvidenceKind): Promise<FoundFace | undefined> => this.evidenceFace(orderId, kind);
    const liveFace = await this.#liveness.currentFace(orderId);

    const checks = await runVerification(
      {
        // A card side cut off by the frame is refused even when its fields were read; the rest goes to a person.
        captureProblems: captureCodes(evidence, 'card_cut_off'),
        captureWarnings: CAPTURE_WARNINGS.flatMap((code) => captureCodes(evidence, code)),
        portraitFace: await faceOf('portrait'),
        handheldFace: await faceOf('handheld'),
        handheldNumbers: this.cardNumbersOf(evidence.get('handheld')),
        liveFace,
        loadLiveFrame: async () => {
          const kept = (await this.#d.db.currentLiveness(orderId))?.object_id;
          return kept ? this.#d.storage.get(kept) : undefined;
        },
        loadImage: (kind) => this.#d.storage.get(evidence.get(kind)?.object_id ?? ''),
        portrait: identity.portrait,
        emblem: identity.emblem,
      },
      { engine: this.#d.engine, authority: this.#d.authority, ...this.#d.settings },
    );
    if (!checks.some((c) => c.outcome === 'fail') && identity.portrait.idNumber) checks.push(await this.cardCount(orderId, identity.portrait.idNumber));
    // The live face, compared with those of other ID numbers before the decision takes effect (a hold
    // it may set then stops the shipment). The monitoring failing does not stop the order.
    if (liveFace && row.holder_key && row.delivery_path !== 'identity_check') {
      await this.#d.liveFaceSubmitted?.(orderId, row.holder_key, liveFace.descriptor)
        .catch((error: unknown) => this.#d.log('error', `order ${orderId}: the live face was not compared (${error instanceof Error ? error.message : 'error'})`));
    }
    const outcome = decide(checks);
    const decision = decisionSchema.parse({ ...outcome, decidedAt: isoFromMs(this.now()) });
    const moved = await this.#d.db.transition(orderId, 'verifying', outcome.outcome, outcome.reasons.join(',') || 'all checks passed', 'system', this.now(), {
      checks: JSON.stringify(checks),
      decision: JSON.stringify(decision),
    });
    if (!moved) return;
    const purchase = isPurchase(row.delivery_path);
    if (outcome.outcome === 'rejected' && purchase) await this.#d.db.releaseNumber(orderId);
    if (outcome.outcome === 'approved') {
      if (purchase) await this.#d.db.assignNumber(orderId);
      this.#d.afterApproval?.(orderId);
    }
  }

  /**
   * The buyer withdrew their consent before submitting: the order is closed and its number released
   * (the caller then deletes everything it holds, at once).
   */
  async withdraw(row: OrderRow): Promise<void> {
    if (row.state !== 'draft' || !await this.#d.db.transition(row.id, 'draft', 'withdrawn', 'the buyer withdrew consent', 'buyer', this.now())) {
      throw new AppError('order_closed', `the order is ${row.state === 'draft' ? 'closed' : row.state}: consent can be withdrawn only before it is submitted`, 409);
    }
    await this.#d.db.releaseNumber(row.id);
  }

  /** Drafts whose hold ended: expired, number released, evidence deleted. */
  async expireDrafts(): Promise<number> {
    const now = this.now();
    let expired = 0;
    for (const row of await this.#d.db.draftsHeldBefore(now)) {
      if (!await this.#d.db.transition(row.id, 'draft', 'expired', 'number hold ended before submission', 'system', now)) continue;
      await this.purgeEvidence(row.id);
      await this.#d.db.releaseNumber(row.id);
      expired += 1;
    }
    await this.#d.db.releaseLapsedHolds(now);
    return expired;
  }

  private async purgeEvidence(orderId: string): Promise<void> {
    await this.#liveness.purge(orderId);
    for (const evidence of await this.#d.db.evidenceOf(orderId)) await this.#d.storage.delete(evidence.object_id);
    await this.#d.db.deleteEvidenceRows(orderId);
    await this.#d.db.setIdentity(orderId, this.#d.envelope.sealJson({ portrait: {}, emblem: {} }, identityAad(orderId)), this.now());
  }

  async view(row: OrderRow): Promise<OrderView> {
    const evidence = new Set((await this.#d.db.evidenceOf(row.id)).map((e) => e.kind));
    const identity = row.identity ? this.identityOf(row) : undefined;
    const live = await this.#d.db.currentLiveness(row.id);
    const delivery = await this.#d.deliveryOf?.(row);
    const contact = await this.#d.contactOf?.(row);
    // A re-registration has no delivery: its page tells where it is.
    const journey = row.state === 'draft' || !isPurchase(row.delivery_path) ? undefined : journeyOf({
      state: row.state,
      deliveryPath: row.delivery_path,
      transitions: (await this.#d.db.transitionsOf(row.id)).map((t) => ({ from: t.from_state, to: t.to_state, at: t.at })),
      parcel: (await this.#d.parcelEventsOf?.(row.id)) ?? [],
    });
    return {
      id: row.id,
      state: row.state,
      msisdn: row.msisdn,
      deliveryPath: row.delivery_path,
      createdAt: isoFromMs(row.created_at),
      holdExpiresAt: isoFromMs(row.hold_expires_at),
      consentGiven: row.consent_at !== null,
      evidence: { portrait: evidence.has('portrait'), emblem: evidence.has('emblem'), handheld: evidence.has('handheld') },
      liveness: live?.outcome === 'passed' ? 'passed' : live ? 'review' : 'missing',
      ...(identity ? { identity } : {}),
      ...(row.decision ? { decision: shownDecision(row.decision) } : {}),
      ...(delivery ? { delivery } : {}),
      ...(contact ? { contact } : {}),
      ...(journey ? { journey } : {}),
    };
  }

  /** The ID numbers read in a hand-held photo at upload, if they were. */
  private cardNumbersOf(evidence: EvidenceRow | undefined): string[] | undefined {
    return evidence?.card_numbers ? (this.#d.envelope.openJson(evidence.card_numbers, cardNumbersAad(evidence.object_id)) as string[]) : undefined;
  }

  /** The face found in a photo when it was uploaded: undefined if never looked for, null if none was found. */
  async evidenceFace(orderId: string, kind: EvidenceKind): Promise<FoundFace | undefined> {
    const e = (await this.#d.db.evidenceOf(orderId)).find((row) => row.kind === kind);
    return e?.face ? (this.#d.envelope.openJson(e.face, faceAad(e.object_id)) as FoundFace) : undefined;
  }

  /** The identity read from the card photos, as the buyer confirmed it. */
  identityOf(row: OrderRow): ReadIdentity {
    if (!row.identity) return { portrait: {}, emblem: {} };
    const opened = readIdentitySchema.partial().parse(this.#d.envelope.openJson(row.identity, identityAad(row.id)));
    return { portrait: opened.portrait ?? {}, emblem: opened.emblem ?? {} };
  }

  private async requireRow(id: string): Promise<OrderRow> {
    const row = await this.#d.db.getOrder(id);
    if (!row) throw new AppError('not_found', 'no such order', 404);
    return row;
  }

}

/** The photos' faults of one kind found at upload, from the card sides' evidence rows. */
function captureCodes(evidence: Map<EvidenceKind, { problems: string }>, code: DecisionReason): DecisionReason[] {
  return (['portrait', 'emblem'] as const).some((kind) => (JSON.parse(evidence.get(kind)?.problems ?? '[]') as DecisionReason[]).includes(code)) ? [code] : [];
}

