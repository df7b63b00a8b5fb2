import { z } from 'zod';

/**
 * Codes of the one error body every API error has. Clients key on them; never rename one.
 * Upload codes tell the buyer what to do differently (a photo, not a PDF; a smaller file).
 */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'not_found',
  'internal',
  'overloaded',
  'number_unavailable',
  'hold_invalid',
  'hold_expired',
  'consent_required',
  'evidence_missing',
  'illegal_transition',
  'order_closed',
  'liveness_required',
  'card_cap_reached',
  'liveness_challenge_expired',
  'liveness_challenge_used',
  'liveness_attempts_exhausted',
  'liveness_frames_invalid',
  'unauthorized',
  'channel_exists',
  'channel_blacklisted',
  'channel_unknown',
  'channel_unavailable',
  'origin_not_allowed',
  'delivery_closed',
  'handover_code_wrong',
  'iccid_invalid',
  'activation_not_found',
  'activation_locked',
  'activation_expired',
  'activation_closed',
  'activation_incomplete',
  'upload_missing_file',
  'upload_unexpected_field',
  'upload_too_large',
  'upload_not_image',
  'upload_unsupported_type',
  'upload_truncated',
  'upload_too_many_pixels',
  'upload_too_small',
  'upload_blurred',
  'upload_too_dark',
  'upload_too_bright',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorBodySchema = z
  .object({
    error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const healthSchema = z
  .object({
    status: z.literal('ok'),
    version: z.string(),
    uptimeSeconds: z.number(),
  })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof healthSchema>;
