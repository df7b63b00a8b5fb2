import { z } from 'zod';
import { ORDER_PATHS, ORDER_STATES, decisionReasonSchema, readIdentitySchema } from './api.js';
import type { DecisionReason } from './reasons.js';

/**
 * Reasons that say the person may not be the card's holder. Approving an order in review for one of
 * them overrides a refusal: it takes two reviewers, the second not the first.
 */
export const IDENTITY_DOUBT_REASONS: readonly DecisionReason[] = [
  'face_mismatch', 'face_borderline', 'liveness_not_card_holder', 'liveness_borderline', 'liveness_face_changed', 'authority_portrait_mismatch',
];

/** Why a reviewer decided as they did: one from the list, and text when it is `other`. */
export const REVIEW_VERDICT_REASONS = {
  approve: ['same_person_on_inspection', 'card_genuine_on_inspection', 'glare_hides_nothing', 'authority_confirmed', 'other'],
  reject: ['different_person', 'card_not_genuine', 'card_unreadable', 'held_card_missing', 'suspected_fraud', 'other'],
} as const;
export type ReviewVerdictReason = (typeof REVIEW_VERDICT_REASONS)[keyof typeof REVIEW_VERDICT_REASONS][number];

export const reviewDecisionRequestSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('approve'), reason: z.enum(REVIEW_VERDICT_REASONS.approve), note: z.string().trim().max(500).default('') }),
  z.object({ outcome: z.literal('reject'), reason: z.enum(REVIEW_VERDICT_REASONS.reject), note: z.string().trim().max(500).default('') }),
]).refine((r) => r.reason !== 'other' || r.note.length > 0, { message: 'say why when the reason is "other"', path: ['note'] })
  .meta({ id: 'ReviewDecisionRequest' });
export type ReviewDecisionRequest = z.infer<typeof reviewDecisionRequestSchema>;

/** Fields a reviewer may correct as printed on the card: free text, which the reader may misread and no rule can check. */
export const REVIEW_CORRECTABLE_FIELDS = ['name', 'address', 'issuingAuthority'] as const;
export type ReviewCorrectableField = (typeof REVIEW_CORRECTABLE_FIELDS)[number];

/** Reasons that let a reviewer correct a reading: the reader itself doubted it. */
export const READING_DOUBT_REASONS: readonly DecisionReason[] = ['card_name_doubtful', 'card_text_doubtful'];

/** A field corrected to what the card's photo shows; the order is checked again with it. */
export const reviewCorrectionRequestSchema = z.object({
  field: z.enum(REVIEW_CORRECTABLE_FIELDS),
  // Printed text: no control characters, at most the card's three address lines.
  value: z.string().trim().min(1).max(33).regex(/^[^\p{Cc}\p{Cf}]+$/u, 'printable characters only'),
  note: z.string().trim().max(500).default(''),
}).meta({ id: 'ReviewCorrectionRequest' });
export type ReviewCorrectionRequest = z.infer<typeof reviewCorrectionRequestSchema>;

export const reviewProposalSchema = z.object({ staff: z.string(), outcome: z.enum(['approve', 'reject']), reason: z.string(), at: z.number() });

export const reviewQueueItemSchema = z.object({
  orderId: z.string(),
  reasons: z.array(decisionReasonSchema),
  /** When it came to review, and when it closes undecided. */
  since: z.number(),
  deadline: z.number(),
  deliveryPath: z.enum(ORDER_PATHS),
  agent: z.string().nullable(),
  /** An approval waiting for its second reviewer. */
  proposal: reviewProposalSchema.nullable(),
  /** Only the ID service was out: the server tries it again before a person looks. */
  awaitingRecheck: z.boolean(),
}).meta({ id: 'ReviewQueueItem' });
export type ReviewQueueItem = z.infer<typeof reviewQueueItemSchema>;

export const REVIEW_EVIDENCE = ['portrait', 'emblem', 'handheld', 'live'] as const;
export type ReviewEvidence = (typeof REVIEW_EVIDENCE)[number];

export const checkResultSchema = z.object({
  check: z.string(),
  outcome: z.enum(['pass', 'fail', 'review']),
  reasons: z.array(decisionReasonSchema),
  score: z.number().optional(),
  evidence: z.array(z.string()),
  transactionId: z.string().optional(),
});

export const reviewCaseSchema = z.object({
  orderId: z.string(),
  state: z.enum(ORDER_STATES),
  msisdn: z.string(),
  deliveryPath: z.enum(ORDER_PATHS),
  agent: z.string().nullable(),
  createdAt: z.number(),
  since: z.number().nullable(),
  deadline: z.number().nullable(),
  /** The decision's reasons as they are: the ID service's exact answer included. */
  reasons: z.array(decisionReasonSchema),
  checks: z.array(checkResultSchema),
  identity: readIdentitySchema,
  evidence: z.array(z.enum(REVIEW_EVIDENCE)),
  transitions: z.array(z.object({ from: z.string().nullable(), to: z.string(), at: z.number(), reason: z.string(), actor: z.string() })),
  proposal: reviewProposalSchema.nullable(),
  needsTwoReviewers: z.boolean(),
}).meta({ id: 'ReviewCase' });
export type ReviewCase = z.infer<typeof reviewCaseSchema>;

export const reviewDecisionResultSchema = z.object({
  /** Decided, or waiting for a second reviewer. */
  status: z.enum(['decided', 'second_review_needed']),
  state: z.enum(ORDER_STATES),
}).meta({ id: 'ReviewDecisionResult' });
export type ReviewDecisionResult = z.infer<typeof reviewDecisionResultSchema>;
