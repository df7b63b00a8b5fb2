import type { OrderState } from '@shared';

/**
 * The order lifecycle. Every transition not listed here is refused. Terminal states have no exits.
 *
 *   draft ─submit─▶ submitted ─▶ verifying ─▶ approved | rejected | review
 *   review ─(a reviewer, or its deadline)─▶ approved | rejected
 *   review ─(the ID service asked again after an outage)─▶ verifying
 *   approved ─▶ shipped (courier-verified) | shipped_unactivated ─▶ activated
 *   approved ─(its agent stopped selling; the operator cancelled it)─▶ rejected
 *   approved ─(a re-registration: the number is in service already)─▶ activated
 *   shipped ─(hand-over refused)─▶ returned
 *   draft ─(hold ran out)─▶ expired
 *   draft ─(the buyer withdrew consent)─▶ withdrawn
 */
const TRANSITIONS: Record<OrderState, readonly OrderState[]> = {
  draft: ['submitted', 'expired', 'withdrawn'],
  submitted: ['verifying'],
  verifying: ['approved', 'rejected', 'review'],
  review: ['approved', 'rejected', 'verifying'],
  approved: ['shipped', 'shipped_unactivated', 'rejected', 'activated'],
  shipped: ['activated', 'returned'],
  shipped_unactivated: ['activated', 'returned'],
  rejected: [],
  activated: [],
  returned: [],
  expired: [],
  withdrawn: [],
};

export function canTransition(from: OrderState, to: OrderState): boolean {
  return TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: OrderState,
    readonly to: OrderState,
  ) {
    super(`an order cannot go from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export function assertTransition(from: OrderState, to: OrderState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}
