import { z } from 'zod';
import { ORDER_STATES } from './api.js';

export const failedJobSchema = z.object({
  /** The provisioning request's idempotency key. */
  key: z.string(),
  orderId: z.string(),
  iccid: z.string(),
  msisdn: z.string(),
  attempts: z.number(),
  /** The provisioning system's code for its refusal. */
  error: z.string(),
  failedAt: z.number().nullable(),
  state: z.enum(ORDER_STATES),
}).meta({ id: 'FailedJob' });
export type FailedJob = z.infer<typeof failedJobSchema>;

export const heldAgentOrderSchema = z.object({
  orderId: z.string(),
  state: z.enum(ORDER_STATES),
  msisdn: z.string(),
  /** `channel_suspended` or `channel_blacklisted`. */
  flag: z.string(),
  createdAt: z.number(),
  agent: z.string().nullable(),
  agentName: z.string().nullable(),
}).meta({ id: 'HeldAgentOrder' });
export type HeldAgentOrder = z.infer<typeof heldAgentOrderSchema>;

export const COURIER_ROLES = ['courier', 'supervisor'] as const;

export const courierAccountSchema = z.object({
  id: z.string(),
  company: z.string(),
  name: z.string(),
  role: z.enum(COURIER_ROLES),
  disabled: z.boolean(),
}).meta({ id: 'CourierAccount' });
export type CourierAccount = z.infer<typeof courierAccountSchema>;

export const createCourierRequestSchema = z.object({
  /** The carrier's code, as its parcels carry it (the sandbox carrier is SBX). */
  company: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{2,10}$/, 'the carrier code is 2-10 letters or digits'),
  name: z.string().trim().min(1).max(60),
  supervisor: z.boolean().default(false),
}).meta({ id: 'CreateCourierRequest' });
