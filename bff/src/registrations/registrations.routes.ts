import { Router } from 'express';
import { z } from 'zod';
import { REGISTRATION_EVIDENCE, requestReasonSchema } from '@shared';
import { parseLookup, parseWith } from '../http/validate.js';
import { type StaffGuard, staffOf } from '../staff/staff.routes.js';
import type { RegistrationService } from './registrationService.js';

const registrationParams = z.object({ id: z.uuid() });
const evidenceParams = z.object({ id: z.uuid(), kind: z.enum(REGISTRATION_EVIDENCE) });

/**
 * Registration records for support and auditors. A look-up is a POST: what is looked for (an ID
 * number, perhaps) never goes into a URL or an access log.
 */
export function registrationRoutes(registrations: RegistrationService, guard: StaffGuard): Router {
  const router = Router();
  const reader = guard('registrations.read');

  router.post('/console/registrations/lookup', reader, async (req, res) => {
    const lookup = parseLookup(req.body);
    const found = await registrations.lookup(lookup, staffOf(res));
    await guard.record(res, 'registration.lookup', `${lookup.by}: ${found.length} found`);
    res.json({ registrations: found });
  });

  router.get('/console/registrations/:id/evidence/:kind', reader, async (req, res) => {
    const { id, kind } = parseWith(evidenceParams, req.params);
    const image = await registrations.evidence(id, kind, staffOf(res));
    res.set({ 'Content-Type': 'image/jpeg', 'Content-Disposition': 'inline', 'Cache-Control': 'no-store' }).send(image);
  });

  router.post('/console/registrations/:id/service-end', guard('operations.manage'), async (req, res) => {
    const { id } = parseWith(registrationParams, req.params);
    const { reason } = parseWith(requestReasonSchema, req.body);
    await registrations.endService(id, staffOf(res), reason);
    await guard.record(res, 'registration.service_end', id);
    res.status(204).end();
  });

  return router;
}
