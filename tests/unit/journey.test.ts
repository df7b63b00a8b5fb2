import { describe, expect, it } from 'vitest';
import { type JourneyFacts, journeyOf } from '../../bff/src/domain/journey.js';

const at = (minute: number): number => Date.UTC(2026, 11, 1, 8, minute);
const iso = (minute: number): string => new Date(at(minute)).toISOString();
const submitted: JourneyFacts['transitions'] = [
  { from: null, to: 'draft', at: at(0) },
  { from: 'draft', to: 'submitted', at: at(10) },
  { from: 'submitted', to: 'verifying', at: at(10) },
];
const shown = (facts: JourneyFacts) => {
  const journey = journeyOf(facts);
  return journey && { steps: journey.steps.map((s) => `${s.step}:${s.status}${s.at ? `@${s.at.slice(11, 16)}` : ''}`), next: journey.next };
};

describe('an order\'s journey', () => {
  it('has none while a draft, or a draft that ran out', () => {
    expect(journeyOf({ state: 'draft', deliveryPath: 'courier_verified', transitions: [], parcel: [] })).toBeUndefined();
    expect(journeyOf({ state: 'expired', deliveryPath: 'courier_verified', transitions: [], parcel: [] })).toBeUndefined();
  });

  it('follows path A from submission to the card handed over at the door, with the carrier\'s report between', () => {
    const transitions = [...submitted, { from: 'verifying', to: 'approved', at: at(11) }, { from: 'approved', to: 'shipped', at: at(12) }] as const;
    expect(shown({ state: 'shipped', deliveryPath: 'courier_verified', transitions, parcel: [] })).toEqual({
      steps: ['submitted:done@08:10', 'checked:done@08:11', 'approved:done@08:11', 'shipped:done@08:12', 'out_for_delivery:current', 'activated:ahead'],
      next: 'meet_courier',
    });
    expect(shown({ state: 'shipped', deliveryPath: 'courier_verified', transitions, parcel: [{ status: 'out_for_delivery', at: at(40) }] })?.steps.slice(4))
      .toEqual(['out_for_delivery:done@08:40', 'activated:current']);
    // Handed over at the door without a report that it was out: the step before counts as done, without a time.
    const activated = [...transitions, { from: 'shipped', to: 'activated', at: at(50) }] as const;
    expect(shown({ state: 'activated', deliveryPath: 'courier_verified', transitions: activated, parcel: [] })).toEqual({
      steps: ['submitted:done@08:10', 'checked:done@08:11', 'approved:done@08:11', 'shipped:done@08:12', 'out_for_delivery:done', 'activated:done@08:50'],
      next: 'none',
    });
  });

  it('on path B, waits for the buyer to activate the card delivered', () => {
    const transitions = [...submitted, { from: 'verifying', to: 'approved', at: at(11) }, { from: 'approved', to: 'shipped_unactivated', at: at(12) }] as const;
    const journey = journeyOf({ state: 'shipped_unactivated', deliveryPath: 'unactivated', transitions, parcel: [{ status: 'out_for_delivery', at: at(30) }, { status: 'delivered', at: at(45) }] });
    expect(journey?.steps.at(-2)).toEqual({ step: 'delivered', status: 'done', at: iso(45) });
    expect(journey?.steps.at(-1)).toEqual({ step: 'activated', status: 'current' });
    expect(journey?.next).toBe('activate');
  });

  it('says a person is looking, or that it stopped, with what to do', () => {
    const review = [...submitted, { from: 'verifying', to: 'review', at: at(11) }] as const;
    expect(shown({ state: 'review', deliveryPath: 'unactivated', transitions: review, parcel: [] })).toEqual({
      steps: ['submitted:done@08:10', 'checked:done@08:11', 'approved:current', 'shipped:ahead', 'out_for_delivery:ahead', 'delivered:ahead', 'activated:ahead'], next: 'review',
    });
    const rejected = [...submitted, { from: 'verifying', to: 'rejected', at: at(11) }] as const;
    expect(shown({ state: 'rejected', deliveryPath: 'unactivated', transitions: rejected, parcel: [] })).toEqual({
      steps: ['submitted:done@08:10', 'checked:done@08:11', 'approved:stopped', 'shipped:stopped', 'out_for_delivery:stopped', 'delivered:stopped', 'activated:stopped'], next: 'start_over',
    });
  });
});
