import {
  type DecisionReason, IDENTITY_DOUBT_REASONS, READING_DOUBT_REASONS, type ReviewCorrectionRequest, type ReviewCase, type ReviewDecisionRequest, type ReviewDecisionResult, type ReviewEvidence,
  type ReviewQueueItem, checkResultSchema, decisionSchema, isoFromMs,
} from '@shared';
import { z } from 'zod';
import type { AccessAudit } from '../audit/accessAudit.js';
import type { Envelope } from '../crypto/envelope.js';
import { AppError } from '../errors.js';
import type { OrderRow, OrdersDb } from '../providers/db/orders.db.js';
import { sealedAs } from '../providers/db/sealed.js';
import type { EvidenceStorage } from '../providers/storage/storage.port.js';
import type { OrderService } from '../services/orderService.js';
import type { StaffMember } from '../staff/staffService.js';
import type { ReviewDb } from './review.db.js';

export interface ReviewSettings {
  /** An order nobody decides within this long after it came to review is closed. */
  deadlineHours: number;
  /** How often an order held only by the ID service being out is checked again. */
  recheckMinutes: number;
}

interface ReviewServiceDeps {
  db: ReviewDb;
  orders: OrdersDb;
  orderService: OrderService;
  storage: EvidenceStorage;
  envelope: Envelope;
  audit: AccessAudit;
  settings: ReviewSettings;
  now: () => number;
  log: (level: 'error' | 'info', message: string) => void;
  /** Called once an order is approved (the shipping starts). */
  afterApproval: (orderId: string) => void;
}

const storedDecision = z.object({ outcome: z.string(), reasons: z.array(z.string()) });
const HOUR_MS = 3_600_000;

/** The reasons of an order's stored decision, exactly as the checks gave them. */
function reasonsOf(row: Pick<OrderRow, 'decision'>): DecisionReason[] {
  return row.decision ? (storedDecision.parse(JSON.parse(row.decision)).reasons as DecisionReason[]) : [];
}

/** Reasons that are only a service not answering (the national ID service, the billing system's card count): asked again later. */
const SERVICE_OUT: readonly DecisionReason[] = ['authority_unavailable', 'card_count_unavailable'];
const onlyServicesOut = (reasons: readonly DecisionReason[]): boolean => reasons.length > 0 && reasons.every((r) => SERVICE_OUT.includes(r));
const doubtsIdentity = (reasons: readonly DecisionReason[]): boolean => reasons.some((r) => IDENTITY_DOUBT_REASONS.includes(r));
/** The national ID service answered that the name and number do not go together: no person can approve over that. */
const recordRefused = (reasons: readonly DecisionReason[]): boolean => reasons.includes('authority_mismatch') || reasons.includes('authority_no_record');

/**
 * The reviewers' workbench: the queue of orders in review, an order's whole case (every opening of it
 * is in the access audit), and the decision, which takes a reason and, to approve over a doubt about
 * the person, a second reviewer. The server closes what nobody decides in time and checks again
 * what only an ID-service outage held.
 */
export class ReviewService {
  readonly #d: ReviewServiceDeps;

  constructor(deps: ReviewServiceDeps) {
    this.#d = deps;
  }

  get #deadlineMs(): number {
    return this.#d.settings.deadlineHours * HOUR_MS;
  }

  async queue(): Promise<ReviewQueueItem[]> {
    const proposals = new Map((await this.#d.db.proposals()).map((p) => [p.order_id, p]));
    return (await this.#d.db.inReview()).map((row) => {
      const proposal = proposals.get(row.id);
      return {
        orderId: row.id,
        reasons: reasonsOf(row),
        since: row.since,
        deadline: row.since + this.#deadlineMs,
        deliveryPath: row.delivery_path,
        agent: row.agent,
        proposal: proposal ? { staff: proposal.staff, outcome: proposal.outcome, reason: proposal.reason, at: proposal.at } : null,
        awaitingRecheck: onlyServicesOut(reasonsOf(row)),
      };
    });
  }

  /** An order's whole case for a reviewer; the opening is recorded in the access audit. */
  async openCase(orderId: string, member: StaffMember, why: string): Promise<ReviewCase> {
    const row = await this.#order(orderId);
    await this.#d.audit.record({ staff: member.username, action: 'case.open', subject: orderId, reason: why });
    const evidence = await this.#d.orders.evidenceOf(orderId);
    const live = await this.#d.orders.currentLiveness(orderId);
    const since = await this.#d.db.reviewSince(orderId);
    const reasons = reasonsOf(row);
    const proposal = await this.#d.db.proposal(orderId);
    return {
      orderId,
      state: row.state,
      msisdn: row.msisdn,
      deliveryPath: row.delivery_path,
      agent: await this.#d.db.agentOf(row.channel_id),
      createdAt: row.created_at,
      since,
      deadline: since === null ? null : since + this.#deadlineMs,
      reasons,
      checks: row.checks ? z.array(checkResultSchema).parse(JSON.parse(row.checks)) : [],
      identity: this.#d.orderService.identityOf(row),
      evidence: [...evidence.map((e) => e.kind), ...(live?.object_id ? ['live' as const] : [])],
      transitions: (await this.#d.orders.transitionsOf(orderId)).map((t) => ({ from: t.from_state, to: t.to_state, at: t.at, reason: t.reason, actor: t.actor })),
      proposal: proposal ? { staff: proposal.staff, outcome: proposal.outcome, reason: proposal.reason, at: proposal.at } : null,
      needsTwoReviewers: doubtsIdentity(reasons),
    };
  }

  /** One photo of the case, decrypted for the reviewer's screen; recorded in the access audit. */
  async evidence(orderId: string, kind: ReviewEvidence, member: StaffMember): Promise<Buffer> {
    await this.#order(orderId);
    const objectId = kind === 'live'
      ? (await this.#d.orders.currentLiveness(orderId))?.object_id
      : (await this.#d.orders.evidenceOf(orderId)).find((e) => e.kind === kind)?.object_id;
    if (!objectId) throw new AppError('not_found', `the order has no ${kind} photo (deleted with its retention, or never taken)`, 404);
    await this.#d.audit.record({ staff: member.username, action: 'evidence.view', subject: orderId, reason: `review: ${kind}` });
    return this.#d.storage.get(objectId);
  }

  /**
   * A reviewer's decision. Rejecting decides at once. Approving decides at once unless the checks
   * doubted the person: then the first approval waits for a second reviewer, and the second decides.
   */
  async decide(orderId: string, request: ReviewDecisionRequest, member: StaffMember): Promise<ReviewDecisionResult> {
    const row = await this.#order(orderId);
    if (row.state !== 'review') throw new AppError('order_closed', `the order is ${row.state}: there is nothing to decide`, 409);
    const reasons = reasonsOf(row);
    const proposal = await this.#d.db.proposal(orderId);
    const note = request.note ? ` (${request.note.length} characters of note)` : '';
    const why = `review: ${request.outcome} ${request.reason}${note}`;
    if (request.outcome === 'approve' && recordRefused(reasons)) {
      throw new AppError('authority_not_confirmed', 'the national ID service has not confirmed this name and number: correct the reading, or reject', 409);
    }
    if (request.outcome === 'approve' && doubtsIdentity(reasons)) {
      if (!proposal) {
        const proposed = await this.#d.db.propose({
          order_id: orderId, staff: member.username, outcome: 'approve', reason: request.reason,
          note: this.#d.envelope.sealJson(request.note, sealedAs.reviewNote(orderId)), at: this.#d.now(),
        });
        if (!proposed) return this.decide(orderId, request, member);
        return { status: 'second_review_needed', state: 'review' };
      }
      if (proposal.staff === member.username) {
        throw new AppError('second_reviewer_required', 'another reviewer must confirm this approval: the checks doubted that this is the card\'s holder', 409);
      }
    }
    const outcome = request.outcome === 'approve' ? 'approved' : 'rejected';
    const actor = proposal && request.outcome === 'approve' ? `staff:${proposal.staff}+${member.username}` : `staff:${member.username}`;
    const decision = decisionSchema.parse({ outcome, reasons: outcome === 'approved' ? [] : reasons, decidedAt: isoFromMs(this.#d.now()) });
    const moved = await this.#d.orders.transition(orderId, 'review', outcome, why, actor, this.#d.now(), { decision: JSON.stringify(decision) });
    if (!moved) throw new AppError('order_closed', 'the order was decided meanwhile', 409);
    await this.#d.db.clearProposal(orderId);
    if (outcome === 'approved') {
      await this.#d.orders.assignNumber(orderId);
      this.#d.afterApproval(orderId);
    } else {
      await this.#d.orders.releaseNumber(orderId);
    }
    return { status: 'decided', state: outcome };
  }

  /**
   * Corrects a field the reader doubted to what the card's photo shows, and checks the order again
   * with it (the national ID service included): the case comes back to review, or is decided. Only
   * a field of an order whose reading was doubted can be corrected.
   */
  async correct(orderId: string, request: ReviewCorrectionRequest, member: StaffMember): Promise<ReviewCase> {
    const row = await this.#order(orderId);
    if (row.state !== 'review') throw new AppError('order_closed', `the order is ${row.state}: there is nothing to correct`, 409);
    if (!reasonsOf(row).some((r) => READING_DOUBT_REASONS.includes(r))) {
      throw new AppError('reading_not_doubted', 'only a reading the reader doubted can be corrected', 409);
    }
    await this.#d.db.clearProposal(orderId);
    await this.#d.orderService.correctReading(orderId, request.field, request.value, `staff:${member.username}`);
    return this.openCase(orderId, member, `review: corrected the ${request.field}`);
  }

  /**
   * The periodic work: orders past their deadline are closed (`review_expired`, number released);
   * orders held only by an ID-service outage are checked again, no more often than the setting.
   */
  async sweep(): Promise<{ expired: number; rechecked: number }> {
    const now = this.#d.now();
    let expired = 0;
    let rechecked = 0;
    for (const row of await this.#d.db.inReview()) {
      if (row.since + this.#deadlineMs <= now) {
        const decision = decisionSchema.parse({ outcome: 'rejected', reasons: ['review_expired'], decidedAt: isoFromMs(now) });
        if (await this.#d.orders.transition(row.id, 'review', 'rejected', 'review_expired: nobody decided within the deadline', 'system', now, { decision: JSON.stringify(decision) })) {
          await this.#d.db.clearProposal(row.id);
          await this.#d.orders.releaseNumber(row.id);
          expired += 1;
        }
      } else if (onlyServicesOut(reasonsOf(row)) && row.updated_at + this.#d.settings.recheckMinutes * 60_000 <= now) {
        if (await this.#d.orderService.recheck(row.id)) rechecked += 1;
      }
    }
    if (expired + rechecked > 0) this.#d.log('info', `review: ${expired} closed past their deadline, ${rechecked} checked again with the ID service`);
    return { expired, rechecked };
  }

  async #order(orderId: string): Promise<OrderRow> {
    const row = await this.#d.orders.getOrder(orderId);
    if (!row) throw new AppError('not_found', 'no such order', 404);
    return row;
  }
}
