import { randomInt, randomUUID } from 'node:crypto';
import {
  type DecisionReason,
  type FrameMeasures,
  LIVENESS_FRAMES,
  type LivenessAction,
  type LivenessChallenge,
  drawActions,
  followsChallenge,
  measureFrame,
  isoFromMs,
  mostNeutral,
} from '@shared';
import type { Envelope } from '../crypto/envelope.js';
import { faceDistance } from '../engine/face/faceDistance.js';
import type { DetectedFace } from '../engine/face/faceModels.js';
import type { VisionEngine } from '../engine/visionEngine.js';
import { AppError } from '../errors.js';
import type { LivenessRow, OrderRow, OrdersDb } from '../providers/db/orders.db.js';
import type { EvidenceStorage } from '../providers/storage/storage.port.js';
import { acceptFrame } from '../verification/intake.js';
import { LIVE_FACE_REASONS, faceVerdict } from '../verification/pipeline.js';
import { sealedAs } from '../providers/db/sealed.js';

export interface LivenessSettings {
  /** Actions a challenge may ask for (all five unless configured otherwise). */
  actions: readonly LivenessAction[];
  /** How long a challenge may be answered after it is issued. */
  challengeSeconds: number;
  /** Challenges one order may ask for. */
  attempts: number;
  faceMatchMaxDistance: number;
  faceReviewMargin: number;
}

export interface LivenessDeps {
  db: OrdersDb;
  storage: EvidenceStorage;
  envelope: Envelope;
  engine: VisionEngine;
  settings: LivenessSettings;
  now: () => number;
}

export interface LivenessVerdict {
  outcome: 'passed' | 'failed' | 'review';
  reasons: DecisionReason[];
  attemptsLeft: number;
}

/** The purpose of the live check taken when buying. */
export const PURCHASE = 'purchase';

/** A frame counts as showing nobody when the detector finds no face; this share of such frames fails. */
const MAX_FACELESS_SHARE = 0.25;

/** Seals a live face's descriptor to its frame, as photos' faces are sealed to theirs. */
const livenessFaceAad = sealedAs.liveFace;

interface FrameFace {
  face: DetectedFace;
  measures: FrameMeasures;
}

/**
 * The live video check (在线视频实人认证): a random challenge issued by the server, answered once
 * with the frames the buyer's camera took while following it. The server decides on those frames:
 * the actions in order, the same person throughout, and that person the card holder.
 */
export class LivenessService {
  readonly #d: LivenessDeps;

  constructor(deps: LivenessDeps) {
    this.#d = deps;
  }

  /**
   * Issues a challenge for a purpose (the purchase, or one activation attempt), within that purpose's
   * limit of challenges.
   */
  async issue(row: OrderRow, portraitFace: Pick<DetectedFace, 'descriptor'> | undefined, purpose = PURCHASE, limit = this.#d.settings.attempts): Promise<LivenessChallenge> {
    if (!portraitFace) {
      throw new AppError('evidence_missing', 'the live check compares you with the card portrait: photograph the portrait side first', 409);
    }
    const issued = (await this.#d.db.challengesOf(row.id, purpose)).length;
    if (issued >= limit) {
      throw new AppError('liveness_attempts_exhausted', 'no live check attempts are left; start again later or visit a store', 429);
    }
    const now = this.#d.now();
    const actions = drawActions((max) => randomInt(max), this.#d.settings.actions);
    const challenge = {
      id: randomUUID(), order_id: row.id, actions: JSON.stringify(actions), issued_at: now, expires_at: now + this.#d.settings.challengeSeconds * 1000, purpose,
    };
    await this.#d.db.insertChallenge(challenge);
    return {
      challengeId: challenge.id,
      actions,
      expiresAt: isoFromMs(challenge.expires_at),
      maxFrames: LIVENESS_FRAMES.max,
      attemptsLeft: limit - issued - 1,
    };
  }

  /**
   * Checks the frames sent for a challenge. The challenge is spent before anything is analysed: the
   * same challenge cannot be answered twice, whatever the first answer was.
   */
  async answer(row: OrderRow, challengeId: string, uploads: Buffer[], portraitFace: Pick<DetectedFace, 'descriptor'>,
    purpose = PURCHASE, limit = this.#d.settings.attempts): Promise<LivenessVerdict> {
    const challenge = await this.#d.db.getChallenge(challengeId);
    if (challenge?.order_id !== row.id || challenge.purpose !== purpose) throw new AppError('not_found', 'no such challenge', 404);
    if (challenge.answered_at !== null) throw new AppError('liveness_challenge_used', 'this challenge was answered already; start the live check again', 409);
    if (challenge.expires_at < this.#d.now()) throw new AppError('liveness_challenge_expired', 'the live check took too long; start it again', 410);
    if (uploads.length < LIVENESS_FRAMES.min || uploads.length > LIVENESS_FRAMES.max) {
      throw new AppError('liveness_frames_invalid', `send between ${LIVENESS_FRAMES.min} and ${LIVENESS_FRAMES.max} frames`, 400);
    }
    // Refuse what is not an image before spending the challenge: a broken upload can be sent again.
    const frames = await Promise.all(uploads.map((upload) => acceptFrame(upload)));
    if (!await this.#d.db.claimChallenge(challengeId, this.#d.now())) {
      throw new AppError('liveness_challenge_used', 'this challenge was answered already; start the live check again', 409);
    }

    const attemptsLeft = Math.max(0, limit - (await this.#d.db.challengesOf(row.id, purpose)).length);
    const fail = async (reasons: DecisionReason[], score: number | null = null): Promise<LivenessVerdict> => {
      await this.#d.db.recordLiveness(challengeId, { outcome: 'failed', reasons: JSON.stringify(reasons), score, object_id: null, face: null });
      return { outcome: 'failed', reasons, attemptsLeft };
    };

    // The bytes as sent, keyed: the same frames sent again, for this order or another, are a replay.
    const digests = uploads.map((upload) => this.#d.envelope.digest(upload, 'liveness-frame'));
    if (!await this.#d.db.recordFrameDigests(challengeId, digests, this.#d.now())) return fail(['liveness_replay']);

    const detections = await this.#d.engine.detectFrameFaces(frames.map((f) => f.jpeg));
    const seen: (FrameFace & { index: number })[] = [];
    detections.forEach((detection, index) => {
      const face = detection.faces[0];
      if (face) seen.push({ index, face, measures: measureFrame(face.landmarks) });
    });
    if (seen.length < frames.length * (1 - MAX_FACELESS_SHARE) || seen.length < LIVENESS_FRAMES.min) return fail(['liveness_no_face']);

    const actions = JSON.parse(challenge.actions) as LivenessAction[];
    if (!followsChallenge(actions, seen.map((s) => s.measures)).ok) return fail(['liveness_action_missing']);

    // The frame nearest the neutral pose stands for the person; every other frame must show the same face.
    const reference = seen[mostNeutral(seen.map((s) => s.measures))];
    if (!reference) throw new Error('no frame to compare');
    const sameLimit = this.#d.settings.faceMatchMaxDistance + this.#d.settings.faceReviewMargin;
    if (seen.some((s) => faceDistance(s.face.descriptor, reference.face.descriptor) > sameLimit)) return fail(['liveness_face_changed']);

    const holder = faceVerdict(reference.face.descriptor, portraitFace.descriptor, this.#d.settings, LIVE_FACE_REASONS);
    if (holder.outcome === 'fail') return fail(holder.reasons, holder.score);

    const kept = frames[reference.index];
    if (!kept) throw new Error('reference frame missing');
    const objectId = await this.#d.storage.put(kept.jpeg);
    const face = this.#d.envelope.sealJson({ descriptor: reference.face.descriptor, score: reference.face.score }, livenessFaceAad(objectId));
    const outcome = holder.outcome === 'pass' ? 'passed' : 'review';
    const replaced = await this.#d.db.recordLiveness(challengeId, { outcome, reasons: JSON.stringify(holder.reasons), score: holder.score, object_id: objectId, face });
    for (const old of replaced) await this.#d.storage.delete(old);
    return { outcome, reasons: holder.reasons, attemptsLeft };
  }

  /** The live face of the check that counts for a purpose, or undefined when there is none. */
  async currentFace(orderId: string, purpose = PURCHASE): Promise<{ row: LivenessRow; descriptor: number[] } | undefined> {
    const row = await this.#d.db.currentLiveness(orderId, purpose);
    if (!row?.face || !row.object_id) return undefined;
    const opened = this.#d.envelope.openJson(row.face, livenessFaceAad(row.object_id)) as { descriptor: number[] };
    return { row, descriptor: opened.descriptor };
  }

  /** Deletes the frames kept for an order (its retention ended). */
  async purge(orderId: string): Promise<void> {
    for (const row of await this.#d.db.challengesOf(orderId)) if (row.object_id) await this.#d.storage.delete(row.object_id);
    await this.#d.db.clearLivenessEvidence(orderId);
  }
}
