import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'a date as YYYY-MM-DD');

/** The dashboard's period (China days, both included, at most 92) and channel (an agent number, `direct`, or every channel). */
export const dashboardQuerySchema = z.object({
  from: day,
  to: day,
  channel: z.string().regex(/^[A-Za-z0-9-]{2,32}$/u).optional(),
}).refine((q) => q.from <= q.to, 'the period ends after it starts').meta({ id: 'DashboardQuery' });
export type DashboardQuery = z.infer<typeof dashboardQuerySchema>;

/** One China day of the operator's sales and checks. */
export const dashboardDaySchema = z.object({
  day,
  /** Orders submitted. */
  submitted: z.number().int(),
  approved: z.number().int(),
  refused: z.number().int(),
  /** Orders sent to a person. */
  review: z.number().int(),
  /** Refusals for the five-card cap (一证五卡). */
  fiveCards: z.number().int(),
  /** Alerts the monitoring raised. */
  alerts: z.number().int(),
  /** Cases filed from the public's reports (for a channel: those about its sales). */
  cases: z.number().int(),
});
export type DashboardDay = z.infer<typeof dashboardDaySchema>;

export const dashboardSchema = z.object({
  from: day,
  to: day,
  channel: z.string().optional(),
  days: z.array(dashboardDaySchema),
  /** Refusals in the period by reason (an order refused for two reasons counts under each). */
  refusalsByReason: z.record(z.string(), z.number().int()),
  /** Orders waiting for a person right now. */
  reviewBacklog: z.number().int(),
  /** The channels the period can be narrowed to. */
  channels: z.array(z.object({ agentNumber: z.string(), name: z.string() })),
}).meta({ id: 'Dashboard' });
export type Dashboard = z.infer<typeof dashboardSchema>;
