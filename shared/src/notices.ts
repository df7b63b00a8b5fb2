import { z } from 'zod';

/** A mainland mobile number, as a buyer types it (spaces, dashes, +86 are accepted). */
export const contactMobileSchema = z.string().trim()
  .transform((raw) => raw.replace(/[\s-]/gu, '').replace(/^(?:\+86|0086)/u, ''))
  .pipe(z.string().regex(/^1[3-9]\d{9}$/u, 'a mainland mobile number: 11 digits starting with 1'));

export const contactRequestSchema = z.object({ mobile: contactMobileSchema }).meta({ id: 'ContactRequest' });
export const contactConfirmSchema = z.object({ code: z.string().trim().regex(/^\d{6}$/u, 'the code is six digits') }).meta({ id: 'ContactConfirm' });

export const contactViewSchema = z.object({
  /** The number, masked (138****5678). */
  mobile: z.string(),
  confirmed: z.boolean(),
  /** Until when the code sent may be entered (while not confirmed). */
  codeExpiresAt: z.string().optional(),
}).meta({ id: 'Contact' });
export type ContactView = z.infer<typeof contactViewSchema>;

/** What an order's notices are about: the states a buyer waits for. */
export const NOTICE_EVENTS = ['approved', 'rejected', 'review', 'shipped', 'shipped_unactivated', 'activated', 'returned'] as const;
export type NoticeEvent = (typeof NOTICE_EVENTS)[number];

export const sandboxSmsSchema = z.object({
  id: z.string(),
  to: z.string(),
  text: z.string(),
  at: z.string(),
  status: z.enum(['delivered', 'failed']),
}).meta({ id: 'SandboxSms' });
export type SandboxSms = z.infer<typeof sandboxSmsSchema>;
