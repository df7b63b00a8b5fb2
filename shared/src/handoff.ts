import { z } from 'zod';
import { orderViewSchema } from './api.js';

/**
 * A hand-off's code: ten characters of Crockford's base32 (50 bits), shown as two groups of five.
 * Read back forgivingly: lower case, spaces and dashes, O for 0, I and L for 1.
 */
export const HANDOFF_CODE_LENGTH = 10;
export const HANDOFF_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function normaliseHandoffCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]/gu, '').replace(/O/gu, '0').replace(/[IL]/gu, '1');
}

/** The code as a person reads it: two groups of five. */
export const formatHandoffCode = (code: string): string => `${code.slice(0, 5)}-${code.slice(5)}`;

export const handoffCodeSchema = z.string().max(40).transform(normaliseHandoffCode)
  .pipe(z.string().regex(new RegExp(`^[${HANDOFF_ALPHABET}]{${HANDOFF_CODE_LENGTH}}$`, 'u'), 'a hand-off code: ten letters and digits'));

/**
 * Where a hand-off is: waiting for the phone, claimed (the phone is taking the photos), finished (the
 * phone is done: the first device goes on), cancelled by the first device, or expired unused.
 */
export const HANDOFF_STATES = ['waiting', 'claimed', 'finished', 'cancelled', 'expired'] as const;
export type HandoffState = (typeof HANDOFF_STATES)[number];

export const handoffSchema = z.object({
  id: z.string(),
  state: z.enum(HANDOFF_STATES),
  /** Waiting: until when the code can be used. Claimed: until when the phone may go on. */
  expiresAt: z.string(),
}).meta({ id: 'Handoff' });
export type Handoff = z.infer<typeof handoffSchema>;

export const createdHandoffSchema = z.object({
  handoff: handoffSchema,
  /** Secret, shown once: what the phone opens, as a QR code or typed. */
  code: z.string(),
  /** The address the phone opens: the code rides in its fragment, which no server or log sees. */
  link: z.string(),
}).meta({ id: 'CreatedHandoff' });
export type CreatedHandoff = z.infer<typeof createdHandoffSchema>;

/** What the first device follows: the hand-off, and the order as the phone has left it so far. */
export const handoffProgressSchema = z.object({ handoff: handoffSchema, order: orderViewSchema }).meta({ id: 'HandoffProgress' });
export type HandoffProgress = z.infer<typeof handoffProgressSchema>;

export const handoffClaimRequestSchema = z.object({ code: handoffCodeSchema }).meta({ id: 'HandoffClaim' });

export const claimedHandoffSchema = z.object({
  handoff: handoffSchema,
  orderId: z.string(),
  /**
   * Secret: the phone's own token for the order (`Authorization: Bearer`): its photos and the live
   * check only, until the hand-off ends. Never the order's token.
   */
  deviceToken: z.string(),
  order: orderViewSchema,
}).meta({ id: 'ClaimedHandoff' });
export type ClaimedHandoff = z.infer<typeof claimedHandoffSchema>;
