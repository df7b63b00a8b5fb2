import { z } from 'zod';
import { portraitSideReadSchema } from './card.js';
import { OUTCOME_REASONS } from './reasons.js';

const isoTime = z.string().meta({ description: 'ISO 8601 time', example: '2026-11-22T08:00:00.000Z' });
const outcomeReasons = z.array(z.enum(OUTCOME_REASONS));

export const SHIPMENT_STATUSES = ['in_transit', 'out_for_delivery', 'delivered', 'handed_over', 'refused', 'returned'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/** A hand-over code: six digits the buyer tells the courier at the door. */
export const HANDOVER_CODE = /^\d{6}$/;

/** What the buyer sees of their parcel on the order. */
export const deliveryViewSchema = z
  .object({
    carrier: z.string(),
    trackingNumber: z.string(),
    status: z.enum(SHIPMENT_STATUSES),
    /** The card's ICCID, last four digits (the whole number is printed on the card). */
    iccidLast4: z.string(),
    /** Path A, until the hand-over: tell it to the courier at the door, and only to them. */
    handoverCode: z.string().optional(),
    /** Sandbox only: the activation code printed in the pack (a real pack carries it on paper). */
    sandboxPackCode: z.string().optional(),
  })
  .meta({ id: 'Delivery' });
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

export const courierProfileSchema = z
  .object({
    name: z.string(),
    company: z.string(),
    /** A supervisor may confirm refusals at the door for their company. */
    role: z.enum(['courier', 'supervisor']),
  })
  .meta({ id: 'CourierProfile' });
export type CourierProfile = z.infer<typeof courierProfileSchema>;

/** What a courier sees of a delivery: enough to check the recipient, nothing more. */
export const courierDeliverySchema = z
  .object({
    trackingNumber: z.string(),
    carrier: z.string(),
    status: z.enum(SHIPMENT_STATUSES),
    /** The surname and stars: 张**. */
    maskedName: z.string(),
    /** The last four characters of the recipient's ID number. */
    idNumberLast4: z.string(),
    /** The number on the card being delivered. */
    msisdn: z.string(),
  })
  .meta({ id: 'CourierDelivery' });
export type CourierDelivery = z.infer<typeof courierDeliverySchema>;

export const handoverResultSchema = z
  .object({
    /** `retake`: the card photo could not be read, nothing was decided or kept; take it again. */
    outcome: z.enum(['handed_over', 'refused', 'retake']),
    reasons: outcomeReasons,
  })
  .meta({ id: 'HandoverResult' });
export type HandoverResult = z.infer<typeof handoverResultSchema>;

export const REFUSAL_REASONS = ['handover_recipient_refused', 'handover_no_id_card'] as const;
/**
 * A refusal at the door returns the order: it needs the hand-over code the buyer gave the courier, or
 * a supervisor of the carrier confirming with their own access code.
 */
export const refuseRequestSchema = z
  .object({
    reason: z.enum(REFUSAL_REASONS),
    code: z.string().regex(HANDOVER_CODE, 'the hand-over code is six digits').optional(),
    supervisorCode: z.string().min(16).max(128).optional(),
  })
  .refine((r) => r.code !== undefined || r.supervisorCode !== undefined, 'a refusal needs the hand-over code, or a supervisor\'s access code')
  .meta({ id: 'RefuseHandover' });
export type RefuseRequest = z.infer<typeof refuseRequestSchema>;

export const startActivationRequestSchema = z
  .object({
    iccid: z.string().min(1).max(32),
    msisdn: z.string().min(1).max(20),
    /**
     * The activation code printed inside the SIM pack. Not needed when the call carries the
     * purchase's own order token (`Authorization: Bearer <orderToken>`).
     */
    packCode: z.string().regex(/^\d{8}$/, 'the activation code in the pack is 8 digits').optional(),
  })
  .meta({ id: 'StartActivation' });
export type StartActivationRequest = z.infer<typeof startActivationRequestSchema>;

export const activationSessionSchema = z
  .object({
    activationId: z.string(),
    /** Secret: send as `Authorization: Bearer <activationToken>` on this attempt's calls. */
    activationToken: z.string(),
    expiresAt: isoTime,
    /** Attempts left after this one before the card is locked for a while. */
    attemptsLeft: z.number().int(),
  })
  .meta({ id: 'ActivationSession' });
export type ActivationSession = z.infer<typeof activationSessionSchema>;

export const activationCardResultSchema = z
  .object({
    read: portraitSideReadSchema,
    /** Problems with the photo itself (retake it); whether it is the right card is decided at the end. */
    problems: outcomeReasons,
  })
  .meta({ id: 'ActivationCardResult' });
export type ActivationCardResult = z.infer<typeof activationCardResultSchema>;

export const activationResultSchema = z
  .object({
    /** `activating`: all checks passed; the network is switching the card on (moments). */
    outcome: z.enum(['activating', 'activated', 'failed']),
    reasons: outcomeReasons,
    attemptsLeft: z.number().int(),
    /** When failures used up the attempts: no new attempt before then. */
    lockedUntil: isoTime.optional(),
  })
  .meta({ id: 'ActivationResult' });
export type ActivationResult = z.infer<typeof activationResultSchema>;
