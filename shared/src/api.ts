import { contactViewSchema } from './notices.js';
import { z } from 'zod';
import { CARD_SIDES, emblemSideReadSchema, portraitSideReadSchema } from './card.js';
import { LIVENESS_ACTIONS } from './liveness.js';
import { DECISION_REASONS } from './reasons.js';
import { deliveryViewSchema } from './delivery.js';

/** Path A: a courier checks the ID at the door. Path B: an unactivated card, activated online. */
export const DELIVERY_PATHS = ['courier_verified', 'unactivated'] as const;
export type DeliveryPath = (typeof DELIVERY_PATHS)[number];
/**
 * What an order is for: a purchase on one of its delivery paths, the re-registration (补登记) of
 * a number already in service, whose holder goes through the same checks and to whom nothing is shipped,
 * or the identity check of someone reporting a number opened in their name (no number at all).
 */
export const ORDER_PATHS = [...DELIVERY_PATHS, 'reregistration', 'identity_check'] as const;
export type OrderPath = (typeof ORDER_PATHS)[number];
/** Whether an order is a purchase: a card is shipped for it (re-registrations and identity checks ship nothing). */
export const isPurchase = (path: OrderPath): path is DeliveryPath => (DELIVERY_PATHS as readonly string[]).includes(path);

export const ORDER_STATES = [
  'draft',
  'submitted',
  'verifying',
  'approved',
  'rejected',
  'review',
  'shipped',
  'shipped_unactivated',
  'activated',
  'returned',
  'expired',
  'withdrawn',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const EVIDENCE_KINDS = [...CARD_SIDES, 'handheld'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

const msisdn = z.string().regex(/^1(?:70|71|62|65|67)\d{8}$/).meta({ description: 'MVNO number, 11 digits', example: '17012345678' });
/** An order's number: one of ours for sale, or a subscriber's own being re-registered. */
const orderNumber = z.string().regex(/^1\d{10}$/).meta({ description: 'mobile number, 11 digits', example: '17012345678' });
const isoTime = z.string().meta({ description: 'ISO 8601 time', example: '2026-11-22T08:00:00.000Z' });

export const availableNumbersSchema = z
  .object({ numbers: z.array(z.object({ msisdn, prefix: z.string() })) })
  .meta({ id: 'AvailableNumbers' });
export type AvailableNumbers = z.infer<typeof availableNumbersSchema>;

export const holdRequestSchema = z.object({ msisdn }).meta({ id: 'HoldRequest' });
export type HoldRequest = z.infer<typeof holdRequestSchema>;

export const holdSchema = z
  .object({
    holdId: z.string(),
    /** Secret: proves the hold is yours when the order is created. */
    holdToken: z.string(),
    msisdn,
    expiresAt: isoTime,
  })
  .meta({ id: 'Hold' });
export type Hold = z.infer<typeof holdSchema>;

export const createOrderRequestSchema = z
  .object({
    holdId: z.string().min(1).max(64),
    holdToken: z.string().min(1).max(128),
    deliveryPath: z.enum(DELIVERY_PATHS),
    /**
     * The authorised agent selling: the signed session its embedded flow (or its server) was given;
     * none, or one that is not valid: the operator's own storefront.
     */
    agentSession: z.string().max(512).optional(),
  })
  .meta({ id: 'CreateOrderRequest' });
export type CreateOrderRequest = z.infer<typeof createOrderRequestSchema>;

export const consentRequestSchema = z
  .object({
    /** Processing of identity-document data. */
    identity: z.literal(true),
    /** Separate consent to processing face images (biometric data, PIPL art. 28-29). */
    biometric: z.literal(true),
    policyVersion: z.string().min(1).max(32),
  })
  .meta({ id: 'ConsentRequest' });
export type ConsentRequest = z.infer<typeof consentRequestSchema>;

export const submitRequestSchema = z
  .object({ confirmed: z.literal(true).meta({ description: 'The buyer confirms the details read from the card' }) })
  .meta({ id: 'SubmitRequest' });

export const decisionReasonSchema = z.enum(DECISION_REASONS);

/** The identity as read from the card, shown back to the buyer for confirmation. */
export const readIdentitySchema = z
  .object({ portrait: portraitSideReadSchema, emblem: emblemSideReadSchema })
  .meta({ id: 'ReadIdentity' });
export type ReadIdentity = z.infer<typeof readIdentitySchema>;

export const decisionSchema = z
  .object({
    outcome: z.enum(['approved', 'rejected', 'review']),
    reasons: z.array(decisionReasonSchema),
    decidedAt: isoTime,
  })
  .meta({ id: 'Decision' });
export type Decision = z.infer<typeof decisionSchema>;

/**
 * An order's journey after submission, step by step: path A ends with the courier's check at the
 * door (the card is activated there), path B with the card delivered and then activated online.
 */
export const JOURNEY_STEPS = ['submitted', 'checked', 'approved', 'shipped', 'out_for_delivery', 'delivered', 'activated'] as const;
export type JourneyStep = (typeof JOURNEY_STEPS)[number];
/** What the buyer has to do now: nothing but wait, wait for a person, be there for the courier, activate, or start again. */
export const JOURNEY_NEXT = ['wait', 'review', 'meet_courier', 'activate', 'none', 'start_over'] as const;

export const journeySchema = z.object({
  steps: z.array(z.object({
    step: z.enum(JOURNEY_STEPS),
    /** done: it happened (at); current: under way; ahead: still to come; stopped: it will not (rejected, returned). */
    status: z.enum(['done', 'current', 'ahead', 'stopped']),
    at: isoTime.optional(),
  })),
  next: z.enum(JOURNEY_NEXT),
}).meta({ id: 'Journey' });
export type Journey = z.infer<typeof journeySchema>;

export const orderViewSchema = z
  .object({
    id: z.string(),
    state: z.enum(ORDER_STATES),
    msisdn: orderNumber,
    deliveryPath: z.enum(ORDER_PATHS),
    createdAt: isoTime,
    /** Until then the number stays held for this draft. */
    holdExpiresAt: isoTime,
    consentGiven: z.boolean(),
    evidence: z.object({ portrait: z.boolean(), emblem: z.boolean(), handheld: z.boolean() }),
    /** The live video check: passed (or passed to a person for a look), needed before submitting. */
    liveness: z.enum(['missing', 'passed', 'review']),
    identity: readIdentitySchema.optional(),
    decision: decisionSchema.optional(),
    delivery: deliveryViewSchema.optional(),
    /** The mobile number the buyer left for notices. */
    contact: contactViewSchema.optional(),
    /** Once submitted: where the order is in its journey, with the carrier's reports. */
    journey: journeySchema.optional(),
  })
  .meta({ id: 'Order' });
export type OrderView = z.infer<typeof orderViewSchema>;

export const createdOrderSchema = z
  .object({
    order: orderViewSchema,
    /** Secret: send as `Authorization: Bearer <orderToken>` on every call about this order. */
    orderToken: z.string(),
  })
  .meta({ id: 'CreatedOrder' });
export type CreatedOrder = z.infer<typeof createdOrderSchema>;

export const evidenceResultSchema = z
  .object({
    kind: z.enum(EVIDENCE_KINDS),
    /** Fields read from a card side; absent for the hand-held photo. */
    read: z.union([portraitSideReadSchema, emblemSideReadSchema]).optional(),
    /** Problems found at once, so the buyer can retake before submitting. */
    problems: z.array(decisionReasonSchema),
    order: orderViewSchema,
  })
  .meta({ id: 'EvidenceResult' });
export type EvidenceResult = z.infer<typeof evidenceResultSchema>;

/**
 * Frames a live check may send: the colour phase and each action filmed at a frame every
 * LIVENESS_TIMING.frameMs (about 40-70 frames for three actions).
 */
export const LIVENESS_FRAMES = { min: 12, max: 160 } as const;

/** When each frame was taken, and which of the challenge's colours the screen showed then. */
export const livenessTimelineSchema = z
  .array(z.object({
    /** Milliseconds since the check began, by the page's clock. */
    t: z.number().int().min(0).max(600_000),
    /** Index into the challenge's colours, or null outside the colour phase. */
    colour: z.number().int().min(0).max(31).nullable(),
  }).strict())
  .min(LIVENESS_FRAMES.min)
  .max(LIVENESS_FRAMES.max)
  .meta({ id: 'LivenessTimeline' });
export type LivenessTimeline = z.infer<typeof livenessTimelineSchema>;

export const livenessChallengeSchema = z
  .object({
    challengeId: z.string(),
    /** Perform these, in this order. */
    actions: z.array(z.enum(LIVENESS_ACTIONS)).min(1).max(LIVENESS_ACTIONS.length),
    /** Frames must arrive before then; a challenge is answered once. */
    expiresAt: isoTime,
    maxFrames: z.number().int(),
    /** Show these colours full screen, one after another, `colourMs` each, with the face in view. */
    colours: z.array(z.string().regex(/^#[0-9a-f]{6}$/)),
    colourMs: z.number().int(),
    /** Take a frame this often, from the first colour to the end of the last action. */
    frameMs: z.number().int(),
    /** Challenges this order may still ask for after this one. */
    attemptsLeft: z.number().int(),
  })
  .meta({ id: 'LivenessChallenge' });
export type LivenessChallenge = z.infer<typeof livenessChallengeSchema>;

/** A live check's outcome on its own (activation attempts answer with this). */
export const livenessVerdictSchema = z
  .object({
    outcome: z.enum(['passed', 'failed', 'review']),
    reasons: z.array(decisionReasonSchema),
    attemptsLeft: z.number().int(),
  })
  .meta({ id: 'LivenessVerdict' });
export type LivenessVerdictView = z.infer<typeof livenessVerdictSchema>;

export const livenessResultSchema = livenessVerdictSchema
  .extend({ order: orderViewSchema })
  .meta({ id: 'LivenessResult' });
export type LivenessResult = z.infer<typeof livenessResultSchema>;
