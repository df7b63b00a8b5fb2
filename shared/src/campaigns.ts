import { z } from 'zod';

/**
 * Re-registration campaigns (补登记) as the console sees them: the operator's existing subscribers,
 * how each is registered, and where each campaign's subscribers are in the 182号 lifecycle.
 */
export const REGISTRATION_STATUSES = ['registered', 'unregistered', 'incomplete', 'suspected_false'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/** Where a subscriber is in a campaign. `held`: a notice could not be delivered; a person takes over. */
export const MEMBER_STAGES = ['selected', 'notified', 'reminded', 'suspended', 'final_reminded', 'stopped', 'registered', 'held'] as const;
export type MemberStage = (typeof MEMBER_STAGES)[number];

/** Re-registration of those not (properly) registered; the holders of five or more cards; a periodic re-check. */
export const CAMPAIGN_KINDS = ['reregistration', 'five_cards', 'recheck'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

const calendarDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'a date as YYYY-MM-DD');
const days = z.number().int().min(0).max(365);

export const newCampaignSchema = z.object({
  name: z.string().trim().min(2).max(80),
  kind: z.enum(CAMPAIGN_KINDS),
  /** The registration statuses it is for (a five-card campaign: the numbers found by the five-card job, whatever their status). */
  statuses: z.array(z.enum(REGISTRATION_STATUSES)).min(1).max(REGISTRATION_STATUSES.length),
  /** Days in China's time zone: the first notice from the start of `startsOn`, registration until the end of `deadline`. */
  startsOn: calendarDay,
  deadline: calendarDay,
  remindBeforeDays: z.array(days.min(1)).max(5),
  graceDays: days,
  finalReminderAfterDays: days.min(1),
  stopAfterDays: days.min(1),
}).strict().meta({ id: 'NewCampaign' });
export type NewCampaignRequest = z.infer<typeof newCampaignSchema>;

export const campaignViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(CAMPAIGN_KINDS),
  statuses: z.array(z.enum(REGISTRATION_STATUSES)),
  startsAt: z.string(),
  deadlineAt: z.string(),
  createdBy: z.string(),
  members: z.number().int(),
  /** Members at each stage now. */
  progress: z.partialRecord(z.enum(MEMBER_STAGES), z.number().int()),
}).meta({ id: 'Campaign' });
export type CampaignView = z.infer<typeof campaignViewSchema>;

/** One day's figures: the whole base's, or one campaign's (its members). */
export const realNamePointSchema = z.object({
  day: calendarDay,
  total: z.number().int(),
  registered: z.number().int(),
}).meta({ id: 'RealNamePoint' });
export type RealNamePoint = z.infer<typeof realNamePointSchema>;

export const campaignsOverviewSchema = z.object({
  campaigns: z.array(campaignViewSchema),
  /** The subscriber base now, by registration status. */
  base: z.partialRecord(z.enum(REGISTRATION_STATUSES), z.number().int()),
  /** The real-name rate over time: the base's, and each campaign's by id. */
  history: z.object({ base: z.array(realNamePointSchema), campaigns: z.record(z.string(), z.array(realNamePointSchema)) }),
  /** The half months with figures, newest first (`YYYY-MM-1`, `YYYY-MM-2`): what the regulator's report can be made for. */
  periods: z.array(z.string()),
}).meta({ id: 'CampaignsOverview' });
export type CampaignsOverview = z.infer<typeof campaignsOverviewSchema>;

/** Half a month, as the regulator asks for the figures: `2026-12-1` (1st-15th) or `2026-12-2` (16th-end). */
export const reportPeriodSchema = z.object({ period: z.string().regex(/^\d{4}-\d{2}-[12]$/u, 'a half month as YYYY-MM-1 or YYYY-MM-2') });

/** The half month a day (`YYYY-MM-DD`) falls in, as the report names it. */
export function periodOf(day: string): string {
  return `${day.slice(0, 7)}-${Number(day.slice(8, 10)) <= 15 ? 1 : 2}`;
}

/** The share registered, as a percentage with one decimal (0 of 0 is 100 %: nobody unregistered). */
export function realNameRate(point: Pick<RealNamePoint, 'total' | 'registered'>): number {
  return point.total === 0 ? 100 : Math.round((point.registered / point.total) * 1000) / 10;
}

/** A mainland mobile number, 11 digits. */
const msisdn = z.string().trim().regex(/^1\d{10}$/u, 'a mobile number of 11 digits');

export const numberCodeRequestSchema = z.object({ msisdn }).strict().meta({ id: 'NumberCodeRequest' });
export const numberConfirmRequestSchema = z.object({ msisdn, code: z.string().trim().regex(/^\d{6}$/u, 'the code is six digits') }).strict().meta({ id: 'NumberConfirmRequest' });

/** What a subscriber who proved their number sees of it (never the whole number). */
export const numberSessionSchema = z.object({
  number: z.string(),
  registration: z.enum(REGISTRATION_STATUSES),
  service: z.enum(['active', 'suspended', 'stopped']),
  expiresAt: z.string(),
  /** The campaigns the number is in and their deadlines. */
  deadlines: z.array(z.object({ deadlineAt: z.string(), stage: z.enum(MEMBER_STAGES) })),
}).meta({ id: 'NumberSession' });
export type NumberSession = z.infer<typeof numberSessionSchema>;

/**
 * A batch of subscribers pushed by the operator's billing system (the live import port): each record
 * as the file import reads it; a refused record is named by its place, never by its content.
 */
export const subscriberBatchSchema = z.object({
  subscribers: z.array(z.object({
    msisdn: z.string().max(20),
    iccid: z.string().max(24),
    registration: z.string().max(20),
    channel: z.string().max(64),
    idNumber: z.string().max(18).optional(),
  }).strict()).min(1).max(2000),
}).strict().meta({ id: 'SubscriberBatch' });

export const subscriberImportReportSchema = z.object({
  imported: z.number().int(),
  refused: z.array(z.object({ at: z.number().int(), field: z.string() })),
}).meta({ id: 'SubscriberImportReport' });

/** The notices of a re-registration campaign (补登记), in the order a subscriber may get them. */
export const REREGISTRATION_NOTICES = ['reregistration_notice', 'reregistration_reminder', 'reregistration_suspended', 'reregistration_final'] as const;
export type ReregistrationNotice = (typeof REREGISTRATION_NOTICES)[number];

/** What a notice says: the number's last four digits, the deadline, the day the service stops, the link. */
export interface NoticeParams {
  tail: string;
  deadline: string;
  stop: string;
  link: string;
}

/**
 * The wording of each notice, in Chinese (what the SMS service sends, after the operator's
 * signature) and in English (the console's preview, and for operators who send both).
 */
export function noticeText(notice: ReregistrationNotice, p: NoticeParams, locale: 'zh-CN' | 'en'): string {
  if (locale === 'en') {
    const line = `your number ending ${p.tail}`;
    switch (notice) {
      case 'reregistration_notice':
        return `Under the real-name rules, ${line} needs its holder's identity registered again. Please do it by ${p.deadline} at ${p.link} (free of charge, your plan stays as it is), or in one of our stores with your ID card. After that date the service is suspended (emergency calls still work).`;
      case 'reregistration_reminder':
        return `Reminder: ${line} is not registered yet. Please do it by ${p.deadline} at ${p.link}; after that date the service is suspended (emergency calls still work).`;
      case 'reregistration_suspended':
        return `The service of ${line} is suspended because it was not registered; emergency calls still work and nothing is charged meanwhile. Register at ${p.link} and it is restored at once.`;
      case 'reregistration_final':
        return `Final reminder: ${line} is still not registered. If it is not done by ${p.stop}, the service ends and the prepaid balance is refunded. Register at ${p.link} or in one of our stores.`;
    }
  }
  const line = `您尾号${p.tail}的号码`;
  switch (notice) {
    case 'reregistration_notice':
      return `根据电话用户实名登记要求，${line}需补充登记身份信息。请于${p.deadline}前打开 ${p.link} 在线办理（免费，不改变套餐），或携带本人身份证到营业厅办理。逾期将暂停服务（紧急呼叫除外）。`;
    case 'reregistration_reminder':
      return `提醒：${line}尚未完成实名补登记。请于${p.deadline}前打开 ${p.link} 办理，逾期将暂停服务（紧急呼叫除外）。`;
    case 'reregistration_suspended':
      return `${line}因未完成实名补登记已暂停服务，紧急呼叫不受影响，暂停期间不收取费用。打开 ${p.link} 完成登记后立即恢复。`;
    case 'reregistration_final':
      return `催告：${line}仍未完成实名补登记。如${p.stop}前仍未办理，将终止服务并退还预存余额。请打开 ${p.link} 或到营业厅办理。`;
  }
}
