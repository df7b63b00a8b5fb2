/**
 * The national citizen-ID check, through a vendor. Two-element: name + number; three-element adds
 * the portrait (not in the mock yet). Every adapter maps its vendor's answers onto these outcomes.
 */
export type AuthorityOutcome = 'match' | 'mismatch' | 'no_record' | 'no_photo' | 'source_error' | 'rate_limited';

export interface AuthorityQuery {
  name: string;
  idNumber: string;
}

export interface AuthorityResult {
  outcome: AuthorityOutcome;
  /** Which adapter answered, for the audit trail. */
  source: string;
}

export interface AuthorityPort {
  verifyIdentity(query: AuthorityQuery, signal?: AbortSignal): Promise<AuthorityResult>;
}
