import { describe, expect, it } from 'vitest';
import { ORDER_STATES, type OrderState } from '@shared';
import { IllegalTransitionError, assertTransition, canTransition } from '../../bff/src/domain/orderState.js';
import { type CheckResult, decide } from '../../bff/src/domain/decision.js';

const ALLOWED: [OrderState, OrderState][] = [
  ['draft', 'submitted'], ['draft', 'expired'], ['draft', 'withdrawn'], ['submitted', 'verifying'],
  ['verifying', 'approved'], ['verifying', 'rejected'], ['verifying', 'review'],
  ['review', 'approved'], ['review', 'rejected'], ['review', 'verifying'],
  ['approved', 'shipped'], ['approved', 'shipped_unactivated'], ['approved', 'rejected'], ['approved', 'activated'],
  ['shipped', 'activated'], ['shipped', 'returned'],
  ['shipped_unactivated', 'activated'], ['shipped_unactivated', 'returned'],
];

describe('order state machine', () => {
  it.each(ALLOWED)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  const refused = ORDER_STATES.flatMap((from) => ORDER_STATES.map((to) => [from, to] as [OrderState, OrderState]))
    .filter(([from, to]) => !ALLOWED.some(([a, b]) => a === from && b === to));
  it.each(refused)('refuses %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => assertTransition(from, to)).toThrow(IllegalTransitionError);
  });

  it.each(['rejected', 'activated', 'returned', 'expired'] as const)('has no way out of %s', (state) => {
    expect(ORDER_STATES.filter((to) => canTransition(state, to))).toEqual([]);
  });
});

describe('decision', () => {
  const pass: CheckResult = { check: 'document', outcome: 'pass', reasons: [], evidence: [] };
  it('approves when every check passed', () => {
    expect(decide([pass, { ...pass, check: 'face' }])).toEqual({ outcome: 'approved', reasons: [] });
  });
  it('rejects on any failure, with every failure reason once', () => {
    expect(decide([
      { ...pass, outcome: 'fail', reasons: ['id_checksum', 'validity_expired'] },
      { ...pass, check: 'face', outcome: 'fail', reasons: ['face_mismatch'] },
      { ...pass, check: 'authority', outcome: 'review', reasons: ['authority_unavailable'] },
    ])).toEqual({ outcome: 'rejected', reasons: ['id_checksum', 'validity_expired', 'face_mismatch'] });
  });
  it('sends uncertainty to a person, never to approval', () => {
    expect(decide([pass, { ...pass, check: 'authority', outcome: 'review', reasons: ['authority_unavailable'] }]))
      .toEqual({ outcome: 'review', reasons: ['authority_unavailable'] });
  });
});
