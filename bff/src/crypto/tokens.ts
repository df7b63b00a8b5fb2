import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A bearer secret: 32 random bytes, URL-safe. Only its hash is stored. */
export const newToken = (): string => randomBytes(32).toString('base64url');

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Whether `token` is the one whose hash is stored, in constant time; a missing row compares against
 * nothing, so a guess at an id learns nothing from the timing either.
 */
export function tokenMatches(storedHash: string | undefined, token: string | undefined): boolean {
  const expected = storedHash ? Buffer.from(storedHash, 'hex') : Buffer.alloc(32);
  const given = Buffer.from(hashToken(token ?? ''), 'hex');
  const equal = timingSafeEqual(expected, given);
  return Boolean(storedHash && token) && equal;
}

/** Whether a stored digest equals one computed now, in constant time (a missing one equals nothing). */
export function tokenEquals(stored: string | undefined, computed: string): boolean {
  const a = Buffer.from(stored ?? '');
  const b = Buffer.from(computed);
  const equal = a.length === b.length && timingSafeEqual(a, b);
  return stored !== undefined && equal;
}
