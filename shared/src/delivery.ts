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
  })
  .meta({ id: 'Delivery' });
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

export const courierProfileSchema = z
  .object({ name: z.string(), company: z.string() })
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
export const refuseRequestSchema = z.object({ reason: z.enum(REFUSAL_REASONS) }).meta({ id: 'RefuseHandover' });
export type RefuseRequest = z.infer<typeof refuseRequestSchema>;

export const startActivationRequestSchema = z
  .object({
    iccid: z.string().min(1).max(32),
    msisdn: z.string().min(1).max(20),
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
