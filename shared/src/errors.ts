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
  'rate_limited',
  'too_many_holds',
  'upload_in_progress',
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
  'forbidden',
  'sign_in_failed',
  'account_locked',
  'enrolment_required',
  'session_expired',
  'csrf_failed',
  'staff_exists',
  'second_reviewer_required',
  'authority_not_confirmed',
  'reading_not_doubted',
  'retention_required',
  'legal_hold',
  'job_not_failed',
  'contact_invalid',
  'contact_code_wrong',
  'contact_code_expired',
  'notices_off',
  'channel_exists',
  'channel_blacklisted',
  'channel_unknown',
  'channel_unavailable',
  'channel_pending',
  'channel_out_of_scope',
  'approval_by_another',
  'origin_not_allowed',
  'delivery_closed',
  'handover_code_wrong',
  'handover_locked',
  'handover_confirmation_required',
  'iccid_invalid',
  'activation_not_found',
  'activation_locked',
  'activation_expired',
  'activation_closed',
  'activation_incomplete',
  'handoff_used',
  'handoff_expired',
  'handoff_cancelled',
  'number_not_in_service',
  'identity_not_confirmed',
  'report_already_filed',
  'case_closed',
  'number_not_in_case',
  'provisioning_unavailable',
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

/** Whether this process can take work: its database, its disk, its vision threads. */
export const READINESS_CHECKS = ['database', 'disk', 'vision'] as const;
export const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.record(z.enum(READINESS_CHECKS), z.object({ ok: z.boolean(), detail: z.string().optional() })),
  })
  .meta({ id: 'Readiness' });
export type Readiness = z.infer<typeof readinessSchema>;

/** What every page shows of the deployment: the sandbox is labelled as such. */
export const environmentSchema = z
  .object({
    mode: z.enum(['sandbox', 'production']),
    operatorName: z.string(),
    /** Whether buyers can leave a mobile number for SMS notices. */
    notices: z.boolean(),
  })
  .meta({ id: 'Environment' });
export type Environment = z.infer<typeof environmentSchema>;
