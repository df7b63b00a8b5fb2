import { type Request, type RequestHandler, type Response, Router } from 'express';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { z } from 'zod';
import {
  CSRF_HEADER, PASSIVE_HEADER, type StaffPermission, type StaffSession, createStaffRequestSchema, enrolmentFinishSchema, enrolmentStartSchema,
  rolesGrant, signInRequestSchema, updateStaffRequestSchema,
} from '@shared';
import { tokenEquals } from '../crypto/tokens.js';
import { AppError } from '../errors.js';
import { clientOf } from '../http/client.js';
import type { Limits } from '../http/limits.js';
import { signIn } from '../http/limits.js';
import { parseWith } from '../http/validate.js';
import type { StaffMember, StaffService } from './staffService.js';

const accountParams = z.object({ id: z.uuid() });
const actionsQuery = z.object({ before: z.coerce.number().int().positive().optional() });
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session cookie: httpOnly, SameSite=Strict; in production Secure and host-only (`__Host-`). */
interface SessionCookie { name: string; set(res: Response, token: string): void; clear(res: Response): void }

function sessionCookie(secure: boolean): SessionCookie {
  const name = secure ? '__Host-sim_staff' : 'sim_staff';
  const options = { httpOnly: true, sameSite: 'strict', secure, path: '/' } as const;
  return {
    name,
    set: (res, token) => res.append('Set-Cookie', serializeCookie(name, token, options)),
    clear: (res) => res.append('Set-Cookie', serializeCookie(name, '', { ...options, maxAge: 0 })),
  };
}

/** Who is signed in on this request, once a guard has checked. */
export function staffOf(res: Response): StaffMember {
  const member = res.locals.staff as StaffMember | undefined;
  if (!member) throw new Error('staffOf before the staff guard');
  return member;
}

/** The console's guard: a live session, its CSRF token on every change, and the permission asked for. */
export interface StaffGuard {
  (permission: StaffPermission): RequestHandler;
  /** Signed in, whatever the roles (the session itself). */
  signedIn: RequestHandler;
  /** The session cookie this guard reads (sign-in sets it). */
  cookie: SessionCookie;
  /** Records an action of the person signed in on this request (nothing for a machine key). */
  record(res: Response, action: string, target: string | null): Promise<void>;
}

export function staffGuard(staff: StaffService, secureCookie: boolean): StaffGuard {
  const cookie = sessionCookie(secureCookie);
  const tokenOf = (req: Request): string | undefined => parseCookies(req.get('cookie') ?? '')[cookie.name];
  const check = async (req: Request, res: Response, permission?: StaffPermission): Promise<void> => {
    const member = await staff.session(tokenOf(req), { passive: SAFE_METHODS.has(req.method) && req.get(PASSIVE_HEADER) === '1' });
    // SameSite=Strict keeps other sites' requests from carrying the cookie; the header proves a page of ours sent it.
    if (!SAFE_METHODS.has(req.method) && !tokenEquals(staff.csrfToken(member), req.get(CSRF_HEADER) ?? '')) {
      throw new AppError('csrf_failed', 'the request did not come from the console (CSRF token missing or wrong); reload the page', 403);
    }
    if (permission && !rolesGrant(member.roles, permission)) throw new AppError('forbidden', 'your roles do not allow this', 403);
    res.locals.staff = member;
  };
  const guard = ((permission: StaffPermission): RequestHandler => (req, res, next) => {
    check(req, res, permission).then(() => next(), next);
  }) as StaffGuard;
  guard.signedIn = (req, res, next) => {
    check(req, res).then(() => next(), next);
  };
  guard.cookie = cookie;
  guard.record = async (res, action, target) => {
    const member = res.locals.staff as StaffMember | undefined;
    if (member) await staff.record(member.username, action, target);
  };
  return guard;
}

/** Signing in and out, first enrolment, and the administrators' page of accounts. */
export function staffRoutes(staff: StaffService, guard: StaffGuard, limits: Limits): Router {
  const router = Router();
  const { cookie } = guard;
  const sessionView = (member: StaffMember): StaffSession => ({
    staff: { id: member.id, username: member.username, name: member.name, roles: member.roles },
    permissions: staff.permissions(member),
    csrfToken: staff.csrfToken(member),
    idleMinutes: staff.settings.idleMinutes,
  });
  // Wrong passwords and codes count per network too (the account's own count locks it).
  const limited = <T>(req: Request, work: () => Promise<T>): Promise<T> => signIn(limits, clientOf(req), work);

  router.post('/staff/session', async (req, res) => {
    const body = parseWith(signInRequestSchema, req.body);
    const member = await limited(req, () => staff.signIn(body.username, body.password, body.code));
    cookie.set(res, member.token);
    res.status(201).json(sessionView(member));
  });

  router.get('/staff/session', guard.signedIn, (_req, res) => {
    res.json(sessionView(staffOf(res)));
  });

  router.delete('/staff/session', guard.signedIn, async (_req, res) => {
    await staff.signOut(staffOf(res));
    cookie.clear(res);
    res.status(204).end();
  });

  router.post('/staff/enrolment', async (req, res) => {
    const body = parseWith(enrolmentStartSchema, req.body);
    res.status(201).json(await limited(req, () => staff.startEnrolment(body.username, body.password)));
  });

  router.post('/staff/enrolment/finish', async (req, res) => {
    const body = parseWith(enrolmentFinishSchema, req.body);
    const member = await limited(req, () => staff.finishEnrolment(body.ticket, body.newPassword, body.code));
    cookie.set(res, member.token);
    res.status(201).json(sessionView(member));
  });

  router.get('/console/staff', guard('staff.manage'), async (_req, res) => {
    res.json({ accounts: await staff.list() });
  });

  router.post('/console/staff', guard('staff.manage'), async (req, res) => {
    res.status(201).json(await staff.add(parseWith(createStaffRequestSchema, req.body), staffOf(res).username));
  });

  router.patch('/console/staff/:id', guard('staff.manage'), async (req, res) => {
    res.json(await staff.update(parseWith(accountParams, req.params).id, parseWith(updateStaffRequestSchema, req.body), staffOf(res)));
  });

  router.post('/console/staff/:id/reset', guard('staff.manage'), async (req, res) => {
    res.json(await staff.reset(parseWith(accountParams, req.params).id, staffOf(res)));
  });

  router.get('/console/actions', guard('audit.read'), async (req, res) => {
    res.json({ actions: await staff.actions(100, parseWith(actionsQuery, req.query).before) });
  });

  return router;
}
