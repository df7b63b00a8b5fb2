import type { z } from 'zod';
import { type LivenessTimeline, type LookupRequest, livenessTimelineSchema, lookupRequestSchema, lookupValue } from '@shared';
import { AppError } from '../errors.js';

/** Parses a request part with a shared schema; the first problem becomes a readable 400. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new AppError('validation_failed', `${where}${issue?.message ?? 'invalid request'}`, 400);
  }
  return parsed.data;
}

/** The order token, from `Authorization: Bearer <token>`; never from the URL. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9_-]{16,128})$/.exec(header ?? '');
  return match?.[1];
}

/** A look-up of identity data from a request: its shape, then its value checked by its kind and normalised. */
export function parseLookup(body: unknown): LookupRequest {
  const lookup = parseWith(lookupRequestSchema, body);
  const value = lookupValue(lookup.by, lookup.value);
  if (value === undefined) {
    const what = lookup.by === 'msisdn' ? 'mobile number' : lookup.by === 'iccid' ? 'ICCID' : 'ID number';
    throw new AppError('validation_failed', `value: not a valid ${what}`, 400);
  }
  return { ...lookup, value };
}

/**
 * The timeline of a live check's frames, sent beside them as the multipart text field `timeline`
 * (JSON): one entry per frame.
 */
export function timelineOf(req: { body?: unknown }): LivenessTimeline {
  const raw = (req.body as { timeline?: unknown } | undefined)?.timeline;
  let value: unknown;
  try {
    value = typeof raw === 'string' ? JSON.parse(raw) : undefined;
  } catch {
    value = undefined;
  }
  const parsed = livenessTimelineSchema.safeParse(value);
  if (!parsed.success) throw new AppError('liveness_frames_invalid', 'send the field `timeline`: when each frame was taken and the colour shown', 400);
  return parsed.data;
}
