import { z } from 'zod';

/**
 * Reports from the public (seed 000 八, 452号 (十九)): a shop selling cards without being entrusted, a
 * number opened in the reporter's name without their consent (after they proved who they are), a
 * number used for fraud or harassment. Each becomes a case the operator works to a deadline.
 */
export const REPORT_KINDS = ['unauthorised_shop', 'opened_in_my_name', 'fraud_number'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** Hours from filing within which a case is answered: a number in use for fraud first. */
export const CASE_DEADLINE_HOURS: Record<ReportKind, number> = { fraud_number: 24, opened_in_my_name: 48, unauthorised_shop: 120 };

export const CASE_OUTCOMES = ['confirmed', 'not_confirmed', 'referred', 'duplicate'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

/** Where a case is referred: the police, or the 12321 reporting centre (网络不良与垃圾信息举报受理中心). */
export const REFERRAL_AUTHORITIES = ['police', '12321'] as const;

/** A case's reference, the reporter's key to follow it: `JB-` and ten characters (about 50 bits). */
export const caseReference = z.string().trim().toUpperCase().regex(/^JB-[0-9A-Z]{5}-[0-9A-Z]{5}$/u, 'a reference looks like JB-XXXXX-XXXXX');

const mobile = z.string().trim().regex(/^1\d{10}$/u, 'a mobile number of 11 digits');
const text = z.string().trim().min(10, 'say what happened in at least 10 characters').max(2000);

export const shopReportSchema = z.object({
  kind: z.literal('unauthorised_shop'),
  /** The shop's page, or where it sells (an address, a stall). */
  link: z.string().trim().min(4).max(500),
  description: text,
  contact: mobile.optional(),
}).strict();

export const fraudReportSchema = z.object({
  kind: z.literal('fraud_number'),
  number: mobile,
  description: text,
  contact: mobile.optional(),
}).strict();

/** Filed as fields of a form (a shop report may carry screenshots beside them). */
export const publicReportSchema = z.discriminatedUnion('kind', [shopReportSchema, fraudReportSchema]).meta({ id: 'PublicReport' });
export type PublicReport = z.infer<typeof publicReportSchema>;

/** A number registered to the reporter's identity, as 一证通查 shows it: masked, with when and where. */
export const registeredNumberSchema = z.object({
  /** Its place in the list: what the report names. */
  ref: z.number().int(),
  masked: z.string(),
  since: z.string().optional(),
  channel: z.string(),
}).meta({ id: 'RegisteredNumber' });
export type RegisteredNumber = z.infer<typeof registeredNumberSchema>;

export const openedInMyNameSchema = z.object({
  /** The numbers (their `ref`) the reporter did not open. */
  numbers: z.array(z.number().int().min(0).max(99)).min(1).max(20),
  description: z.string().trim().max(2000).default(''),
  contact: mobile.optional(),
}).strict().meta({ id: 'OpenedInMyName' });
export type OpenedInMyName = z.infer<typeof openedInMyNameSchema>;

export const filedReportSchema = z.object({ reference: z.string(), dueAt: z.string() }).meta({ id: 'FiledReport' });
export type FiledReport = z.infer<typeof filedReportSchema>;

/** What the reporter sees of their case: where it is, never who works it or what was found on whom. */
export const reportStatusSchema = z.object({
  reference: z.string(),
  kind: z.enum(REPORT_KINDS),
  state: z.enum(['open', 'closed']),
  filedAt: z.string(),
  dueAt: z.string(),
  outcome: z.enum(CASE_OUTCOMES).optional(),
}).meta({ id: 'ReportStatus' });
export type ReportStatus = z.infer<typeof reportStatusSchema>;

export const CASE_EVENTS = ['filed', 'assigned', 'note', 'referral', 'number_suspended', 'reverification', 'agent_suspended', 'agent_blacklisted', 'closed'] as const;

export const caseEventSchema = z.object({
  at: z.string(),
  actor: z.string(),
  kind: z.enum(CASE_EVENTS),
  detail: z.record(z.string(), z.string()),
}).meta({ id: 'CaseEvent' });
export type CaseEvent = z.infer<typeof caseEventSchema>;

export const caseSummarySchema = z.object({
  id: z.string(),
  reference: z.string(),
  kind: z.enum(REPORT_KINDS),
  state: z.enum(['open', 'closed']),
  filedAt: z.string(),
  dueAt: z.string(),
  overdue: z.boolean(),
  assignee: z.string().optional(),
  outcome: z.enum(CASE_OUTCOMES).optional(),
}).meta({ id: 'CaseSummary' });
export type CaseSummary = z.infer<typeof caseSummarySchema>;

export const caseDetailSchema = caseSummarySchema.extend({
  link: z.string().optional(),
  description: z.string(),
  contact: z.string().optional(),
  /** The numbers the case is about (a fraud number, the numbers opened in the reporter's name). */
  numbers: z.array(z.object({ msisdn: z.string(), agentNumber: z.string().optional(), service: z.string().optional() })),
  screenshots: z.number().int(),
  /** The reporter's identity check (an order), when they proved who they are. */
  identityCheck: z.string().optional(),
  events: z.array(caseEventSchema),
}).meta({ id: 'CaseDetail' });
export type CaseDetail = z.infer<typeof caseDetailSchema>;

const reason = z.string().trim().min(4).max(500);
/** Who asked for, or allows, a number's suspension: a police notice and its number, the operator's own finding. */
const authority = z.string().trim().min(3).max(200);

/** What a person does on a case; each is recorded on the case and in the staff action log. */
export const caseActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('assign'), to: z.string().trim().min(3).max(32) }).strict(),
  z.object({ action: z.literal('note'), text: z.string().trim().min(2).max(2000) }).strict(),
  z.object({ action: z.literal('referral'), authority: z.enum(REFERRAL_AUTHORITIES), reference: z.string().trim().min(3).max(60) }).strict(),
  z.object({ action: z.literal('suspend_number'), msisdn: mobile, reason, authority }).strict(),
  z.object({ action: z.literal('reverify'), msisdn: mobile, reason }).strict(),
  z.object({ action: z.literal('agent'), agentNumber: z.string().trim().max(32), status: z.enum(['suspended', 'blacklisted']), reason, evidence: z.array(z.string().trim().min(3).max(120)).min(1).max(20) }).strict(),
  z.object({ action: z.literal('close'), outcome: z.enum(CASE_OUTCOMES), summary: reason }).strict(),
]).meta({ id: 'CaseAction' });
export type CaseAction = z.infer<typeof caseActionSchema>;
