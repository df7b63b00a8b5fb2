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
  // The live video check.
  'liveness_missing',
  'liveness_action_missing',
  'liveness_no_face',
  'liveness_face_changed',
  'liveness_not_card_holder',
  'liveness_borderline',
  'liveness_replay',
] as const;
export type VerificationReason = (typeof VERIFICATION_REASONS)[number];

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
