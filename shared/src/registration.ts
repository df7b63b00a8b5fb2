import { z } from 'zod';
import { ORDER_PATHS, ORDER_STATES, decisionReasonSchema, readIdentitySchema } from './api.js';
import { normaliseIdNumber, parseIdNumber } from './idNumber.js';
import { checkResultSchema } from './review.js';
import { normaliseMsisdn, validateIccid } from './telecom.js';

/** How the person who activated a number was checked: at the door (path A), online (path B), or re-registering a number in service online (补登记). */
export const VERIFICATION_METHODS = ['door_check', 'online_activation', 'online_reregistration'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/** Photos a registration keeps: the purchase's, and the door's or the activation's. */
export const REGISTRATION_EVIDENCE = ['portrait', 'emblem', 'handheld', 'live', 'door_card', 'door_face', 'activation_card', 'activation_live'] as const;
export type RegistrationEvidence = (typeof REGISTRATION_EVIDENCE)[number];

/** What a registration, or a buyer's orders, can be found by. */
export const LOOKUP_KEYS = ['msisdn', 'iccid', 'idNumber'] as const;
export type LookupKey = (typeof LOOKUP_KEYS)[number];

/** Every look-up of identity data says why: it goes into the access audit as written. */
export const accessReason = z.string().trim().min(8, 'say why, in at least 8 characters (a ticket number, an inspector\'s request)').max(300);

/** A look-up: what to look for, by which key, and why (the value is checked by its kind with `lookupValue`). */
export const lookupRequestSchema = z.object({
  by: z.enum(LOOKUP_KEYS),
  value: z.string().trim().min(1).max(40),
  reason: accessReason,
}).meta({ id: 'LookupRequest' });
export interface LookupRequest { by: LookupKey; value: string; reason: string }

/**
 * The value of a look-up as it is stored, checked by its kind (a mobile number, an ICCID with its
 * check digit, an ID number with its own), or undefined when it is none.
 */
export function lookupValue(by: LookupKey, raw: string): string | undefined {
  // Any mobile number: the subscribers imported and re-registered keep the numbers they had.
  if (by === 'msisdn') return /^1\d{10}$/u.test(normaliseMsisdn(raw)) ? normaliseMsisdn(raw) : undefined;
  if (by === 'iccid') return validateIccid(raw).ok ? raw.replace(/\s/gu, '') : undefined;
  return parseIdNumber(raw).ok ? normaliseIdNumber(raw) : undefined;
}

const time = z.number().nullable();

export const registrationRecordSchema = z.object({
  id: z.string(),
  msisdn: z.string(),
  iccid: z.string(),
  method: z.enum(VERIFICATION_METHODS),
  /** The identity as read from the card and confirmed by the national ID service. */
  identity: readIdentitySchema,
  /** The five-card key: a keyed hash of the ID number, as the cap counts it. */
  holderKey: z.string(),
  /** The national ID service's adapter and its transaction id for the check. */
  authority: z.object({ source: z.string(), transactionId: z.string().nullable() }),
  channel: z.object({ agentNumber: z.string(), name: z.string() }).nullable(),
  courier: z.object({ id: z.string(), company: z.string(), name: z.string() }).nullable(),
  activationAttempt: z.string().nullable(),
  /** The photos kept, by kind, with their stored ids. */
  evidence: z.array(z.object({ kind: z.enum(REGISTRATION_EVIDENCE), objectId: z.string() })),
  times: z.object({ ordered: z.number(), approved: time, shipped: time, verified: time, activated: z.number(), serviceEnded: time }),
  order: z.object({
    id: z.string(),
    state: z.enum(ORDER_STATES),
    deliveryPath: z.enum(ORDER_PATHS),
    reasons: z.array(decisionReasonSchema),
    checks: z.array(checkResultSchema),
    transitions: z.array(z.object({ from: z.string().nullable(), to: z.string(), at: z.number(), reason: z.string(), actor: z.string() })),
  }),
  shipment: z.object({ carrier: z.string(), trackingNumber: z.string(), status: z.string() }).nullable(),
  legalHold: z.boolean(),
}).meta({ id: 'RegistrationRecord' });
export type RegistrationRecord = z.infer<typeof registrationRecordSchema>;

/** What is held of one order, for a buyer's request to see or delete their data. */
export const heldOrderSchema = z.object({
  orderId: z.string(),
  state: z.enum(ORDER_STATES),
  msisdn: z.string(),
  createdAt: z.number(),
  /** Photos, the sealed identity, face descriptors: what the order still holds. */
  photos: z.number(),
  identity: z.boolean(),
  registered: z.boolean(),
  legalHold: z.boolean(),
  /** When the retention sweep deletes it (null: kept with a registration, or already gone). */
  deletesAt: z.number().nullable(),
  /** Whether a deletion request can be honoured now, and why not. */
  deletable: z.boolean(),
  keptBecause: z.enum(['registration', 'legal_hold', 'in_progress']).nullable(),
}).meta({ id: 'HeldOrder' });
export type HeldOrder = z.infer<typeof heldOrderSchema>;

export const requestReasonSchema = z.object({ reason: accessReason }).meta({ id: 'RequestReason' });

export const legalHoldRequestSchema = z.object({ orderId: z.uuid(), reason: accessReason }).meta({ id: 'LegalHoldRequest' });

export const legalHoldSchema = z.object({ orderId: z.string(), staff: z.string(), at: z.number(), reason: z.string() }).meta({ id: 'LegalHold' });
export type LegalHold = z.infer<typeof legalHoldSchema>;
