import type { MemberStage } from '@shared';

/**
 * 补登记: the enforcement lifecycle of one subscriber in a re-registration campaign, as
 * 工信部网安〔2016〕182号 §四 sets it. Notified, reminded, suspended after the deadline and its grace
 * (emergency calls kept), reminded again (催告), then the service stopped with the prepaid balance
 * refunded. Registering at any point before the stop ends it, and a suspended number is restored at
 * once. Pure: the clock and the campaign come in, the next step goes out; the service carries it out.
 */


/** The least time between two notices to one subscriber (a sweep that ran late sends no burst). */
export const NOTICE_GAP_MS = 86_400_000;

/** Stages nothing more happens in by itself. */
export const SETTLED_STAGES: readonly MemberStage[] = ['stopped', 'registered', 'held'];

/** A campaign's schedule, in ms since the epoch and in ms. */
export interface CampaignSchedule {
  /** The first notice goes out from then. */
  startsAt: number;
  /** Registering by then keeps the service untouched. */
  deadlineAt: number;
  /** Reminders, each this long before the deadline (sent in this order, longest first). */
  remindBeforeMs: readonly number[];
  /** After the deadline, this long before a number is suspended. */
  graceMs: number;
  /** After the suspension, this long before the final reminder (催告). */
  finalReminderAfterMs: number;
  /** After the final reminder, this long before the service is stopped. */
  stopAfterMs: number;
}

export interface MemberProgress {
  stage: MemberStage;
  /** Reminders before the deadline already sent. */
  remindersSent: number;
  /** When the stage was entered (the suspension's and the final reminder's times count from it). */
  stageAt: number;
}

/** What is due for a subscriber: a notice, a change to the line, or nothing until `at`. */
export type CampaignStep =
  | { kind: 'first_notice'; to: 'notified' }
  | { kind: 'reminder'; to: 'reminded' }
  | { kind: 'suspend'; to: 'suspended' }
  | { kind: 'final_reminder'; to: 'final_reminded' }
  | { kind: 'stop'; to: 'stopped' };

/** The reminders' times, earliest first. */
export function reminderTimes(schedule: CampaignSchedule): number[] {
  return [...schedule.remindBeforeMs].sort((a, b) => b - a).map((before) => schedule.deadlineAt - before);
}

/** A schedule's problems (empty when it can run). */
export function scheduleProblems(schedule: CampaignSchedule): string[] {
  const problems: string[] = [];
  if (schedule.deadlineAt <= schedule.startsAt) problems.push('the deadline is not after the start');
  if (reminderTimes(schedule).some((at) => at <= schedule.startsAt || at >= schedule.deadlineAt)) problems.push('a reminder falls outside the start and the deadline');
  if (schedule.graceMs < 0 || schedule.finalReminderAfterMs <= 0 || schedule.stopAfterMs <= 0) problems.push('the grace, the final reminder and the stop must come after one another');
  return problems;
}

/**
 * When the next step falls due for a subscriber at `progress`, or null once settled. Every step waits
 * for the one before it: nobody is suspended before every promised reminder went out (even one sent
 * late) and the deadline and its grace have passed, nor stopped before the final reminder.
 */
export function dueAt(schedule: CampaignSchedule, progress: MemberProgress): number | null {
  const reminders = reminderTimes(schedule);
  switch (progress.stage) {
    case 'selected':
      return schedule.startsAt;
    case 'notified':
    case 'reminded':
      return progress.remindersSent < reminders.length
        ? Math.max(reminders[progress.remindersSent]!, progress.stageAt + NOTICE_GAP_MS)
        : Math.max(schedule.deadlineAt + schedule.graceMs, progress.stageAt + NOTICE_GAP_MS);
    case 'suspended':
      return progress.stageAt + schedule.finalReminderAfterMs;
    case 'final_reminded':
      return progress.stageAt + schedule.stopAfterMs;
    case 'stopped':
    case 'registered':
    case 'held':
      return null;
  }
}

/** The step due at `now`, or null if nothing is due yet (or ever). */
export function stepDue(schedule: CampaignSchedule, progress: MemberProgress, now: number): CampaignStep | null {
  const at = dueAt(schedule, progress);
  if (at === null || now < at) return null;
  switch (progress.stage) {
    case 'selected':
      return { kind: 'first_notice', to: 'notified' };
    case 'notified':
    case 'reminded':
      return progress.remindersSent < schedule.remindBeforeMs.length ? { kind: 'reminder', to: 'reminded' } : { kind: 'suspend', to: 'suspended' };
    case 'suspended':
      return { kind: 'final_reminder', to: 'final_reminded' };
    case 'final_reminded':
      return { kind: 'stop', to: 'stopped' };
    case 'stopped':
    case 'registered':
    case 'held':
      return null;
  }
}

/** Progress after `step` was carried out at `now`. */
export function after(progress: MemberProgress, step: CampaignStep, now: number): MemberProgress {
  return { stage: step.to, remindersSent: progress.remindersSent + (step.kind === 'reminder' ? 1 : 0), stageAt: now };
}

/** Whether registering now has to give the line back (it was suspended by the campaign). */
export function restoresService(stage: MemberStage): boolean {
  return stage === 'suspended' || stage === 'final_reminded';
}
