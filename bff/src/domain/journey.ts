import { type DeliveryPath, type Journey, type JourneyStep, type OrderState, isoFromMs } from '@shared';

export interface JourneyFacts {
  state: OrderState;
  deliveryPath: DeliveryPath;
  /** The order's state changes, oldest first. */
  transitions: readonly { from: OrderState | null; to: OrderState; at: number }[];
  /** The carrier's reports on the parcel, oldest first. */
  parcel: readonly { status: 'out_for_delivery' | 'delivered'; at: number }[];
}

const STEPS: Record<DeliveryPath, JourneyStep[]> = {
  courier_verified: ['submitted', 'checked', 'approved', 'shipped', 'out_for_delivery', 'activated'],
  unactivated: ['submitted', 'checked', 'approved', 'shipped', 'out_for_delivery', 'delivered', 'activated'],
};

/** Where an order is after submission, from its log of states and the carrier's reports; none for a draft. */
export function journeyOf(facts: JourneyFacts): Journey | undefined {
  const { state, transitions, parcel } = facts;
  // A draft, and a draft that ran out or was withdrawn, has no journey yet.
  if (state === 'draft' || state === 'expired' || state === 'withdrawn') return undefined;
  const firstTo = (states: OrderState[]): number | undefined => transitions.find((t) => states.includes(t.to))?.at;
  const happened: Partial<Record<JourneyStep, number>> = {
    submitted: firstTo(['submitted', 'verifying']),
    checked: transitions.find((t) => t.from === 'verifying')?.at,
    approved: firstTo(['approved']),
    shipped: firstTo(['shipped', 'shipped_unactivated']),
    out_for_delivery: parcel.find((e) => e.status === 'out_for_delivery')?.at,
    delivered: parcel.find((e) => e.status === 'delivered')?.at,
    activated: firstTo(['activated']),
  };
  // A step later than one that happened has happened too (a card handed over without a report that it was out).
  const steps = STEPS[facts.deliveryPath];
  const lastDone = steps.reduce((last, step, i) => (happened[step] !== undefined ? i : last), -1);
  const stopped = state === 'rejected' || state === 'returned';
  return {
    steps: steps.map((step, i) => {
      const at = happened[step];
      const status = i <= lastDone ? 'done' : stopped ? 'stopped' : i === lastDone + 1 ? 'current' : 'ahead';
      return { step, status, ...(at !== undefined && i <= lastDone ? { at: isoFromMs(at) } : {}) };
    }),
    next: nextFor(state),
  };
}

const NEXT: Record<OrderState, Journey['next']> = {
  draft: 'wait', submitted: 'wait', verifying: 'wait', approved: 'wait', expired: 'start_over', withdrawn: 'start_over',
  review: 'review', shipped: 'meet_courier', shipped_unactivated: 'activate', activated: 'none', rejected: 'start_over', returned: 'start_over',
};

function nextFor(state: OrderState): Journey['next'] {
  return NEXT[state];
}
