import { randomInt, randomUUID } from 'node:crypto';
import {
  type DecisionReason,
  LIVENESS_FRAMES,
  LIVENESS_TIMING,
  type LivenessAction,
  type LivenessChallenge,
  type LivenessTimeline,
  drawActions,
  drawColours,
  isoFromMs,
  measureFrame,
} from '@shared';
import seedrandom from 'seedrandom';
import type { Envelope } from '../crypto/envelope.js';
import { faceDistance } from '../engine/face/faceDistance.js';
import type { DetectedFace } from '../engine/face/faceModels.js';
import { type FrameSignature, REPLAY_LIMITS, bandsOf, judgeSequence, sameSequence, signatureOf } from '../verification/liveMotion.js';
import type { SequenceRead } from '../engine/face/frameSequence.js';
import { type VisionEngine, VisionEngineBusyError } from '../engine/visionEngine.js';
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
  /**
   * Draws every challenge's colours from this seed instead of at random: for a browser test whose
   * recorded camera must show them. Refused in production (config.ts).
   */
  colourSeed?: string;
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

/** A frame counts as showing nobody when no face is found in it; this share of the frames read fails. */
const MAX_FACELESS_SHARE = 0.25;

/** Seals a live face's descriptor to its frame, as photos' faces are sealed to theirs. */
const livenessFaceAad = sealedAs.liveFace;

const rgbOf = (hex: string): [number, number, number] => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** The colours every challenge shows under a fixed seed (a test's recorded camera shows them). */
export function seededColours(seed: string): string[] {
  const random = seedrandom(seed);
  return drawColours((max) => Math.floor(random() * max));
}

/** Whether frames came often enough to follow motion: in order, none further apart than the timing allows. */
function denseEnough(timeline: LivenessTimeline): boolean {
  return timeline.every((frame, i) => i === 0 || (frame.t > timeline[i - 1]!.t && frame.t - timeline[i - 1]!.t <= LIVENESS_TIMING.maxGapMs));
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
    const seed = this.#d.settings.colourSeed;
    const colours = seed === undefined ? drawColours((max) => randomInt(max)) : seededColours(seed);
    const challenge = {
      id: randomUUID(), order_id: row.id, actions: JSON.stringify(actions), colours: JSON.stringify(colours),
      issued_at: now, expires_at: now + this.#d.settings.challengeSeconds * 1000, purpose,
    };
    await this.#d.db.insertChallenge(challenge);
    return {
      challengeId: challenge.id,
      actions,
      expiresAt: isoFromMs(challenge.expires_at),
      maxFrames: LIVENESS_FRAMES.max,
      colours,
      colourMs: LIVENESS_TIMING.colourMs,
      frameMs: LIVENESS_TIMING.frameMs,
      attemptsLeft: limit - issued - 1,
    };
  }

  /**
   * Checks the frames sent for a challenge, with the timeline the page kept of them. The challenge is
   * spent before anything is analysed: the same challenge cannot be answered twice, whatever the
   * first answer was (an answer the vision engine was too busy to read was not one).
   */
  async answer(row: OrderRow, challengeId: string, uploads: Buffer[], timeline: LivenessTimeline, portraitFace: Pick<DetectedFace, 'descriptor'>,
    purpose = PURCHASE, limit = this.#d.settings.attempts): Promise<LivenessVerdict> {
    const challenge = await this.#d.db.getChallenge(challengeId);
    if (challenge?.order_id !== row.id || challenge.purpose !== purpose) throw new AppError('not_found', 'no such challenge', 404);
    if (challenge.answered_at !== null) throw new AppError('liveness_challenge_used', 'this challenge was answered already; start the live check again', 409);
    if (challenge.expires_at < this.#d.now()) throw new AppError('liveness_challenge_expired', 'the live check took too long; start it again', 410);
    if (uploads.length < LIVENESS_FRAMES.min || uploads.length > LIVENESS_FRAMES.max) {
      throw new AppError('liveness_frames_invalid', `send between ${LIVENESS_FRAMES.min} and ${LIVENESS_FRAMES.max} frames`, 400);
    }
    const colours = (JSON.parse(challenge.colours) as string[]).map(rgbOf);
    if (timeline.length !== uploads.length || timeline.some((f) => f.colour !== null && f.colour >= colours.length)) {
      throw new AppError('liveness_frames_invalid', 'the timeline must give one entry per frame, with a colour of the challenge or null', 400);
    }
    // Refuse what is not an image before spending the challenge: a broken upload can be sent again.
    const frames = await Promise.all(uploads.map((upload) => acceptFrame(upload)));
    const claimedAt = this.#d.now();
    if (!await this.#d.db.claimChallenge(challengeId, claimedAt)) {
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
    // Frames far apart cannot show motion: what is sent must be the dense sequence the challenge asked for.
    if (!denseEnough(timeline)) return fail(['liveness_motion_broken']);

    // The person holds still from the start to the last colour: those frames are read more sparsely.
    const lastColour = timeline.findLastIndex((f) => f.colour !== null);
    let read: SequenceRead;
    try {
      read = await this.#d.engine.readSequence(frames.map((f) => f.jpeg), timeline.map((_, i) => i <= lastColour));
    } catch (error) {
      // Too busy to start reading the frames (503): nothing was judged, so the challenge is given back
      // and the same take may be sent again; the buyer loses neither the take nor an attempt. A read
      // that ran out of time or memory did cost its work: that challenge stays spent, or one take
      // could be sent again and again until the challenge expires.
      if (error instanceof VisionEngineBusyError) await this.#d.db.releaseChallenge(challengeId, claimedAt);
      throw error;
    }
    // The same pictures sent again, re-encoded or resized: found by their perceptual hashes, in order.
    if (await this.#replayed(challengeId, read.frames.map((f) => signatureOf(f.hash, f.skin)))) return fail(['liveness_replay']);
    const analysed = read.frames.filter((f) => f.analysed);
    const withFace = analysed.filter((f) => f.landmarks);
    if (withFace.length < analysed.length * (1 - MAX_FACELESS_SHARE) || withFace.length < LIVENESS_FRAMES.min) return fail(['liveness_no_face']);

    // The frame nearest the neutral pose stands for the person; the frames spread over the check must
    // show the same face (before the motion is judged: two people's poses are not one motion).
    const [reference, ...others] = read.described;
    if (!reference) return fail(['liveness_no_face']);
    const sameLimit = this.#d.settings.faceMatchMaxDistance + this.#d.settings.faceReviewMargin;
    if (others.some((o) => faceDistance(o.descriptor, reference.descriptor) > sameLimit)) return fail(['liveness_face_changed']);

    const actions = JSON.parse(challenge.actions) as LivenessAction[];
    const judged = judgeSequence(actions, read.frames.map((f, i) => ({ ...timeline[i]!, landmarks: f.landmarks, skin: f.skin, surround: f.surround })),
      colours, LIVENESS_TIMING.colourMs, measureFrame);
    if (!judged.ok) return fail([judged.reason]);

    const holder = faceVerdict(reference.descriptor, portraitFace.descriptor, this.#d.settings, LIVE_FACE_REASONS);
    if (holder.outcome === 'fail') return fail(holder.reasons, holder.score);

    const kept = frames[reference.index];
    if (!kept) throw new Error('reference frame missing');
    const objectId = await this.#d.storage.put(kept.jpeg);
    const face = this.#d.envelope.sealJson({ descriptor: reference.descriptor, score: reference.score }, livenessFaceAad(objectId));
    const outcome = holder.outcome === 'pass' ? 'passed' : 'review';
    const replaced = await this.#d.db.recordLiveness(challengeId, { outcome, reasons: JSON.stringify(holder.reasons), score: holder.score, object_id: objectId, face });
    for (const old of replaced) await this.#d.storage.delete(old);
    return { outcome, reasons: holder.reasons, attemptsLeft };
  }

  /**
   * Records this sequence's hashes, then compares it with the earlier sequences sharing enough of
   * their bands (keyed digests: the hashes themselves are sealed).
   */
  async #replayed(challengeId: string, signatures: FrameSignature[]): Promise<boolean> {
    const bands = signatures.flatMap((s) => bandsOf(s.h)).map((band) => this.#d.envelope.digest(band, 'liveness-hash-band'));
    const candidates = await this.#d.db.sequencesSharing(bands, Math.ceil(new Set(bands).size * REPLAY_LIMITS.share * 0.5));
    await this.#d.db.recordSequence(challengeId, this.#d.envelope.sealJson(signatures, sealedAs.frameHashes(challengeId)), bands, this.#d.now());
    return candidates.some((c) => c.challenge_id !== challengeId
      && sameSequence(signatures, this.#d.envelope.openJson(c.hashes, sealedAs.frameHashes(c.challenge_id)) as FrameSignature[]));
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
