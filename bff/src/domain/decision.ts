import { type Decision, type DecisionReason, decisionSchema, publicReasons } from '@shared';

export type CheckName = 'document' | 'face' | 'held_card' | 'liveness' | 'authority' | 'card_count';

/** One check's result, as a reviewer sees it. No identity data: scores, codes and what was used. */
export interface CheckResult {
  check: CheckName;
  outcome: 'pass' | 'fail' | 'review';
  reasons: DecisionReason[];
  score?: number;
  /** What the check looked at (evidence kinds, adapter name), never the values themselves. */
  evidence: string[];
  /** The national ID service's id of its check. */
  transactionId?: string;
}

export interface DecisionOutcome {
  outcome: 'approved' | 'rejected' | 'review';
  reasons: DecisionReason[];
}

/**
 * Any failed check rejects; otherwise anything uncertain goes to a person; otherwise approved.
 * Never approves when a check could not run (that is a `review`, with its reason).
 */
export function decide(results: readonly CheckResult[]): DecisionOutcome {
  const failed = results.filter((r) => r.outcome === 'fail');
  if (failed.length > 0) return { outcome: 'rejected', reasons: unique(failed.flatMap((r) => r.reasons)) };
  const uncertain = results.filter((r) => r.outcome === 'review');
  if (uncertain.length > 0) return { outcome: 'review', reasons: unique(uncertain.flatMap((r) => r.reasons)) };
  return { outcome: 'approved', reasons: [] };
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** A stored decision as the buyer and the selling agent see it (the ID service's exact answer stays inside). */
export function shownDecision(stored: string): Decision {
  const decision = decisionSchema.parse(JSON.parse(stored));
  return { ...decision, reasons: publicReasons(decision.reasons) };
}
