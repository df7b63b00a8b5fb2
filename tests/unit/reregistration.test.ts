import { describe, expect, it } from 'vitest';
import { REREGISTRATION_NOTICES, noticeText } from '@shared';
import { type CampaignSchedule, type MemberProgress, NOTICE_GAP_MS, after, dueAt, scheduleProblems, stepDue } from '../../bff/src/domain/reregistration.js';

const DAY = 86_400_000;
const schedule: CampaignSchedule = { startsAt: 0, deadlineAt: 30 * DAY, remindBeforeMs: [DAY, 7 * DAY], graceMs: 3 * DAY, finalReminderAfterMs: 7 * DAY, stopAfterMs: 15 * DAY };

/** Every step a subscriber who never registers is taken through, with the sweep running at `every`. */
function lifecycle(every: number, from = 0): { kind: string; at: number }[] {
  let progress: MemberProgress = { stage: 'selected', remindersSent: 0, stageAt: 0 };
  const steps: { kind: string; at: number }[] = [];
  for (let now = from; now < 120 * DAY; now += every) {
    const step = stepDue(schedule, progress, now);
    if (!step) continue;
    steps.push({ kind: step.kind, at: now });
    progress = after(progress, step, now);
  }
  return steps;
}

describe('the 182号 lifecycle of one subscriber', () => {
  it('notifies, reminds in order, suspends only after the deadline and its grace, reminds again and stops', () => {
    const steps = lifecycle(3_600_000);
    expect(steps.map((s) => s.kind)).toEqual(['first_notice', 'reminder', 'reminder', 'suspend', 'final_reminder', 'stop']);
    expect(steps[1]?.at).toBe(23 * DAY);
    expect(steps[2]?.at).toBe(29 * DAY);
    expect(steps[3]?.at).toBe(33 * DAY);
    expect(steps[4]?.at).toBe(40 * DAY);
    expect(steps[5]?.at).toBe(55 * DAY);
  });

  it('sends no burst after a sweep that ran late: every notice a day after the one before, the suspension too', () => {
    // The first sweep runs only after the deadline has passed.
    const steps = lifecycle(60_000, 31 * DAY);
    expect(steps.map((s) => s.kind)).toEqual(['first_notice', 'reminder', 'reminder', 'suspend', 'final_reminder', 'stop']);
    for (let i = 1; i < 4; i += 1) expect((steps[i]?.at ?? 0) - (steps[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(NOTICE_GAP_MS);
  });

  it('does nothing more once registered, stopped or held', () => {
    for (const stage of ['registered', 'stopped', 'held'] as const) {
      expect(dueAt(schedule, { stage, remindersSent: 0, stageAt: 0 })).toBeNull();
      expect(stepDue(schedule, { stage, remindersSent: 0, stageAt: 0 }, 1000 * DAY)).toBeNull();
    }
  });

  it('refuses a schedule whose reminders fall outside it or whose deadline comes first', () => {
    expect(scheduleProblems(schedule)).toEqual([]);
    expect(scheduleProblems({ ...schedule, remindBeforeMs: [40 * DAY] })).toEqual(['a reminder falls outside the start and the deadline']);
    expect(scheduleProblems({ ...schedule, deadlineAt: 0 })).toContain('the deadline is not after the start');
  });
});

describe('the notices\' wording', () => {
  const params = { tail: '0001', deadline: '2027年3月31日', stop: '2027年5月5日', link: 'https://sim.example/reregister' };
  it('says in both languages the number, the link and, before the suspension, the deadline and that emergency calls stay', () => {
    for (const notice of REREGISTRATION_NOTICES) {
      for (const locale of ['zh-CN', 'en'] as const) {
        const text = noticeText(notice, params, locale);
        expect(text).toContain('0001');
        expect(text).toContain(params.link);
      }
    }
    expect(noticeText('reregistration_notice', params, 'zh-CN')).toContain('免费，不改变套餐');
    expect(noticeText('reregistration_notice', params, 'en')).toContain('free of charge, your plan stays as it is');
    expect(noticeText('reregistration_suspended', params, 'en')).toContain('emergency calls still work');
    expect(noticeText('reregistration_final', params, 'zh-CN')).toContain(params.stop);
  });
});
