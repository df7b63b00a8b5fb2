import { z } from 'zod';

/**
 * The operator's staff and what each role may do. An account has one or more roles; the console
 * shows, and the API allows, only what its roles grant.
 */
export const STAFF_ROLES = ['administrator', 'reviewer', 'channel_manager', 'support', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** What a role grants: each console route asks for exactly one of these. */
export const STAFF_PERMISSIONS = {
  /** Staff accounts: add, change roles, disable, reset. */
  'staff.manage': ['administrator'],
  /** The registry of selling agents. */
  'channels.manage': ['channel_manager'],
  /** The review queue, an order's evidence, decisions. */
  'review.decide': ['reviewer'],
  /** Registration records by number, ICCID or ID number (each look-up with its reason), printed for an inspector. */
  'registrations.read': ['support', 'auditor'],
  /** A buyer's request to see or delete their data, within what the retention rules allow. */
  'requests.handle': ['support'],
  /** Operations: provisioning jobs that failed for good, couriers, legal holds. */
  'operations.manage': ['administrator'],
  /** Re-registration campaigns (补登记): start one. */
  'campaigns.manage': ['administrator'],
  /** Campaigns' progress, the real-name rate and the regulator's half-monthly figures. */
  'campaigns.read': ['administrator', 'auditor'],
  /** The monitoring's alerts: what the rules found (abnormal sales, agents, couriers, live checks). */
  'monitoring.read': ['administrator', 'support', 'auditor'],
  /** Closing an alert once it was looked into. */
  'monitoring.manage': ['administrator', 'support'],
  /** Cases from the public's reports: the queue and each case, its screenshots. */
  'cases.read': ['administrator', 'support', 'auditor'],
  /** Working a case: assignment, notes, referrals, suspending a number, re-verification, an agent suspended or blacklisted. */
  'cases.work': ['support'],
  /** The log of staff actions and the access audit. */
  'audit.read': ['auditor'],
} as const satisfies Record<string, readonly StaffRole[]>;
export type StaffPermission = keyof typeof STAFF_PERMISSIONS;

export const STAFF_PERMISSION_NAMES = Object.keys(STAFF_PERMISSIONS) as StaffPermission[];

export function rolesGrant(roles: readonly StaffRole[], permission: StaffPermission): boolean {
  const allowed: readonly StaffRole[] = STAFF_PERMISSIONS[permission];
  return roles.some((role) => allowed.includes(role));
}

/** A login name: lower-case letters, digits, dots, dashes. */
export const staffUsername = z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9.-]{2,31}$/, 'a username is 3-32 lower-case letters, digits, dots and dashes, starting with a letter');
/** Long enough to resist guessing offline; the hash is memory-hard besides. */
export const staffPassword = z.string().min(12, 'a password has at least 12 characters').max(200);
/** A six-digit code from the account's authenticator app. */
export const totpCode = z.string().trim().regex(/^\d{6}$/, 'the code is six digits');

export const signInRequestSchema = z.object({ username: staffUsername, password: z.string().min(1).max(200), code: totpCode }).meta({ id: 'SignInRequest' });
export type SignInRequest = z.infer<typeof signInRequestSchema>;

export const enrolmentStartSchema = z.object({ username: staffUsername, password: z.string().min(1).max(200) }).meta({ id: 'EnrolmentStart' });
export const enrolmentFinishSchema = z.object({ ticket: z.string().min(20).max(100), newPassword: staffPassword, code: totpCode }).meta({ id: 'EnrolmentFinish' });
export type EnrolmentFinish = z.infer<typeof enrolmentFinishSchema>;

export const enrolmentSchema = z.object({
  ticket: z.string(),
  /** The authenticator's secret (base32), and the same as an otpauth:// address for a QR code. */
  secret: z.string(),
  otpauthUri: z.string(),
}).meta({ id: 'Enrolment' });
export type Enrolment = z.infer<typeof enrolmentSchema>;

export const staffAccountSchema = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  roles: z.array(z.enum(STAFF_ROLES)),
  status: z.enum(['enrolling', 'active', 'disabled']),
  lockedUntil: z.number().nullable(),
  createdAt: z.number(),
  createdBy: z.string(),
}).meta({ id: 'StaffAccount' });
export type StaffAccount = z.infer<typeof staffAccountSchema>;

export const staffSessionSchema = z.object({
  staff: z.object({ id: z.string(), username: z.string(), name: z.string(), roles: z.array(z.enum(STAFF_ROLES)) }),
  permissions: z.array(z.enum(STAFF_PERMISSION_NAMES as [StaffPermission, ...StaffPermission[]])),
  /** Sent back in X-CSRF-Token with every change. */
  csrfToken: z.string(),
  idleMinutes: z.number(),
}).meta({ id: 'StaffSession' });
export type StaffSession = z.infer<typeof staffSessionSchema>;

export const createStaffRequestSchema = z.object({
  username: staffUsername,
  name: z.string().trim().min(1).max(60),
  roles: z.array(z.enum(STAFF_ROLES)).min(1).max(STAFF_ROLES.length),
}).meta({ id: 'CreateStaffRequest' });
export type CreateStaffRequest = z.infer<typeof createStaffRequestSchema>;

export const updateStaffRequestSchema = z.object({
  roles: z.array(z.enum(STAFF_ROLES)).min(1).max(STAFF_ROLES.length).optional(),
  disabled: z.boolean().optional(),
}).refine((r) => r.roles !== undefined || r.disabled !== undefined, 'nothing to change').meta({ id: 'UpdateStaffRequest' });
export type UpdateStaffRequest = z.infer<typeof updateStaffRequestSchema>;

/** A new account or a reset one: the one-time password is shown once, to be handed to the person. */
export const staffCredentialsSchema = z.object({ account: staffAccountSchema, oneTimePassword: z.string() }).meta({ id: 'StaffCredentials' });
export type StaffCredentials = z.infer<typeof staffCredentialsSchema>;

export const staffActionSchema = z.object({
  id: z.number(),
  at: z.number(),
  staff: z.string(),
  action: z.string(),
  target: z.string().nullable(),
}).meta({ id: 'StaffAction' });
export type StaffAction = z.infer<typeof staffActionSchema>;

/** The header a signed-in console sends its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
/**
 * Sent (as "1") on a read a console page makes by itself, to keep a list current: it is not the
 * person at work, so it does not keep their session from ending when they leave it idle.
 */
export const PASSIVE_HEADER = 'x-console-refresh';
