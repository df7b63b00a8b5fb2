/**
 * Every sealed value the database holds, with the id it is sealed to (the authenticated data of its
 * envelope): a value copied to another row does not open. Services seal and open with these; a key
 * rotation re-wraps every one of them; nothing sealed lives anywhere else in the database.
 */
export const sealedAs = {
  identity: (orderId: string): string => `order:${orderId}:identity`,
  evidenceFace: (objectId: string): string => `evidence:${objectId}:face`,
  cardNumbers: (objectId: string): string => `evidence:${objectId}:card-numbers`,
  liveFace: (objectId: string): string => `liveness:${objectId}:face`,
  frameHashes: (challengeId: string): string => `liveness:${challengeId}:frame-hashes`,
  handoverCode: (orderId: string): string => `shipment:${orderId}:handover-code`,
  activationRead: (attemptId: string): string => `activation:${attemptId}:card-read`,
  webhookSecret: (channelId: string): string => `channel:${channelId}:webhook-secret`,
  packCode: (iccid: string): string => `sim:${iccid}:pack-code`,
  keyringCheck: (): string => 'keyring:check',
  staffTotp: (staffId: string): string => `staff:${staffId}:totp`,
  enrolmentTotp: (ticketHash: string): string => `staff-enrolment:${ticketHash}:totp`,
  reviewNote: (orderId: string): string => `review:${orderId}:note`,
  registrationIdentity: (registrationId: string): string => `registration:${registrationId}:identity`,
  legalHold: (orderId: string): string => `legal-hold:${orderId}:reason`,
  contactMobile: (orderId: string): string => `contact:${orderId}:mobile`,
  caseDetails: (caseId: string): string => `case:${caseId}:details`,
  caseEvent: (caseId: string): string => `case:${caseId}:event`,
  faceIndex: (orderId: string): string => `face-index:${orderId}`,
} as const;

/** A sealed column: its table, the key of its rows, and the id each value is sealed to. */
export interface SealedColumn {
  table: string;
  column: string;
  /** Columns read with the value (what its id is made from). */
  key: readonly string[];
  /** A column unique to each row: the rows are visited in its order. */
  pk: string;
  aad: (row: Record<string, string>) => string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'orders', column: 'identity', pk: 'id', key: ['id'], aad: (r) => sealedAs.identity(r.id ?? '') },
  { table: 'evidence', column: 'face', pk: 'object_id', key: ['order_id', 'kind', 'object_id'], aad: (r) => sealedAs.evidenceFace(r.object_id ?? '') },
  { table: 'evidence', column: 'card_numbers', pk: 'object_id', key: ['order_id', 'kind', 'object_id'], aad: (r) => sealedAs.cardNumbers(r.object_id ?? '') },
  { table: 'liveness_challenges', column: 'face', pk: 'id', key: ['id', 'object_id'], aad: (r) => sealedAs.liveFace(r.object_id ?? '') },
  { table: 'liveness_sequences', column: 'hashes', pk: 'challenge_id', key: ['challenge_id'], aad: (r) => sealedAs.frameHashes(r.challenge_id ?? '') },
  { table: 'shipments', column: 'handover_code', pk: 'order_id', key: ['order_id'], aad: (r) => sealedAs.handoverCode(r.order_id ?? '') },
  { table: 'activation_attempts', column: 'card_read', pk: 'id', key: ['id'], aad: (r) => sealedAs.activationRead(r.id ?? '') },
  { table: 'channels', column: 'webhook_secret', pk: 'id', key: ['id'], aad: (r) => sealedAs.webhookSecret(r.id ?? '') },
  { table: 'sim_cards', column: 'sandbox_pack_code', pk: 'iccid', key: ['iccid'], aad: (r) => sealedAs.packCode(r.iccid ?? '') },
  { table: 'keyring_check', column: 'sealed', pk: 'id', key: ['id'], aad: () => sealedAs.keyringCheck() },
  { table: 'staff_accounts', column: 'totp_secret', pk: 'id', key: ['id'], aad: (r) => sealedAs.staffTotp(r.id ?? '') },
  { table: 'review_proposals', column: 'note', pk: 'order_id', key: ['order_id'], aad: (r) => sealedAs.reviewNote(r.order_id ?? '') },
  { table: 'registrations', column: 'identity', pk: 'id', key: ['id'], aad: (r) => sealedAs.registrationIdentity(r.id ?? '') },
  { table: 'legal_holds', column: 'reason', pk: 'order_id', key: ['order_id'], aad: (r) => sealedAs.legalHold(r.order_id ?? '') },
  { table: 'order_contacts', column: 'mobile', pk: 'order_id', key: ['order_id'], aad: (r) => sealedAs.contactMobile(r.order_id ?? '') },
  { table: 'cases', column: 'details', pk: 'id', key: ['id'], aad: (r) => sealedAs.caseDetails(r.id ?? '') },
  { table: 'case_events', column: 'detail', pk: 'id', key: ['id', 'case_id'], aad: (r) => sealedAs.caseEvent(r.case_id ?? '') },
  { table: 'face_index', column: 'face', pk: 'order_id', key: ['order_id'], aad: (r) => sealedAs.faceIndex(r.order_id ?? '') },
  { table: 'staff_enrolments', column: 'secret', pk: 'ticket_hash', key: ['ticket_hash'], aad: (r) => sealedAs.enrolmentTotp(r.ticket_hash ?? '') },
];
