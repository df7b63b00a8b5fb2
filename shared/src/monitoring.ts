import { z } from 'zod';

/**
 * What the monitoring watches (seed 000 八): one agent opening many cards in a short time, an agent
 * refused far more often than the others, one network behind many identities, bursts of failed live
 * checks, a courier with many refusals at the door, one network holding numbers it never orders, and
 * the same face under different ID numbers.
 */
export const ALERT_RULES = ['agent_burst', 'agent_refusals', 'client_identities', 'live_check_failures', 'courier_refusals', 'held_unordered', 'same_face'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export const alertSchema = z.object({
  id: z.string(),
  rule: z.enum(ALERT_RULES),
  /** Whom it is about: an agent number, a courier, a network (as its keyed digest), or `all`. */
  subject: z.string(),
  status: z.enum(['open', 'closed']),
  /** The figures that tripped the rule, and its threshold. */
  detail: z.record(z.string(), z.union([z.number(), z.string()])),
  /** What was done at once where configured (an agent suspended pending a look). */
  action: z.string().optional(),
  raisedAt: z.string(),
  seenAt: z.string(),
  closedAt: z.string().optional(),
  closedBy: z.string().optional(),
}).meta({ id: 'Alert' });
export type Alert = z.infer<typeof alertSchema>;

export const closeAlertSchema = z.object({ note: z.string().trim().min(4).max(500) }).strict().meta({ id: 'CloseAlert' });
