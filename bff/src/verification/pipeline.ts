import {
  type CalendarDate,
  FRONTAL_MAX_YAW,
  type DecisionReason,
  type EmblemSideRead,
  type PortraitSideRead,
  checkValidity,
  measureFrame,
  parseIdNumber,
  sidesBelongTogether,
  todayInChina,
} from '@shared';
import type { CheckResult } from '../domain/decision.js';
import { faceDistance, judgeDistance } from '../engine/face/faceDistance.js';
import type { DetectedFace, FaceBox, FaceDetector } from '../engine/face/faceModels.js';
import type { VisionEngine } from '../engine/visionEngine.js';
import type { AuthorityPort } from '../providers/authority/authority.port.js';
import { EMBLEM_FIELD_COUNT, PORTRAIT_FIELD_COUNT } from '../engine/ocr/cardText.js';

/** The largest face of a photo, as found at upload (yaw from its landmarks); null when there was none. */
export type FoundFace = (Pick<DetectedFace, 'descriptor' | 'score'> & { yaw?: number }) | null;

export interface VerificationInput {
  /** Faults of the card photos found when they were taken that refuse them (a card cut off by the frame). */
  captureProblems: DecisionReason[];
  /** Faults that a person should look at (glare on the card). */
  captureWarnings: DecisionReason[];
  /** Faces found when the photos were uploaded; a missing one is looked for in its image. */
  portraitFace: FoundFace | undefined;
  handheldFace: FoundFace | undefined;
  /** ID numbers read in the hand-held photo at upload, when they were. */
  handheldNumbers: string[] | undefined;
  /** The face of the live check that counts, if there is one. */
  liveFace: { descriptor: number[] } | undefined;
  /** The live check's kept frame, for the three-element national check. */
  loadLiveFrame: () => Promise<Buffer | undefined>;
  loadImage: (kind: 'portrait' | 'handheld') => Promise<Buffer>;
  portrait: PortraitSideRead;
  emblem: EmblemSideRead;
}

/** How a face is looked for: the detector's confidence (its own, unless given) and which detector. */
export interface FaceSearch {
  minConfidence?: number;
  /** `card` for a card's printed portrait (faceModels.ts); photos of people otherwise. */
  detector?: FaceDetector;
}

/**
 * The face that counts in an image and where it is, in a worker thread: the largest, or on a card
 * the surest (faceModels.ts).
 */
export async function faceAt(engine: VisionEngine, image: Buffer, { minConfidence, detector = 'photo' }: FaceSearch = {}): Promise<{ face: FoundFace; box?: FaceBox }> {
  const face = (await engine.detectFaces(image, minConfidence, detector)).faces[0];
  return face ? { face: { descriptor: face.descriptor, score: face.score, yaw: measureFrame(face.landmarks).yaw }, box: face.box } : { face: null };
}

/** The face that counts in an image, in a worker thread (`faceAt` without where it is). */
export async function faceIn(engine: VisionEngine, image: Buffer, search: FaceSearch = {}): Promise<FoundFace> {
  return (await faceAt(engine, image, search)).face;
}

export interface PipelineDeps {
  engine: VisionEngine;
  authority: AuthorityPort;
  /** Largest face distance accepted as the same person. */
  faceMatchMaxDistance: number;
  /** Above the threshold by less than this, a person looks at it instead of a refusal. */
  faceReviewMargin: number;
  authorityTimeoutMs: number;
  /** Three-element check: the live face goes with name and number. */
  authorityPortrait: boolean;
  today?: CalendarDate;
}

function isoToDate(iso: string): CalendarDate {
  const [year = 0, month = 0, day = 0] = iso.split('-').map(Number);
  return { year, month, day };
}

/** The card itself: every field read, the number and the validity lawful, printed facts agreeing with the number. */
export function checkDocument(portrait: PortraitSideRead, emblem: EmblemSideRead, today: CalendarDate): CheckResult {
  const evidence = ['portrait', 'emblem'];
  if (Object.keys(portrait).length < PORTRAIT_FIELD_COUNT || Object.keys(emblem).length < EMBLEM_FIELD_COUNT) {
    return { check: 'document', outcome: 'fail', reasons: ['card_unreadable'], evidence };
  }
  const reasons: DecisionReason[] = [];
  const number = parseIdNumber(portrait.idNumber ?? '', today);
  if (!number.ok) reasons.push(...number.reasons);
  else {
    if ((number.value.sex === 'male' ? '男' : '女') !== portrait.sex) reasons.push('card_sex_mismatch');
    const printed = isoToDate(portrait.birthDate ?? '');
    const encoded = number.value.birthDate;
    if (printed.year !== encoded.year || printed.month !== encoded.month || printed.day !== encoded.day) reasons.push('card_birth_date_mismatch');
  }
  const validity = checkValidity(emblem.validity ?? '', isoToDate(portrait.birthDate ?? ''), today);
  if (!validity.ok) reasons.push(...validity.reasons);
  // Two sides from different cards: a person looks, since a misread place name can cause it too.
  const together = sidesBelongTogether(portrait.address, emblem.issuingAuthority) !== false;
  if (reasons.length > 0) return { check: 'document', outcome: 'fail', reasons: together ? reasons : [...reasons, 'card_sides_mismatch'], evidence };
  if (!together) return { check: 'document', outcome: 'review', reasons: ['card_sides_mismatch'], evidence };
  return { check: 'document', outcome: 'pass', reasons, evidence };
}

/** Whether a face (found with landmarks) is turned too far from the camera to count as frontal. */
export function isTurned(face: FoundFace): boolean {
  return face?.yaw !== undefined && Math.abs(face.yaw) > FRONTAL_MAX_YAW;
}

/** A photo's face as found at upload, or looked for now in a photo uploaded before faces were kept. */
async function faceOf(input: VerificationInput, deps: PipelineDeps, kind: 'portrait' | 'handheld'): Promise<FoundFace> {
  const known = kind === 'portrait' ? input.portraitFace : input.handheldFace;
  return known !== undefined ? known : faceIn(deps.engine, await input.loadImage(kind), { detector: kind === 'portrait' ? 'card' : 'photo' });
}

export interface FaceVerdict<R extends string = DecisionReason> {
  outcome: 'pass' | 'review' | 'fail';
  reasons: R[];
  score: number;
}

/**
 * Two faces at the calibrated thresholds (CALIBRATION.md): the same person, a person should look
 * (`review` reason), or someone else (`fail` reason).
 */
export function faceVerdict<R extends string = DecisionReason>(
  a: readonly number[],
  b: readonly number[],
  settings: Pick<PipelineDeps, 'faceMatchMaxDistance' | 'faceReviewMargin'>,
  reasonFor: { review: R; fail: R },
): FaceVerdict<R> {
  const distance = faceDistance(a, b);
  const outcome = judgeDistance(distance, settings.faceMatchMaxDistance, settings.faceReviewMargin);
  return { outcome, reasons: outcome === 'pass' ? [] : [reasonFor[outcome]], score: Math.round(distance * 1000) / 1000 };
}

/** The live face against the card portrait: what the live check's reasons say when they differ. */
export const LIVE_FACE_REASONS = { review: 'liveness_borderline', fail: 'liveness_not_card_holder' } as const;

/** The card portrait against the largest face of the hand-held photo (the buyer's, nearer the camera). */
export async function checkFace(input: VerificationInput, deps: PipelineDeps): Promise<CheckResult> {
  const evidence = ['portrait', 'handheld'];
  const [cardFace, holderFace] = await Promise.all([faceOf(input, deps, 'portrait'), faceOf(input, deps, 'handheld')]);
  if (!cardFace) return { check: 'face', outcome: 'fail', reasons: ['card_portrait_no_face'], evidence };
  if (!holderFace) return { check: 'face', outcome: 'fail', reasons: ['handheld_no_face'], evidence };
  const verdict = faceVerdict(cardFace.descriptor, holderFace.descriptor, deps, { review: 'face_borderline', fail: 'face_mismatch' });
  // A match on a face turned well away from the camera is weaker evidence: a person looks.
  if (verdict.outcome === 'pass' && isTurned(holderFace)) return { check: 'face', ...verdict, outcome: 'review', reasons: ['handheld_not_frontal'], evidence };
  return { check: 'face', ...verdict, evidence };
}

/** Long sides the hand-held photo is read at: the card's number is small in it, so a second, finer pass. */
const HELD_CARD_SCALES = [960, 1600] as const;

/** Every ID-number-shaped run of characters in the hand-held photo's text. */
export async function cardNumbersIn(engine: VisionEngine, image: Buffer, wanted?: string): Promise<string[]> {
  const found = new Set<string>();
  for (const scale of HELD_CARD_SCALES) {
    const text = (await engine.readLines(image, scale)).map((line) => line.text.replace(/\s/gu, '').toUpperCase()).join('|');
    for (const match of text.matchAll(/\d{17}[\dX]/gu)) found.add(match[0]);
    // The finer pass only when the first did not find what is wanted (or, not knowing it yet, anything).
    if (wanted ? found.has(wanted) : found.size > 0) break;
  }
  return [...found];
}

/**
 * The card is visibly held: its number, as read from the portrait side, is found in the hand-held
 * photo (read at upload; read now for a photo uploaded before that). Not found goes to a person
 * rather than a refusal: a finger or glare can hide a digit.
 */
export async function checkHeldCard(input: VerificationInput, deps: PipelineDeps): Promise<CheckResult> {
  const evidence = ['handheld', 'portrait'];
  const wanted = input.portrait.idNumber ?? '';
  const numbers = input.handheldNumbers ?? await cardNumbersIn(deps.engine, await input.loadImage('handheld'), wanted);
  if (wanted && numbers.includes(wanted)) return { check: 'held_card', outcome: 'pass', reasons: [], evidence };
  return { check: 'held_card', outcome: 'review', reasons: ['handheld_card_not_found'], evidence };
}

/**
 * The live check that counts: it passed when it was done, and its face is the card holder's on the
 * portrait as it is now (a portrait retaken after the live check is compared again).
 */
export async function checkLiveness(input: VerificationInput, deps: PipelineDeps): Promise<CheckResult> {
  const evidence = ['liveness', 'portrait'];
  if (!input.liveFace) return { check: 'liveness', outcome: 'fail', reasons: ['liveness_missing'], evidence };
  const cardFace = await faceOf(input, deps, 'portrait');
  if (!cardFace) return { check: 'liveness', outcome: 'fail', reasons: ['card_portrait_no_face'], evidence };
  return { check: 'liveness', ...faceVerdict(cardFace.descriptor, input.liveFace.descriptor, deps, LIVE_FACE_REASONS), evidence };
}

/**
 * Name and number against the national record and, in the three-element check, the live face
 * against the portrait on record. A failure to ask is never a pass.
 */
export async function checkAuthority(input: VerificationInput, deps: PipelineDeps): Promise<CheckResult> {
  try {
    const photo = deps.authorityPortrait ? await input.loadLiveFrame() : undefined;
    const result = await deps.authority.verifyIdentity(
      { name: input.portrait.name ?? '', idNumber: input.portrait.idNumber ?? '', ...(photo ? { photo } : {}) },
      AbortSignal.timeout(deps.authorityTimeoutMs),
    );
    const evidence = [`authority:${result.source}`, ...(photo ? ['liveness'] : [])];
    const score = { ...(result.portrait ? { score: result.portrait.similarity } : {}), ...(result.transactionId ? { transactionId: result.transactionId } : {}) };
    if (result.portrait && !result.portrait.match) {
      return { check: 'authority', outcome: 'fail', reasons: ['authority_portrait_mismatch'], ...score, evidence };
    }
    switch (result.outcome) {
      case 'match':
      case 'no_photo':
        // A record without a portrait still confirms name and number.
        return { check: 'authority', outcome: 'pass', reasons: [], ...score, evidence };
      case 'mismatch':
        return { check: 'authority', outcome: 'fail', reasons: ['authority_mismatch'], ...score, evidence };
      case 'no_record':
        return { check: 'authority', outcome: 'fail', reasons: ['authority_no_record'], ...score, evidence };
      case 'source_error':
      case 'rate_limited':
        return { check: 'authority', outcome: 'review', reasons: ['authority_unavailable'], ...score, evidence };
    }
  } catch {
    return { check: 'authority', outcome: 'review', reasons: ['authority_unavailable'], evidence: ['authority'] };
  }
}

/**
 * Runs every check on the evidence of one order: the document first, then the face, held-card and
 * live checks together, and only when none of those failed, the national ID service. A card or a
 * face that is refused here costs no vendor call and teaches nothing about the national record.
 */
export async function runVerification(input: VerificationInput, deps: PipelineDeps): Promise<CheckResult[]> {
  const read = checkDocument(input.portrait, input.emblem, deps.today ?? todayInChina());
  const reasons = [...new Set([...input.captureProblems, ...read.reasons])];
  let document: CheckResult = input.captureProblems.length > 0 ? { ...read, outcome: 'fail', reasons } : read;
  if (document.outcome !== 'fail' && input.captureWarnings.length > 0) {
    document = { ...document, outcome: 'review', reasons: [...new Set([...document.reasons, ...input.captureWarnings])] };
  }
  // A card that fails its own rules is refused as it is: the buyer gets the one reason they can act on.
  if (document.outcome === 'fail') return [document];
  const local = [document, ...await Promise.all([checkFace(input, deps), checkHeldCard(input, deps), checkLiveness(input, deps)])];
  if (local.some((result) => result.outcome === 'fail')) return local;
  const authority = await checkAuthority(input, deps);
  // A name read in doubt that the record does not know may be the reading's fault: a person compares
  // the card's photo with it and corrects it; the order cannot be approved until the record agrees.
  if (authority.reasons.includes('authority_mismatch') && input.captureWarnings.includes('card_name_doubtful')) {
    return [...local, { ...authority, outcome: 'review' }];
  }
  return [...local, authority];
}

/** What the buyer can fix by retaking the portrait side: unreadable fields, or a number that fails its rules. */
export function portraitProblems(read: PortraitSideRead): DecisionReason[] {
  if (Object.keys(read).length < PORTRAIT_FIELD_COUNT) return ['card_unreadable'];
  const number = parseIdNumber(read.idNumber ?? '', todayInChina());
  return number.ok ? [] : number.reasons;
}
