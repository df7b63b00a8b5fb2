import type { OutcomeReason, PortraitSideRead } from '@shared';
import type { VisionEngine } from '../engine/visionEngine.js';
import { acceptImage } from './intake.js';
import { type FoundFace, faceIn, portraitProblems } from './pipeline.js';

/**
 * The printed portrait on a card photographed by hand is small; tilted a few degrees, the detector's
 * confidence in it drops below its usual 0.5 (0.34-0.5 on specimen cards turned 1-2.5 degrees).
 * Looked for again at this confidence; a face found only so is never a reason to refuse.
 */
const CARD_PORTRAIT_MIN_CONFIDENCE = 0.3;
/** The detector's usual confidence: a face found at least this sure may decide a refusal. */
export const SURE_FACE = 0.5;

/** What was read and found in a photo of a card's portrait side taken after the purchase. */
export interface CardRecheck {
  jpeg: Buffer;
  read: PortraitSideRead;
  face: FoundFace;
  /** What makes the photo unusable (retake it): unreadable, a number that breaks its rules, no portrait. */
  problems: OutcomeReason[];
}

/** Reads a photo of a card's portrait side again, at the door or at activation; nothing is stored. */
export async function recheckCard(engine: VisionEngine, upload: Buffer): Promise<CardRecheck> {
  const image = await acceptImage(upload);
  const [reading, face] = await Promise.all([engine.readPortraitSide(image.jpeg), faceIn(engine, image.jpeg, { minConfidence: CARD_PORTRAIT_MIN_CONFIDENCE, detector: 'card' })]);
  const read = reading.fields;
  return { jpeg: image.jpeg, read, face, problems: [...portraitProblems(read), ...(face ? [] : ['card_portrait_no_face' as const])] };
}
