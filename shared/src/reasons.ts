/**
 * Stable reason codes. The server returns them, the SPA turns them into guidance, tests assert them.
 * Never rename one: storefronts and reviewers key on these strings.
 */
export const ID_NUMBER_REASONS = [
  'id_format',
  'id_checksum',
  'id_birth_date_invalid',
  'id_birth_date_future',
  'id_region_unknown',
] as const;
export type IdNumberReason = (typeof ID_NUMBER_REASONS)[number];

export const VALIDITY_REASONS = [
  'validity_format',
  'validity_dates_invalid',
  'validity_not_yet_valid',
  'validity_expired',
  'validity_length_mismatch',
] as const;
export type ValidityReason = (typeof VALIDITY_REASONS)[number];

export const MSISDN_REASONS = ['msisdn_format', 'msisdn_not_mvno'] as const;
export type MsisdnReason = (typeof MSISDN_REASONS)[number];

export const ICCID_REASONS = ['iccid_format', 'iccid_prefix', 'iccid_checksum'] as const;
export type IccidReason = (typeof ICCID_REASONS)[number];

/** Why a verification did not approve, beyond the card's own rules. */
export const VERIFICATION_REASONS = [
  'card_unreadable',
  'card_not_found',
  'card_cut_off',
  'card_glare',
  'card_photocopy',
  'card_recaptured',
  'card_portrait_tampered',
  'card_text_doubtful',
  'card_name_doubtful',
  'card_sides_mismatch',
  'card_sex_mismatch',
  'card_birth_date_mismatch',
  'card_portrait_no_face',
  'handheld_no_face',
  'handheld_not_frontal',
  'handheld_card_not_found',
  'face_mismatch',
  'face_borderline',
  'authority_mismatch',
  'authority_portrait_mismatch',
  'authority_no_record',
  'authority_unavailable',
  // The five-card cap, counted with the operator's billing system at verification.
  'card_cap_reached',
  'card_count_unavailable',
  // What the buyer and agents are told of any refusal by the national ID service: which of them it
  // was would tell whether a name and a number belong together.
  'authority_refused',
  // The live video check.
  'liveness_missing',
  'liveness_action_missing',
  'liveness_no_face',
  'liveness_face_changed',
  'liveness_not_card_holder',
  'liveness_borderline',
  'liveness_replay',
  // The motion jumped from pose to pose (stills shown in turn, frames left out).
  'liveness_motion_broken',
  // The face did not take on the colours the screen showed (a screen or a recording in front of the camera).
  'liveness_reflection_missing',
  // Nobody decided the order in review within its deadline.
  'review_expired',
  // The agent the order was bought from stopped selling, and the operator cancelled the order.
  'channel_cancelled',
] as const;
export type VerificationReason = (typeof VERIFICATION_REASONS)[number];

/** The national ID service's own answers: kept for reviewers, never shown outside. */
export const AUTHORITY_REFUSALS: readonly VerificationReason[] = ['authority_mismatch', 'authority_no_record', 'authority_portrait_mismatch'];

/**
 * Reasons as the buyer and selling agents see them: every refusal by the national ID service is one
 * `authority_refused`, so the product cannot be used to learn whether a name and a number go together.
 */
export function publicReasons<R extends string>(reasons: readonly R[]): (R | 'authority_refused')[] {
  const shown = reasons.map((r): R | 'authority_refused' => ((AUTHORITY_REFUSALS as readonly string[]).includes(r) ? 'authority_refused' : r));
  return [...new Set(shown)];
}

/** Every code a decision can carry; the SPA has guidance for each. */
export const DECISION_REASONS = [...ID_NUMBER_REASONS, ...VALIDITY_REASONS, ...VERIFICATION_REASONS] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export type Validation<T, R extends string> = { ok: true; value: T } | { ok: false; reasons: R[] };

/** Why a hand-over at the door or an activation of a shipped card was refused. */
export const DELIVERY_REASONS = [
  // At the door (path A).
  'handover_id_mismatch',
  'handover_name_mismatch',
  'handover_card_mismatch',
  'handover_face_mismatch',
  'handover_face_not_found',
  'handover_recipient_refused',
  'handover_no_id_card',
  'handover_code_attempts',
  // Activating an unactivated card (path B).
  'activation_id_mismatch',
  'activation_name_mismatch',
  'activation_card_missing',
  'activation_liveness_missing',
  'activation_abandoned',
] as const;
export type DeliveryReason = (typeof DELIVERY_REASONS)[number];

/** Every code a hand-over or an activation attempt can carry (a live check's reasons among them). */
export const OUTCOME_REASONS = [...DECISION_REASONS, ...DELIVERY_REASONS] as const;
export type OutcomeReason = (typeof OUTCOME_REASONS)[number];
