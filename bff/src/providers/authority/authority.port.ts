/**
 * The national citizen-ID check, through a vendor. Two-element: name + number. Three-element adds a
 * face photo, which the service compares with the portrait on record. Every adapter maps its
 * vendor's answers onto these outcomes.
 */
export type AuthorityOutcome = 'match' | 'mismatch' | 'no_record' | 'no_photo' | 'source_error' | 'rate_limited';

export interface AuthorityQuery {
  name: string;
  idNumber: string;
  /** Three-element check: a photo of the person's face (JPEG). */
  photo?: Buffer;
}

/** The service's comparison of the photo with the portrait on record (three-element only). */
export interface PortraitVerdict {
  /** As the vendor scores it, 0-100. */
  similarity: number;
  /** The vendor's own judgement at its recommended threshold. */
  match: boolean;
}

export interface AuthorityAnswer {
  outcome: AuthorityOutcome;
  /** Present when a photo was sent and the record has a portrait to compare it with. */
  portrait?: PortraitVerdict;
  /** The service's own id of the check (its request id): the registration record quotes it. */
  transactionId?: string;
}

export interface AuthorityResult extends AuthorityAnswer {
  /** Which adapter answered, for the audit trail. */
  source: string;
}

export interface AuthorityPort {
  verifyIdentity(query: AuthorityQuery, signal?: AbortSignal): Promise<AuthorityResult>;
}
